"""examples/seed/bootstrap_ner_with_matcher.py, run as a user runs it: the matcher's candidates
become the documented training examples, and an NER trained on them finds those entities."""

import ast
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "seed" / "bootstrap_ner_with_matcher.py"

EXPECTED = [
    ("Uber blew through $1 million a week", [(0, 4, "ORG"), (18, 28, "MONEY")]),
    ("Google Maps launches location sharing", [(0, 11, "PRODUCT")]),
    ("Google rebrands its business apps", [(0, 6, "ORG")]),
    ("look what i found on google!", [(21, 27, "ORG")]),
    ("Spotify steps up its expansion in Asia", [(0, 7, "ORG")]),
    ("I paid $20 for Spotify last year", [(7, 10, "MONEY"), (15, 22, "ORG")]),
    ("Uber and Lyft drivers met in the city", [(0, 4, "ORG"), (9, 13, "ORG")]),
    ("The new Google Maps update costs nothing", [(8, 19, "PRODUCT")]),
    ("Analysts expect Uber to spend $2 billion", [(16, 20, "ORG"), (30, 40, "MONEY")]),
    ("She searched google for cheap flights", [(13, 19, "ORG")]),
]


def test_bootstrap_script_turns_matches_into_training_examples_and_trains():
    run = subprocess.run([sys.executable, str(SCRIPT), "-n", "15"], capture_output=True, text=True,
                         cwd=SCRIPT.parent, timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    # the guide's table: text | entity | start | end | label, one row per bootstrapped entity
    table = [line for line in lines if line.count(" | ") == 4]
    assert table == [f"{text} | {text[s:e]} | {s} | {e} | {label}" for text, ents in EXPECTED for s, e, label in ents]
    train_line = next(line for line in lines if line.startswith("TRAIN_DATA = "))
    assert ast.literal_eval(train_line.split(" = ", 1)[1]) == [
        (text, {"entities": ents}) for text, ents in EXPECTED
    ]
    losses = [ast.literal_eval(line.split(" ", 1)[1])["ner"] for line in lines if line.startswith("Losses ")]
    assert len(losses) == 15 and losses[-1] < losses[0] / 20
    found = {}
    for line in lines:
        if line.startswith("Entities in "):
            text, ents = line[len("Entities in "):].split(": ", 1)
            found[ast.literal_eval(text)] = ast.literal_eval(ents)
    recovered = sum(found[text] == [(text[s:e], label) for s, e, label in ents] for text, ents in EXPECTED)
    assert recovered >= 9, found
    assert "Lyft paid $5 million for a Google Maps licence" in found
