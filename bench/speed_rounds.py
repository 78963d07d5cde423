"""Annotation speed of both systems' saved models, in alternating rounds (#13's speed floor).

    PYTHONPATH=<spaCy's site> python bench/speed_rounds.py RUN_DIR TASK [--rounds 5]

RUN_DIR is a folder bench/run.py wrote (bench/out/SECTION, with ours/model-best and
spacy/model-best). The annotate phase of run.py times each system once, minutes apart, so a
neighbour's load on a shared machine can land on one side only. Here each round starts a fresh
process per system (ours first in odd rounds, spaCy first in even ones): the system's runner's
`speed` command, which loads its model-best and times `nlp.pipe` on the task's speed sample as
its annotate phase does (best of 3 passes, tasks.inference_speed, in the runner's own
environment). Each round's ratio pairs two measurements taken seconds apart; the median of those
ratios is the figure. Writes RUN_DIR/speed_rounds.json; `bench/run.py --speed-rounds N` runs it
after a run's annotate phases and puts the paragraph `describe` writes into the section.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tasks import RUNNER_SCRIPTS  # noqa: E402

SYSTEMS = ("ours", "spacy")


def measure(system: str, task: str, run_dir: Path) -> dict:
    """One fresh process's speed record for `system`: its runner's `speed` command."""
    folder = run_dir / system
    out = subprocess.run([sys.executable, RUNNER_SCRIPTS[system], "speed", task, str(folder)],
                         cwd=str(HERE), capture_output=True, text=True)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"speed_rounds: timing {system}'s model in {folder} failed: {last}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def rounds(run_dir: Path, task: str, n_rounds: int) -> list[dict]:
    """Each round's words/s of both systems, the order alternating between rounds."""
    results = []
    for index in range(n_rounds):
        order = SYSTEMS if index % 2 == 0 else SYSTEMS[::-1]
        wps = {system: measure(system, task, run_dir)["wps"] for system in order}
        results.append({"round": index + 1, "first": order[0], **wps, "ratio": wps["ours"] / wps["spacy"]})
        print(f"round {index + 1} ({order[0]} first): ours {wps['ours']:,.0f}  spacy {wps['spacy']:,.0f}  "
              f"ratio {results[-1]['ratio']:.2f}", flush=True)
    return results


def summary(results: list[dict]) -> dict:
    """The median of the paired ratios, and each system's best round."""
    best = {system: max(r[system] for r in results) for system in SYSTEMS}
    return {"median_ratio": statistics.median(r["ratio"] for r in results),
            "min_ratio": min(r["ratio"] for r in results), "max_ratio": max(r["ratio"] for r in results),
            "best_ours": best["ours"], "best_spacy": best["spacy"], "best_ratio": best["ours"] / best["spacy"]}


def measure_rounds(run_dir: Path, task: str, n_rounds: int) -> dict:
    """Time `n_rounds` alternating rounds of the run's two models; the record, also written to
    RUN_DIR/speed_rounds.json (where bench/run.py --report-only --speed-rounds reads it back)."""
    results = rounds(run_dir.resolve(), task, n_rounds)
    record = {"task": task, "rounds": results, **summary(results)}
    (run_dir / "speed_rounds.json").write_text(json.dumps(record, indent=2))
    return record


def describe(record: dict) -> str:
    """The record in one paragraph of BENCHMARKS.md."""
    per_round = ", ".join(f"{r['ratio']:.2f}x" for r in record["rounds"])
    return (f"Annotation speed in {len(record['rounds'])} alternating rounds (`bench/speed_rounds.py`: a fresh "
            f"process per system and round, best of 3 passes each, the first system alternating): paired "
            f"ratios {per_round}; median {record['median_ratio']:.2f}x; best rounds {record['best_ours']:,.0f} "
            f"(ours) against {record['best_spacy']:,.0f} (spaCy) words/s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("task")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(describe(measure_rounds(args.run_dir, args.task, args.rounds)))


if __name__ == "__main__":
    main()
