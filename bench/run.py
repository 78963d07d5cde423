"""Side-by-side benchmarks against spaCy 3.8 (see BENCHMARKS.md)."""

import sys

if __name__ == "__main__":
    print(f"bench {' '.join(sys.argv[1:])}: not yet")
