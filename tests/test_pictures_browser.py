"""#18's pictures in a real browser: the dependency page, the entity page and the training report
open in headless Chromium without a console message, their screenshots are not blank, and their
DOM holds one arc per attached token, one mark per entity and the per-label tables.

The harness (tests/browser.py) is proved first on pages written here: a console.error must be
caught and a blank page must fail the screenshot check. Screenshots go to $NLP_SCREENSHOTS or a
fresh temporary folder, never into the repository; the path of each is printed for a person to
look at. Without chromium the tests skip, saying why, except under CI=true where .ci/run installs
it (and says, in $NLP_BROWSER_MISSING, why when it could not).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLES = REPO / "examples" / "data"
WINDOW = (1200, 900)
# A blank 1200x900 screenshot is about 5 KB; any page with text and lines is well above this.
MIN_PNG_BYTES = 8_000
# An attribute that would make the page fetch something: a URL with a scheme (data: aside) or
# a //host.
EXTERNAL = re.compile(r"""\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:(?!data:)[a-z][a-z0-9+.-]*:|//)""",
                      re.I)


def _load(name: str, path: Path):
    """A helper module by its path (pytest runs in importlib mode: tests/ and examples/ are not
    on sys.path)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


browser_harness = _load("nlp_test_browser", HERE / "browser.py")
png_crop = _load("nlp_png_crop", REPO / "examples" / "png_crop.py")


@pytest.fixture(scope="session")
def browser() -> str:
    """The chromium executable; skip saying why where there is none, but never under CI=true
    unless .ci/run recorded why it could not install one."""
    found = browser_harness.find_browser()
    if found:
        return found
    reason = browser_harness.missing_reason()
    if os.environ.get("CI") == "true" and not os.environ.get(browser_harness.MISSING_REASON_VAR):
        pytest.fail(f"CI=true but no browser: {reason} (.ci/run installs Debian's chromium)")
    pytest.skip(f"headless browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots go: $NLP_SCREENSHOTS, else a fresh temporary folder (kept)."""
    chosen = os.environ.get("NLP_SCREENSHOTS")
    folder = Path(chosen).resolve() if chosen else Path(tempfile.mkdtemp(prefix="nlp-screenshots-"))
    if folder.is_relative_to(REPO):
        pytest.fail(f"NLP_SCREENSHOTS={chosen} is inside the repository; choose a folder outside it")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def view_page(browser: str, shots: Path, capsys, page: Path, name: str, window=WINDOW):
    """Open `page` in chromium, screenshot to shots/name.png, and print where it is."""
    view = browser_harness.open_page(page, shots / f"{name}.png", window, browser=browser)
    with capsys.disabled():
        print(f"\n[screenshot] {name}: {view.png}")
    return view


def assert_rendered(view, window=WINDOW) -> None:
    """No console message, no script, nothing fetched from elsewhere, a screenshot of the
    window's size that is not blank."""
    assert view.console == [], "console messages:\n" + "\n".join(view.console)
    assert browser_harness.count_elements(view.dom)["script"] == 0
    assert not EXTERNAL.search(view.dom), EXTERNAL.search(view.dom).group(0)
    assert browser_harness.png_size(view.png) == window
    size = view.png.stat().st_size
    assert size > MIN_PNG_BYTES, f"{view.png} is {size} bytes: a blank page?"


def write_page(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title>'
                    f"</head><body>{body}</body></html>", encoding="utf8")
    return path


# The harness, proved on pages written here.

def test_console_error_and_uncaught_exception_are_caught(browser, shots, capsys, tmp_path):
    page = write_page(tmp_path, "noisy", '<p>noisy</p><script>console.error("marker-7f3");'
                      'throw new Error("boom-7f3");</script>')
    view = view_page(browser, shots, capsys, page, "harness-noisy")
    joined = "\n".join(view.console)
    assert "marker-7f3" in joined and "Uncaught Error: boom-7f3" in joined, joined
    with pytest.raises(AssertionError, match="console messages"):
        assert_rendered(view)


def test_blank_page_fails_the_screenshot_check(browser, shots, capsys, tmp_path):
    view = view_page(browser, shots, capsys, write_page(tmp_path, "blank", ""), "harness-blank")
    assert view.console == []
    with pytest.raises(AssertionError, match="blank page"):
        assert_rendered(view)


def test_quiet_page_passes_and_its_dom_is_counted(browser, shots, capsys, tmp_path):
    words = " ".join(f"<mark class='entity'>word{i}</mark> and text" for i in range(40))
    arcs = "".join(f"<path class='arc' d='M{10 + 20 * i},200 C{10 + 20 * i},40 {60 + 20 * i},40 "
                   f"{60 + 20 * i},200' stroke='black' fill='none'/>" for i in range(30))
    body = f"<p style='font-size:20px'>{words}</p><svg width='800' height='220'>{arcs}</svg>"
    view = view_page(browser, shots, capsys, write_page(tmp_path, "quiet", body), "harness-quiet")
    assert_rendered(view)
    counts = browser_harness.count_elements(view.dom)
    assert (counts["mark.entity"], counts["path.arc"], counts["svg"], counts["script"]) == (40, 30, 1, 0)


