import nlp_cli


def test_version_is_semver():
    parts = nlp_cli.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)


def test_commands_are_exported_lazily():
    import subprocess
    import sys

    code = "import sys, nlp_cli; assert 'numpy' not in sys.modules; print(nlp_cli.get_command('init-vectors').__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "init_vectors" and issubclass(nlp_cli.UserError, Exception)
    assert callable(nlp_cli.main) and "debug-data" in nlp_cli.COMMANDS
