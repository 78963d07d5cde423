"""Cross-package checks: every package imports and declares a version."""

import importlib

import pytest

PACKAGES = ["nlp_vocab", "nlp_gold", "nlp_transitions", "nlp_train", "nlp_models", "nlp_cli"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_imports_with_version(name):
    module = importlib.import_module(name)
    assert module.__version__.count(".") == 2
