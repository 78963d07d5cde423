import nlp_models


def test_version_is_semver():
    parts = nlp_models.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)