def test_crop_finds_what_the_browser_drew(browser, shots, capsys, tmp_path):
    """png_crop decodes chromium's PNGs exactly: a green box where the page put it, and the crop
    keeps the box and the text beside it with the margin asked for."""
    body = ('<div style="position:absolute;left:100px;top:50px;width:200px;height:80px;'
            'background:rgb(10,200,30)"></div><p style="position:absolute;left:400px;top:300px;'
            'margin:0;font-size:30px">Paeth, Sub and Up rows</p>')
    view = view_page(browser, shots, capsys, write_page(tmp_path, "box", body), "harness-box")
    pixels = png_crop.read_png(view.png)
    assert pixels.shape == (WINDOW[1], WINDOW[0], 3)
    assert (pixels[50:130, 100:300] == (10, 200, 30)).all()
    assert (pixels[:50] == 255).all() and (pixels[130:300] == 255).all()
    top, left, bottom, right = png_crop.content_box(pixels, margin=0)
    assert (top, left) == (50, 100) and 300 < bottom < 360 and 600 < right < 1000
    width, height = png_crop.crop_png(view.png, tmp_path / "crop.png", margin=5)
    assert (width, height) == (right - left + 10, bottom - top + 10)
    cropped = png_crop.read_png(tmp_path / "crop.png")
    assert (cropped == pixels[45:45 + height, 95:95 + width]).all()
    width, height = png_crop.crop_png(view.png, tmp_path / "top.png", margin=5, max_rows=320)
    assert height == 130 - 50 + 10  # cut at the blank rows above the text, never through it


