import nlp_train


def test_version_is_semver():
    parts = nlp_train.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)
