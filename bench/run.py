"""Run the side-by-side benchmarks and rewrite their sections of BENCHMARKS.md.

    python bench/run.py [ewt|conll|imdb|ud-ewt|ud-fi|micro|all ...] [--minutes M] [--seed S] [--preset P]
                        [--peer-preset P] [--vectors DIR] [--init-tok2vec FILE] [--speed-rounds N] [--out DIR]

For each task both systems train on the same train split for the same wall-clock budget, are scored
on the same dev split by the same scorer, and annotate the same raw text; every phase runs in its own
process (peak RSS per phase). The UD tasks (ud-ewt, ud-fi) train every CoNLL-U column (XPOS, UPOS,
FEATS, lemmas, the tree); ud-ewt is also scored on the dev split's raw text with the CoNLL 2018
metrics (ud_raw.py). Our side trains in the `efficiency` preset, what `nlp train` gives a user
who names none, against spaCy's `--optimize efficiency` config; `--preset accuracy` trains our
accuracy preset against spaCy's `--optimize accuracy` config, and `--peer-preset` gives spaCy's side
another one (`--preset accuracy --peer-preset efficiency`: the speed floor of issue #13, our accuracy
pipeline against spaCy's efficiency one in the same run). Neither side reads static vectors
unless `--vectors DIR` names a model folder of `nlp init-vectors`: ours reads it as `nlp train -v`
does, spaCy the same table converted by `spacy init vectors` (shared_vectors.py); `--init-tok2vec
FILE` starts our side's shared tok2vec from `nlp pretrain` weights (spaCy's side from scratch;
section suffix `-pretrained`). `--speed-rounds N` times the two saved models again in N
alternating rounds after both annotate phases (speed_rounds.py), for a speed ratio whose sides
ran seconds apart rather than minutes. `micro` runs the
tokenizer, reader and oracle scripts. Each task's section of BENCHMARKS.md sits between
`<!-- bench:NAME -->` markers and is replaced in place; NAME is the task's, with `-accuracy` for
the accuracy preset, `-vs-P` with another peer preset P, and `-vectors` with vectors (so the
efficiency sections stay as they are).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import speed_rounds  # noqa: E402
from shared_vectors import CACHE_ENV  # noqa: E402
from tasks import DATA, RUNNER_SCRIPTS, TASKS, main_score  # noqa: E402

# name, script, whether it takes --data/--json
MICRO = [
    ("tokenizer", "tokenizer.py", True),
    ("gold_read", "gold_read.py", True),
    ("oracle", "oracle.py", True),
    ("gemm", "gemm.py", False),
]


# The dev metrics shown for each component of a task's pipeline.
COMPONENT_KEYS = {
    "tagger": ("tag_acc",),
    "morphologizer": ("pos_acc", "morph_acc", "ufeats_acc"),
    "lemmatizer": ("lemma_acc",),
    "parser": ("uas", "las", "sents_f"),
    "ner": ("ents_p", "ents_r", "ents_f"),
    "textcat": ("textcat_acc", "textcat_macro_f"),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (`nproc`), {cpu}, Python {platform.python_version()}"


OUR_PACKAGES = ("nlp-vocab", "nlp-gold", "nlp-transitions", "nlp-models", "nlp-train", "nlp-cli")


def package_version(name: str) -> str | None:
    """The version of the code that runs: for our packages their `about.__version__` (an
    editable install's metadata keeps the version it was installed at), else the installed
    distribution's; None when absent."""
    from importlib.metadata import PackageNotFoundError, version

    if name in OUR_PACKAGES:
        try:
            return importlib.import_module(name.replace("-", "_") + ".about").__version__
        except ImportError:
            return None
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def versions() -> str:
    names = [*OUR_PACKAGES, "spacy", "thinc", "numpy"]
    return ", ".join(f"{name} {package_version(name) or '(absent)'}" for name in names)


def run(cmd: list[str]) -> None:
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=str(HERE))


