"""Entry point of the `nlp` command (also `python -m nlp_cli`)."""

import sys

COMMANDS = ("train", "convert", "pretrain", "evaluate", "init-vectors", "package", "debug-data")


def main() -> None:
    """Dispatch to a sub-command; none is implemented yet in this release."""
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: nlp {" + ",".join(COMMANDS) + "} ...")
        sys.exit(0)
    print(f"nlp {sys.argv[1]}: not yet implemented", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