def test_png_size_rejects_a_file_that_is_not_png(tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a" + bytes(40))
    with pytest.raises(ValueError, match="not a PNG"):
        browser_harness.png_size(fake)


# The real pictures: nlp_vocab.render, `nlp visualize`, `nlp train`'s report, `nlp evaluate -o`.

NASTY = '<script>console.error("escaped-not")</script>'


def parsed_docs():
    """Two docs we write: two sentences with tags and a parse, then one word that is markup and
    a crossing arc; entities on both, confidence scores on some."""
    from nlp_vocab import Doc, Vocab

    vocab = Vocab("en")
    first = Doc(vocab, ["Ada", "Moss", "sold", "the", "boat", ".", "She", "left", "Oslo", "."],
                [True, True, True, True, False, True, True, True, False, False],
                tags=["NNP", "NNP", "VBD", "DT", "NN", ".", "PRP", "VBD", "NNP", "."],
                heads=[2, 0, 2, 4, 2, 2, 7, 7, 7, 7],
                deps=["nsubj", "flat", "ROOT", "det", "obj", "punct", "nsubj", "ROOT", "obj", "punct"],
                ents=["B-PER", "I-PER", "O", "O", "O", "O", "O", "O", "B-LOC", "O"])
    first.user_data["ent_scores"] = {(0, 2, "PER"): 0.93, (8, 9, "LOC"): 0.61}
    second = Doc(vocab, ["Ben", "wrote", NASTY, "in", "Quito", "today"],
                 tags=["NNP", "VBD", "NN", "IN", "NNP", "NN"], heads=[1, 1, 1, 5, 2, 1],
                 deps=["nsubj", "ROOT", "obj", "case", "nmod", "obl"],  # in->today crosses Quito->markup
                 ents=["B-PER", "O", "O", "O", "B-LOC", "O"])
    return [first, second]


def render_in_browser(browser, shots, capsys, folder: Path, style: str):
    """parsed_docs() drawn by nlp_vocab.render in `style`, opened in chromium and checked (no
    console message: the markup word did not run, it shows as text); the docs and DOM counts."""
    from nlp_vocab import render

    docs = parsed_docs()
    page = folder / f"{style}.html"
    page.write_text(render(docs, style=style), encoding="utf8")
    view = view_page(browser, shots, capsys, page, f"render-{style}")
    assert_rendered(view)
    assert "&lt;script&gt;console.error" in view.dom
    return docs, browser_harness.count_elements(view.dom)


def test_dependency_page_renders_every_arc(browser, shots, capsys, tmp_path):
    docs, counts = render_in_browser(browser, shots, capsys, tmp_path, "dep")
    assert counts["svg"] == sum(len(list(doc.sents)) for doc in docs) == 3
    assert counts["g.arc"] == sum(token.head.i != token.i for doc in docs for token in doc) == 13


def test_entity_page_marks_every_entity_with_its_score(browser, shots, capsys, tmp_path):
    docs, counts = render_in_browser(browser, shots, capsys, tmp_path, "ent")
    assert counts["mark"] == counts["mark.entity"] == sum(len(doc.ents) for doc in docs) == 4
    assert counts["span.score"] == 2


def nlp(*args) -> str:
    """Run one `nlp` command as a user does; its stdout."""
    proc = subprocess.run([sys.executable, "-m", "nlp_cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A small tagger+parser+ner trained by `nlp train` on examples/data (a few seconds)."""
    out = tmp_path_factory.mktemp("trained") / "out"
    nlp("train", "en", out, EXAMPLES / "train.conllu", EXAMPLES / "dev.conllu", "-p", "tagger,parser,ner",
        "-n", 2, "-ns", 60, "-cw", 32, "-cd", 1, "-er", 500, "--seed", 0)
    return out


def expected_tables(scores: dict) -> Counter:
    """The tables a page of per-label scores should hold: the summary, then one per non-empty
    per-label table and confusion list of `scores`."""
    wanted = Counter({"table.summary": 1})
    for key in ("tag_per_label", "dep_per_label", "ents_per_type", "tag_confusions", "dep_confusions"):
        if scores.get(key):
            wanted[f"table.{key}"] = 1
    wanted["table"] = sum(wanted.values())
    return wanted


def test_training_report_renders_curves_and_tables(browser, shots, capsys, trained):
    report = trained / "report.html"
    records = [json.loads(line) for line in (trained / "training-log.jsonl").read_text().splitlines()]
    best = [r for r in records if r.get("best")][-1]
    tall = (1200, 2400)
    view = view_page(browser, shots, capsys, report, "train-report", tall)
    assert_rendered(view, tall)
    counts = browser_harness.count_elements(view.dom)
    wanted = expected_tables(best["scores"])
    assert {key: counts[key] for key in wanted} == dict(wanted)
    assert len(wanted) == 7  # every kind of table: this run has tags, labels, entities and errors
    assert counts["figure.chart"] >= 4  # tagger, parser, entities, losses
    assert counts["svg"] == counts["figure.chart"]
    before = report.read_bytes()
    report.unlink()
    nlp("report", trained)  # rebuilt from the log alone
    assert report.read_bytes() == before


def test_evaluation_page_renders_the_metrics_tables(browser, shots, capsys, trained, tmp_path):
    nlp("evaluate", trained / "model-best", EXAMPLES / "dev.conllu", "-o", tmp_path / "scores.json")
    nlp("evaluate", trained / "model-best", EXAMPLES / "dev.conllu", "-o", tmp_path / "report.html")
    scores = json.loads((tmp_path / "scores.json").read_text())
    view = view_page(browser, shots, capsys, tmp_path / "report.html", "evaluate-report", (1200, 2400))
    assert_rendered(view, (1200, 2400))
    counts = browser_harness.count_elements(view.dom)
    wanted = expected_tables(scores)
    assert {key: counts[key] for key in wanted} == dict(wanted)


@pytest.mark.parametrize("style", ["dep", "ent"])
def test_visualize_command_page_shows_what_the_model_found(browser, shots, capsys, trained, tmp_path, style):
    import nlp_models

    texts = ["Lena Okafor said that Northwind Labs moved to Hanoi on Friday.",
             "A letter praises Orbit Press from Dublin."]
    (tmp_path / "texts.txt").write_text("\n".join(texts) + "\n", encoding="utf8")
    nlp("visualize", trained / "model-best", tmp_path / "texts.txt", "-s", style, "-o", tmp_path / "page.html")
    view = view_page(browser, shots, capsys, tmp_path / "page.html", f"visualize-{style}")
    assert_rendered(view)
    docs = list(nlp_models.load(trained / "model-best").pipe(texts))
    counts = browser_harness.count_elements(view.dom)
    if style == "dep":
        assert counts["g.arc"] == sum(token.head.i != token.i for doc in docs for token in doc) > 0
    else:
        assert counts["mark.entity"] == sum(len(doc.ents) for doc in docs) > 0


def test_make_pictures_remakes_the_readme_pictures(browser, tmp_path):
    """examples/make_pictures.py (quick settings): three cropped PNGs under 200 KB."""
    script = REPO / "examples" / "make_pictures.py"
    proc = subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--n-iter", "1",
                           "--n-examples", "40"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("parse", "entities", "training-report"):
        png = tmp_path / f"{name}.png"
        width, height = browser_harness.png_size(png)
        assert 10_000 < png.stat().st_size < 200_000
        assert 300 < width < 1400 and 100 < height <= 1250, (name, width, height)
        assert f"{png} ({width}x{height}" in proc.stdout
