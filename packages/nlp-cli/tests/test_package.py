import nlp_cli


def test_version_is_semver():
    parts = nlp_cli.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)
