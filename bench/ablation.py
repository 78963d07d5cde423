"""The ablation table: what each addition of the accuracy preset adds, one probe per row.

    python bench/ablation.py TASK [--epochs N] [--vectors DIR] [--tok2vec FILE] [--seed S]
                             [--limit N] [--out FILE]

TASK is one of bench/tasks.py's (ewt, ud-ewt, ud-fi, conll, imdb). Each row of LADDERS[TASK]
adds to the spec of the row before it (a probe spec of bench/probe_epochs.py; nested mappings
merge), starting from the efficiency preset; the last row is the accuracy preset as shipped
(PRESET_ROW), with the vectors and pretrained weights given. A row that needs `--vectors` (a
model folder of `nlp init-vectors`) or `--tok2vec` (weights of `nlp pretrain` built with that
row's tok2vec settings) is left out without them, and so is its addition. Every row trains for
the same number of epochs in its own process (`probe_epochs.py`); the table shows each row's dev
scores after the last epoch, the task's main score (bench/tasks.py) and its change from the row
above. Printed as Markdown and written to --out (default bench/out/ablation/TASK.md, with the
scores beside it as JSON). One seed; fixed epochs, so the figures stay meaningful on a busy
machine (no time is claimed). `--limit N` reads only N documents of each split (smoke tests).
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tasks import TASKS, main_score  # noqa: E402

from nlp_models import get_preset  # noqa: E402

# Placeholders in a row's spec, filled from the command line (a row whose value is missing is left out).
VECTORS, TOK2VEC = "$vectors", "$tok2vec"
NEEDS = {VECTORS: "vectors", TOK2VEC: "tok2vec"}


@dataclass(frozen=True)
class Row:
    """One addition: its label and what it adds to the spec of the row before it."""

    label: str
    adds: dict


# The additions' values are the accuracy preset's own (nlp_models.presets.ACCURACY), so the ladder
# climbs to what the preset ships.
ACCURACY = get_preset("accuracy")
WIDER = {key: ACCURACY.tok2vec[key] for key in ("width", "depth", "embed_rows")}
CHARS = {key: ACCURACY.tok2vec[key] for key in ("chars", "char_len", "char_dim", "char_window")}
STATE_LAYER = dict(ACCURACY.components["parser"])
TAGGER_HEAD = dict(ACCURACY.components["tagger"])
NER_DEPTH = ACCURACY.components["crf_ner"]["depth"]


def wider_row(depth: int) -> Row:
    """The wider, deeper tok2vec (CNN depth `depth`)."""
    rows = "/".join(str(n) for n in WIDER["embed_rows"][:2]) + f"x{len(WIDER['embed_rows']) - 1}"
    return Row(f"+ width {WIDER['width']}, CNN depth {depth}, rows {rows}", {"shared": {**WIDER, "depth": depth}})


CHARS_ROW = Row(f"+ character CNN ({CHARS['chars']} filters of {CHARS['char_window']} characters over "
                f"{CHARS['char_len']}, embeddings of {CHARS['char_dim']})", {"shared": CHARS})
STATE_LAYER_ROW = Row(f"+ parser state layer {STATE_LAYER['hidden_width']} wide, "
                      f"{STATE_LAYER['maxout_pieces']} maxout pieces", {"own": {"parser": STATE_LAYER}})
TAGGER_HEAD_ROW = Row(f"+ tagger hidden layer {TAGGER_HEAD['hidden_width']} wide", {"own": {"tagger": TAGGER_HEAD}})
EFFICIENCY = Row("efficiency preset (width 96, CNN depth 2)", {"shared": {"preset": "efficiency"}})
TRANSFER = [Row("+ static vectors", {"vectors": VECTORS}),
            Row("+ pretrained tok2vec (`nlp pretrain`)", {"init_tok2vec": TOK2VEC})]
TAGGER_PARSER = [EFFICIENCY, wider_row(WIDER["depth"]), CHARS_ROW, STATE_LAYER_ROW, TAGGER_HEAD_ROW, *TRANSFER]
LADDERS = {
    "ewt": TAGGER_PARSER,
    "ud-ewt": TAGGER_PARSER,
    "ud-fi": TAGGER_PARSER,
    "conll": [
        EFFICIENCY,
        wider_row(NER_DEPTH),
        CHARS_ROW,
        Row("+ CRF over BILUO tags (`crf_ner`)", {"ner": "crf_ner"}),
        *TRANSFER,
    ],
    "imdb": [
        Row("efficiency preset (bag of uni- and bigrams)", {"own": {"textcat": {"preset": "efficiency"}}}),
        Row("+ NB-weighted uni-, bi- and trigrams (`nb_bow`)",
            {"own": {"textcat": {"architecture": "nb_bow", "ngram_size": 3}}}),
        Row(f"+ CNN ensemble on the accuracy tok2vec at CNN depth {NER_DEPTH} with characters (`nb_ensemble`)",
            {"own": {"textcat": {"architecture": "nb_ensemble"}}, "shared": {**WIDER, "depth": NER_DEPTH, **CHARS}}),
        *TRANSFER,
    ],
}
# The accuracy preset as shipped: every tok2vec and component in its settings.
PRESET_ROW = Row("accuracy preset as shipped", {"shared": {"preset": ACCURACY.name}})


def merge(base: dict, adds: dict) -> dict:
    """`base` with `adds` over it; nested mappings merge key by key."""
    merged = copy.deepcopy(base)
    for key, value in adds.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def fill(adds: dict, given: dict[str, str | None]) -> dict | None:
    """`adds` with its placeholders replaced by the command line's values; None if one is missing."""
    filled = {}
    for key, value in adds.items():
        if isinstance(value, dict):
            value = fill(value, given)
        elif isinstance(value, str) and value in NEEDS:
            value = given.get(NEEDS[value])
        if value is None:
            return None
        filled[key] = value
    return filled


