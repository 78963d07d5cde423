"""Shared pytest set-up for every package's tests and the cross-package tests."""

import os
from pathlib import Path

import pytest

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "default", deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("default")
except ImportError:  # hypothesis is a test dependency; tests that need it import it themselves
    pass

SHARED_DATA = Path(os.environ.get("NLP_SHARED_DATA", Path(__file__).resolve().parent.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora folder (../shared/data); tests that need it skip, saying so, if absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real corpora not found at {SHARED_DATA} (set NLP_SHARED_DATA)")
    return SHARED_DATA