def header(command: str) -> str:
    today = datetime.date.today().isoformat()
    return f"Measured {today} on {machine()}.\nVersions: {versions()}.\nCommand: `{command}`\n"


def first_time_reaching(log: list[dict], target: float, task) -> float | None:
    """Training seconds at which a per-evaluation log first reached `target` (main score)."""
    for row in log:
        if main_score(task, row["scores"]) >= target:
            return row["seconds"]
    return None


def fmt(value, digits=2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def difference(ours, theirs) -> str:
    if ours is None or theirs is None:
        return "-"
    return f"{ours - theirs:+.2f}"


def ratio(ours, theirs) -> str:
    if not ours or not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def recorded_header(name: str) -> str | None:
    """The Measured/Versions/Command lines of a task's current section, if it has one."""
    path = ROOT / "BENCHMARKS.md"
    start = f"<!-- bench:{name} -->"
    if not path.exists() or start not in path.read_text():
        return None
    block = path.read_text().split(start, 1)[1].split(f"<!-- /bench:{name} -->", 1)[0]
    lines = [line for line in block.splitlines() if line.startswith(("Measured ", "Versions: ", "Command: "))]
    return "\n".join(lines) + "\n" if len(lines) == 3 else None


def peer_preset(args) -> str:
    """spaCy's `--optimize` value: --peer-preset, else the one named like our preset."""
    return args.peer_preset or args.preset or "efficiency"


def variant(args) -> str:
    """What a run's section and output folder are named after besides the task: "" for the
    efficiency bench, "-accuracy" for that preset, "-vs-P" when spaCy's side trains another
    preset P, "-vectors" with static vectors, "-pretrained" when ours starts from pretrained
    tok2vec weights, "-seedS" for a seed other than 0 (so a second seed's
    run sits beside the first instead of replacing it)."""
    ours = args.preset or "efficiency"
    peer = peer_preset(args)
    return ((f"-{ours}" if ours != "efficiency" else "") + (f"-vs-{peer}" if peer != ours else "")
            + ("-vectors" if args.vectors else "") + ("-pretrained" if args.init_tok2vec else "")
            + (f"-seed{args.seed}" if args.seed else ""))



def variant_title(args) -> str:
    """The words a section's title adds for its variant."""
    words = f"our {args.preset or 'efficiency'} preset vs spaCy `--optimize {peer_preset(args)}`"
    words += f", static vectors {Path(args.vectors).name}" if args.vectors else ""
    words += f", ours from the pretrained tok2vec {Path(args.init_tok2vec).parent.name}" if args.init_tok2vec else ""
    return words + (f", seed {args.seed}" if args.seed else "")


def task_section(task, results: dict, command: str, head: str | None = None, title: str = "") -> str:
    ours_t, ours_a = results["ours"]["train"], results["ours"]["annotate"]
    sp_t, sp_a = results["spacy"]["train"], results["spacy"]["annotate"]
    ours_final = main_score(task, ours_a["scores"])
    sp_final = main_score(task, sp_a["scores"])
    ours_reach = first_time_reaching(ours_t["log"], sp_final, task)
    sp_reach = first_time_reaching(sp_t["log"], sp_final, task)
    lines = [f"## {task.name}{' (' + title + ')' if title else ''}: {', '.join(task.pipeline)} "
             f"({task.train}, dev {task.dev})", "",
             head or header(command), ""]
    if task.spacy_components != task.pipeline:
        lines += [f"spaCy's pipeline: {', '.join(task.spacy_components)}.", ""]
    lines += ["| figure | ours | spaCy 3.8 | ours / spaCy |", "|---|---|---|---|"]
    keys = [k for name in task.pipeline for k in COMPONENT_KEYS[name]]
    for key in keys:
        o, s = ours_a["scores"].get(key), sp_a["scores"].get(key)
        lines.append(f"| dev {key} (our scorer) | {fmt(o)} | {fmt(s)} | {difference(o, s)} |")
    rows = [
        ("main score (mean of " + ", ".join(task.main_keys) + ")", ours_final, sp_final),
        ("training wall time, s (evaluation excluded)", ours_t["train_seconds"], sp_t["train_seconds"]),
        ("training words/sec", ours_t["train_wps"], sp_t["train_wps"]),
        ("time to reach spaCy's final dev score, s", ours_reach, sp_reach),
        (speed_label(task), ours_a["wps"], sp_a["wps"]),
        ("peak RSS training, MB", ours_t["peak_rss_mb"], sp_t["peak_rss_mb"]),
        ("peak RSS annotating, MB", ours_a["peak_rss_mb"], sp_a["peak_rss_mb"]),
        ("model size on disk, MB", ours_a["model_mb"], sp_a["model_mb"]),
    ]
    for name, o, s in rows:
        lines.append(f"| {name} | {fmt(o)} | {fmt(s)} | {ratio(o, s)} |")
    own = ", ".join(f"{k} {fmt(v * 100 if isinstance(v, float) and v <= 1 else v)}"
                    for k, v in sp_a.get("spacy_scores", {}).items() if v is not None)
    lines += ["", f"spaCy's own scorer on its model: {own}.", ""]
    if "speed_rounds" in results:
        lines += [speed_rounds.describe(results["speed_rounds"]), ""]
    lines += raw_text_table(ours_a.get("conll18"), sp_a.get("conll18"))
    return "\n".join(lines)


def speed_label(task) -> str:
    """The inference row's name: what was timed (the whole dev split, or every k-th document)."""
    sample = f", every {task.speed_stride}th dev document" if task.speed_stride > 1 else ""
    return f"inference words/sec (raw text{sample}, batch 256, best of 3)"


def raw_text_table(ours: dict | None, theirs: dict | None) -> list[str]:
    """The lines of the CoNLL 2018 table (F1 of each metric; none when a side has no such scores)."""
    if not ours or not theirs:
        return []
    lines = ["Raw text, as `nlp evaluate --raw` scores it: each system's tokenizer, sentence "
             "splitter and pipeline on the dev split's text (each paragraph's `# text` lines joined "
             "by a space), scored with the CoNLL 2018 shared task's metrics (nlp_gold.conll18).", "",
             "| CoNLL 2018 F1 | ours | spaCy 3.8 | ours - spaCy |", "|---|---|---|---|"]
    for metric in [m for m in ours if m in theirs]:
        o, s = ours[metric].get("f"), theirs[metric].get("f")
        lines.append(f"| {metric} | {fmt(o)} | {fmt(s)} | {difference(o, s)} |")
    return lines + [""]


def run_task(name: str, args) -> tuple[str, str]:
    """Train and annotate with both systems (unless --report-only); the section's name and text."""
    task = TASKS[name]
    section = name + variant(args)
    out = Path(args.out) / section
    results: dict = {}
    vectors = ["--vectors", str(Path(args.vectors).resolve())] if args.vectors else []
    presets = {"spacy": ["--preset", peer_preset(args)] if args.preset or args.peer_preset else [],
               "ours": (["--preset", args.preset] if args.preset else [])
               + (["--init-tok2vec", str(Path(args.init_tok2vec).resolve())] if args.init_tok2vec else [])}
    for system, script in RUNNER_SCRIPTS.items():
        folder = out / system
        if not args.report_only:
            run([sys.executable, script, "train", name, str(folder), "--minutes", str(args.minutes),
                 "--seed", str(args.seed), *presets[system], *vectors])
            run([sys.executable, script, "annotate", name, str(folder)])
        results[system] = {phase: json.loads((folder / f"{phase}.json").read_text())
                           for phase in ("train", "annotate")}
    rounds_file = out / "speed_rounds.json"
    if args.speed_rounds and not args.report_only:
        results["speed_rounds"] = speed_rounds.measure_rounds(out, name, args.speed_rounds)
    elif args.speed_rounds and rounds_file.is_file():
        results["speed_rounds"] = json.loads(rounds_file.read_text())
    head = recorded_header(section) if args.report_only else None
    title = variant_title(args) if variant(args) else ""
    return section, task_section(task, results, args.command, head, title)


def run_micro(args) -> str:
    out = Path(args.out) / "micro"
    out.mkdir(parents=True, exist_ok=True)
    parts = ["## micro-benchmarks", "", header(args.command), ""]
    for name, script, takes_data in MICRO:
        printed = out / f"{name}.txt"
        cmd = [sys.executable, script]
        if takes_data:
            cmd += ["--data", str(DATA), "--json", str(out / f"{name}.json")]
        with open(printed, "w") as f:
            print("$", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, cwd=str(HERE), stdout=f)
        text = printed.read_text().strip()
        body = text if text.lstrip().startswith("|") else f"```\n{text}\n```"
        parts += [f"### {name} (`python bench/{script}`)", "", body, ""]
    return "\n".join(parts)


def replace_section(name: str, body: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    elif "<!-- /bench:" in text:  # a new section goes after the last one, before the notes
        last = text.rindex("<!-- /bench:")
        cut = text.index("-->", last) + len("-->")
        text = text[:cut] + "\n\n" + block + text[cut:]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


@contextlib.contextmanager
def vectors_cache(args) -> Iterator[None]:
    """With --vectors, a folder of this run where spaCy's side converts them once per language
    for every task (shared_vectors.CACHE_ENV, which the runners inherit); removed at the end."""
    if not args.vectors or args.report_only:
        yield
        return
    Path(args.out).mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="spacy-vectors-", dir=args.out)
    os.environ[CACHE_ENV] = folder
    try:
        yield
    finally:
        del os.environ[CACHE_ENV]
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="*", default=["all"])
    parser.add_argument("--minutes", type=float, default=30.0, help="training budget per task per system")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preset", default=None, choices=["efficiency", "accuracy"],
                        help="our side's preset (nlp_models.presets; default: efficiency, what `nlp train` "
                             "uses) against spaCy's `--optimize` of the same name")
    parser.add_argument("--peer-preset", default=None, choices=["efficiency", "accuracy"],
                        help="spaCy's `--optimize` value when it is not our preset's name")
    parser.add_argument("--vectors", default=None,
                        help="both sides read these static vectors: a model folder of `nlp init-vectors`")
    parser.add_argument("--init-tok2vec", default=None,
                        help="our side's shared tok2vec starts from these `nlp pretrain` weights (model{i}.bin, "
                             "built with the same preset and vectors); the pretraining time is not in the budget")
    parser.add_argument("--speed-rounds", type=int, default=0,
                        help="after both annotate phases, time the two saved models again in this many "
                             "alternating rounds (bench/speed_rounds.py) and report the paired ratios")
    parser.add_argument("--out", default=str(HERE / "out"))
    parser.add_argument("--report-only", action="store_true",
                        help="rebuild the sections from the JSON of an earlier run")
    parser.add_argument("--as-command", default=None,
                        help="with --report-only: the command that produced that run")
    args = parser.parse_args()
    args.command = args.as_command or (
        "nox -s bench -- " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "nox -s bench")
    names = list(TASKS) + ["micro"] if "all" in args.tasks else args.tasks
    if not DATA.is_dir():
        sys.exit(f"bench: the corpora folder {DATA} is missing (set NLP_SHARED_DATA)")
    if args.init_tok2vec and not Path(args.init_tok2vec).is_file():
        sys.exit(f"bench: --init-tok2vec {args.init_tok2vec} is not a file (weights of `nlp pretrain`)")
    if args.vectors and not (Path(args.vectors) / "meta.json").is_file():
        sys.exit(f"bench: --vectors {args.vectors} is not a model folder (make one with `nlp init-vectors`)")
    with vectors_cache(args):
        for name in names:
            if name == "micro":
                replace_section("micro", run_micro(args))
            elif name in TASKS:
                replace_section(*run_task(name, args))
            else:
                sys.exit(f"bench: unknown task '{name}' (choose from {', '.join(TASKS)}, micro, all)")


if __name__ == "__main__":
    main()
