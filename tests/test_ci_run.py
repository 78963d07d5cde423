""".ci/run: it installs Debian's chromium when missing, never fails the run when it cannot (the
reason goes to NLP_BROWSER_MISSING for the browser tests to show), then runs exactly the README's
test command. Run with stand-ins for apt-get, sudo, id, python3 and nox on a PATH of their own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CI_RUN = REPO / ".ci" / "run"
README_COMMAND = "python3 -m pip install nox && nox -s tests"
# python3 and nox stand-ins: record their arguments and what .ci/run exported.
RECORDER = '#!/bin/bash\necho "$(basename "$0") $* | CI=$CI | MISSING=$NLP_BROWSER_MISSING" >> "$LOG"\n'


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(body)
    path.chmod(0o755)


def run_ci(tmp_path: Path, *, uid: int = 0, apt: str | None = "ok", sudo: bool = False,
           chromium: bool = False) -> tuple[list[str], str]:
    """Run .ci/run; (the recorded python3/nox/apt-get calls, stderr)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "dirname", "basename"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    stub(bin_dir, "id", f"#!/bin/bash\necho {uid}\n")
    for name in ("python3", "nox"):
        stub(bin_dir, name, RECORDER)
    if apt is not None:
        fail_install = 'exit 100' if apt == "fails" else 'exit 0'
        stub(bin_dir, "apt-get", f'#!/bin/bash\necho "apt-get $*" >> "$LOG"\n[ "$1" = update ] && exit 0\n{fail_install}\n')
    if sudo:
        stub(bin_dir, "sudo", '#!/bin/bash\n[ "$1" = -n ] && shift\necho "sudo $1" >> "$LOG"\n"$@"\n')
    if chromium:
        stub(bin_dir, "chromium", "#!/bin/bash\nexit 0\n")
    log = tmp_path / "calls.log"
    proc = subprocess.run([str(bin_dir / "bash"), str(CI_RUN)], capture_output=True, text=True,
                          env={"PATH": str(bin_dir), "LOG": str(log)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return log.read_text().splitlines(), proc.stderr


def test_ci_runs_the_readme_test_command():
    assert CI_RUN.read_text().rstrip().splitlines()[-1] == README_COMMAND
    assert f"{README_COMMAND}    #" in (REPO / "README.md").read_text()


def test_installs_chromium_as_root_then_runs_the_tests(tmp_path):
    calls, err = run_ci(tmp_path)
    assert calls == ["apt-get update -qq", "apt-get install -y -qq chromium",
                     "python3 -m pip install nox | CI=true | MISSING=", "nox -s tests | CI=true | MISSING="]
    assert "ci: chromium installed" in err


def test_uses_sudo_when_not_root(tmp_path):
    calls, _ = run_ci(tmp_path, uid=1000, sudo=True)
    assert calls[:5] == ["sudo true", "sudo env", "apt-get update -qq", "sudo env",
                         "apt-get install -y -qq chromium"]
    assert calls[-1] == "nox -s tests | CI=true | MISSING="


@pytest.mark.parametrize(("options", "why"), [
    ({"apt": "fails"}, "apt-get install chromium failed"),
    ({"apt": None}, "no apt-get (not a Debian-like system)"),
    ({"uid": 1000}, "not root and no password-less sudo to run apt-get"),
])
def test_an_impossible_install_never_fails_the_run(tmp_path, options, why):
    calls, err = run_ci(tmp_path, **options)
    missing = f"could not install chromium in CI: {why}"
    assert calls[-2:] == [f"python3 -m pip install nox | CI=true | MISSING={missing}",
                          f"nox -s tests | CI=true | MISSING={missing}"]
    assert f"ci: {missing}; the browser tests will skip" in err


def test_nothing_is_installed_when_chromium_is_there(tmp_path):
    calls, err = run_ci(tmp_path, chromium=True)
    assert calls == ["python3 -m pip install nox | CI=true | MISSING=", "nox -s tests | CI=true | MISSING="]
    assert err == ""
