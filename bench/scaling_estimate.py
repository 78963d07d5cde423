"""Paper estimate of data-parallel scaling (#19): where N workers stop paying.

    python bench/scaling_estimate.py [--grad-mb 6.6] [--step-ms 150] [--adam-ms 11] [--gbit 10]
                                     [--latency-us 50] [--batches 128,1024]

A step of one process on a global batch of B sentences costs `step_ms * B / 128` of compute plus
the optimizer step (`adam_ms`, on every parameter). With N workers each computes 1/N of the batch,
then the gradients are all-reduced (a ring: each worker sends and receives 2 (N-1)/N of the
gradient's bytes, in 2 (N-1) messages of `latency_us` each), then every worker applies the full
optimizer step (as nlp_train.data_parallel does today) or 1/N of it (a sharded step). The default
figures are the measured ones of BENCHMARKS.md's scale section (EWT tagger+parser, efficiency
preset: 6.6 MB of float32 gradients; 150 ms a 128-sentence step on one core of this machine).
"""

from __future__ import annotations

import argparse


def step_ms(n: int, batch: int, args: argparse.Namespace, sharded: bool) -> float:
    compute = args.step_ms * batch / 128 / n
    optimizer = args.adam_ms / n if sharded else args.adam_ms
    if n == 1:
        return compute + optimizer
    bytes_moved = 2 * (n - 1) / n * args.grad_mb * 1e6
    network = bytes_moved / (args.gbit * 1e9 / 8) * 1e3 + 2 * (n - 1) * args.latency_us / 1e3
    return compute + optimizer + network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grad-mb", type=float, default=6.6)
    parser.add_argument("--step-ms", type=float, default=150.0)
    parser.add_argument("--adam-ms", type=float, default=11.0)
    parser.add_argument("--gbit", type=float, default=10.0)
    parser.add_argument("--latency-us", type=float, default=50.0)
    parser.add_argument("--batches", default="128,1024")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    header = ["N"] + [f"B={b} {kind}" for b in batches for kind in ("full step", "sharded step")]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for n in (2, 4, 8, 16, 32, 64):
        cells = [str(n)]
        for batch in batches:
            for sharded in (False, True):
                one = step_ms(1, batch, args, sharded)
                cells.append(f"{one / step_ms(n, batch, args, sharded):.1f}x")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
