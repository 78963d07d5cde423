"""Remake the README's pictures (docs/images/*.png) from our own example data.

It trains a small model on examples/data with `nlp train`, as examples/demo.py does, then draws
new sentences with `nlp visualize` (dependency parse, entities), takes the training report that
`nlp train` wrote, screenshots each page in headless Chromium (tests/browser.py), crops the
screenshot to its content (examples/png_crop.py) and checks it stays under 200 KB.

    python examples/make_pictures.py                  # about a minute and a half on a laptop CPU
    python examples/make_pictures.py --out /tmp/pics --n-iter 2 --n-examples 60   # a quick look
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from png_crop import crop_png

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TRAIN = HERE / "data" / "train.conllu"
DEV = HERE / "data" / "dev.conllu"
MAX_BYTES = 200_000
# Sentences of our own, none of them in examples/data.
PARSE_TEXTS = ["Lena Okafor said that Northwind Labs moved to Hanoi."]
ENT_TEXTS = ["Lena Okafor said that Northwind Labs moved to Hanoi on Friday.",
             "A letter from Tomas Berg praises Orbit Press."]
# Window sizes; of the report only the top, the score curves, is kept.
WINDOW = (1400, 1000)
REPORT_WINDOW = (1200, 2400)
REPORT_ROWS = 1250


def nlp(*args: str | Path) -> None:
    """Run one `nlp` command, echoing it; stop if it fails."""
    words = [str(a) for a in args]
    print("$ nlp " + " ".join(words), flush=True)
    proc = subprocess.run([sys.executable, "-m", "nlp_cli", *words], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"make_pictures: `nlp {words[0]}` failed:\n{proc.stdout}{proc.stderr}")


def make_pages(work: Path, n_iter: int, n_examples: int) -> dict[str, Path]:
    """Train on examples/data and write the three pages; {picture name: page}."""
    model = work / "demo"
    nlp("train", "en", model, TRAIN, DEV, "-p", "tagger,parser,ner", "-n", str(n_iter),
        "-ns", str(n_examples), "--seed", "0")
    pages = {"training-report": model / "report.html"}
    for name, style, texts in (("parse", "dep", PARSE_TEXTS), ("entities", "ent", ENT_TEXTS)):
        source = work / f"{name}.txt"
        source.write_text("\n".join(texts) + "\n", encoding="utf8")
        pages[name] = work / f"{name}.html"
        nlp("visualize", model / "model-best", source, "-s", style, "-o", pages[name])
    return pages


def shoot(page: Path, png: Path, work: Path, report: bool) -> None:
    """Screenshot `page` (no console message allowed), crop it into `png`, check its size."""
    sys.path.insert(0, str(REPO / "tests"))
    import browser

    window = REPORT_WINDOW if report else WINDOW
    view = browser.open_page(page, work / f"{png.stem}-full.png", window)
    if view.console:
        sys.exit(f"make_pictures: {page} logged to the console:\n" + "\n".join(view.console))
    width, height = crop_png(view.png, png, margin=16, max_rows=REPORT_ROWS if report else None)
    size = png.stat().st_size
    print(f"✔ {png} ({width}x{height}, {size // 1024} KB)")
    if size >= MAX_BYTES:
        sys.exit(f"make_pictures: {png} is {size} bytes, over {MAX_BYTES}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images", help="folder of the PNGs")
    parser.add_argument("--n-iter", type=int, default=6, help="training epochs (demo.py's 6)")
    parser.add_argument("--n-examples", type=int, default=0, help="train on the first N (0: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nlp-pictures-") as tmp:
        work = Path(tmp)
        for name, page in make_pages(work, args.n_iter, args.n_examples).items():
            shoot(page, args.out / f"{name}.png", work, report=name == "training-report")


if __name__ == "__main__":
    main()