def preset_row(task: str) -> Row:
    """PRESET_ROW for `task`: each of its components of the factory the accuracy preset gives
    it (its "ner" is a `crf_ner`) and in that preset's settings too, reading the shared tok2vec
    only where the preset's plan has it listen (a lone entity recognizer owns its depth-4 one, as
    `nlp train` builds it), plus the vectors and pretrained weights when given."""
    factories = {name: ACCURACY.factory_for(name) for name in TASKS[task].pipeline}
    listening = set(ACCURACY.listeners(TASKS[task].pipeline))
    own = {factory: {"preset": ACCURACY.name, **({} if name in listening else {"own": True})}
           for name, factory in factories.items()}
    renamed = {name: factory for name, factory in factories.items() if factory != name}
    return Row(PRESET_ROW.label, merge(PRESET_ROW.adds, {"own": own, **renamed}))


def plan(task: str, given: dict[str, str | None], base: dict) -> list[tuple[str, dict | None]]:
    """(label, spec) of each row, the spec None for a row left out (what it needs is not given)."""
    rows, spec = [], dict(base)
    for row in LADDERS[task]:
        adds = fill(row.adds, given)
        if adds is not None:
            spec = merge(spec, adds)
        rows.append((row.label, None if adds is None else spec))
    final = merge(base, preset_row(task).adds)
    for row in TRANSFER:
        adds = fill(row.adds, given)
        final = final if adds is None else merge(final, adds)
    rows.append((PRESET_ROW.label, final))
    return rows


def run_probe(task: str, name: str, epochs: int, spec: dict, out: Path) -> list[dict]:
    """One probe in its own process (probe_epochs.py); its dev scores per epoch."""
    spec = {**spec, "out": str(out)}
    cmd = [sys.executable, str(HERE / "probe_epochs.py"), task, name, str(epochs), json.dumps(spec)]
    print("$", " ".join(cmd[1:4]), f"'{cmd[4]}'", flush=True)
    subprocess.run(cmd, check=True)
    return json.loads((out / "probe.json").read_text(encoding="utf8"))["history"]


def columns(task: str) -> list[str]:
    """The score keys the table shows: tag_acc where the task trains a tagger (#13 asks each
    addition's effect on tag_acc and LAS), the task's main metrics with the CoNLL 2018 UFeats
    beside whole FEATS, UAS before LAS."""
    keys = list(TASKS[task].main_keys)
    if "tagger" in TASKS[task].pipeline and "tag_acc" not in keys:
        keys.insert(0, "tag_acc")
    if "morph_acc" in keys:
        keys.insert(keys.index("morph_acc") + 1, "ufeats_acc")
    return [key for key in keys if key != "las"] + (["uas", "las"] if "las" in keys else [])


def table(task: str, epochs: int, results: list[tuple[str, dict | None]]) -> str:
    """The Markdown table: one row per addition (its final-epoch scores, the main score and its
    change from the last row that ran); rows left out say what they need."""
    keys = columns(task)
    lines = [f"| {task}, {epochs} epochs | " + " | ".join(keys) + " | main | change |",
             "|---|" + "---|" * (len(keys) + 2)]
    previous = None
    for label, scores in results:
        if scores is None:
            lines.append(f"| {label} (left out: not given) |" + " - |" * (len(keys) + 2))
            continue
        main = main_score(TASKS[task], scores)
        change = "-" if previous is None else f"{main - previous:+.2f}"
        cells = [f"{scores[key]:.2f}" if key in scores else "-" for key in keys]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {main:.2f} | {change} |")
        previous = main
    return "\n".join(lines) + "\n"


def run_rows(task: str, rows: list[tuple[str, dict | None]], epochs: int, folder: Path) -> list[tuple[str, dict | None]]:
    """Each row's final-epoch scores (None for a row left out), its probe's output in `folder`."""
    results = []
    for i, (label, spec) in enumerate(rows, 1):
        history = run_probe(task, f"ablation-{i}", epochs, spec, folder / f"row{i}") if spec else None
        results.append((label, history[-1] if history else None))
    return results


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=sorted(LADDERS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vectors", default=None, help="model folder of `nlp init-vectors`")
    parser.add_argument("--tok2vec", default=None, help="tok2vec weights of `nlp pretrain` (model{i}.bin)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="read only N documents of each split")
    parser.add_argument("--out", type=Path, default=None, help="the Markdown table (default bench/out/ablation/TASK.md)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    out = args.out or HERE / "out" / "ablation" / f"{args.task}.md"
    base = {"seed": args.seed, **({"limit": args.limit} if args.limit else {})}
    rows = plan(args.task, {"vectors": args.vectors, "tok2vec": args.tok2vec}, base)
    results = run_rows(args.task, rows, args.epochs, out.with_suffix(""))
    text = table(args.task, args.epochs, results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf8")
    out.with_suffix(".json").write_text(json.dumps([{"row": label, "spec": spec, "scores": scores}
                                                    for (label, spec), (_, scores) in zip(rows, results)],
                                                   indent=2), encoding="utf8")
    print(text, flush=True)
    return text


if __name__ == "__main__":
    main()
