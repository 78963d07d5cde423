import nlp_gold


def test_version_is_semver():
    parts = nlp_gold.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)
