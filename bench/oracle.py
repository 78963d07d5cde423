"""Speed of the transition systems' C oracle loops over the real training corpora.

    python bench/oracle.py [--data DIR] [--json OUT] [--repeats N]

Reads UD English-EWT train (projectivized) and CoNLL-2003 train, builds the gold arrays and
the initial states outside the clock, then times only `follow_oracle`: the C loop that asks
the oracle for an action and applies it, until every state is final. Prints transitions/sec
(best of N runs, one core). Also times the batch API a trainer uses per step
(`set_costs` + `apply_batch` on batches of 256 documents), reported separately.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packages" / "nlp-transitions" / "tests"))

from transitions_testing import projectivize, read_conll2003, read_conllu  # noqa: E402

from nlp_transitions import ArcEager, BiluoPushDown  # noqa: E402


def time_oracle(system, lengths, golds, repeats):
    best = float("inf")
    n = 0
    for _ in range(repeats):
        states = system.init_batch(lengths)
        start = time.perf_counter()
        n = system.follow_oracle(states, golds)
        best = min(best, time.perf_counter() - start)
    return n, best


def time_batch_api(system, lengths, golds, batch_size=256):
    """Per-step loop of a trainer: costs for the whole batch, then one action per state."""
    total = 0
    elapsed = 0.0
    for i in range(0, len(lengths), batch_size):
        states = system.init_batch(lengths[i:i + batch_size])
        bgolds = golds[i:i + batch_size]
        costs = numpy.zeros((len(bgolds), system.n_actions), dtype="float32")
        start = time.perf_counter()
        while states.n_final < len(bgolds):
            system.set_costs(states, bgolds, costs)
            actions = costs.argmin(axis=1).astype("int32")
            total += len(bgolds) - states.n_final
            system.apply_batch(states, actions)
        elapsed += time.perf_counter() - start
    return total, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    results = {}
    ewt_path = args.data / "ud-en-ewt" / "ewt-train.conllu"
    sents = [projectivize(h, lab) for h, lab in read_conllu(ewt_path)]
    arc_eager = ArcEager(root_label="root")
    for _, labels in sents:
        for label in labels:
            if label != "root":
                arc_eager.add_label(label)
    golds = [arc_eager.make_gold(h, lab) for h, lab in sents]
    lengths = [len(h) for h, _ in sents]
    n, secs = time_oracle(arc_eager, lengths, golds, args.repeats)
    results["arc_eager_oracle"] = {"sentences": len(sents), "transitions": n, "seconds": secs,
                                   "transitions_per_sec": n / secs}
    print(f"arc-eager oracle, EWT train: {len(sents)} sentences, {n} transitions in {secs:.4f} s "
          f"= {n / secs:,.0f} transitions/sec")
    n, secs = time_batch_api(arc_eager, lengths, golds)
    results["arc_eager_batch_api"] = {"steps": n, "seconds": secs, "state_steps_per_sec": n / secs,
                                      "n_actions": arc_eager.n_actions}
    print(f"arc-eager batch API (set_costs over {arc_eager.n_actions} actions + apply_batch, batch 256): "
          f"{n / secs:,.0f} state-steps/sec")

    conll_path = args.data / "conll2003" / "train.txt"
    if conll_path.exists():
        tag_seqs = read_conll2003(conll_path)
        ner = BiluoPushDown()
        for tags in tag_seqs:
            for tag in tags:
                if tag != "O":
                    ner.add_label(tag[2:])
        golds = [ner.make_gold(tags) for tags in tag_seqs]
        lengths = [len(t) for t in tag_seqs]
        n, secs = time_oracle(ner, lengths, golds, args.repeats)
        results["biluo_oracle"] = {"sentences": len(tag_seqs), "transitions": n, "seconds": secs,
                                   "transitions_per_sec": n / secs}
        print(f"BILUO oracle, CoNLL-2003 train: {len(tag_seqs)} sentences, {n} transitions in {secs:.4f} s "
              f"= {n / secs:,.0f} transitions/sec (includes the per-sentence cost table)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
