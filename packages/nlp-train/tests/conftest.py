"""Makes the stand-in pipeline (nlp_train_standin.py) importable by the tests, and registers
the component infos it and the tests look up by name."""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from nlp_train_standin import register_seed_infos  # noqa: E402

register_seed_infos()
