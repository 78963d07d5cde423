"""Atomic writes: a model folder (or an output file) is either complete or absent.

Each folder is written under a hidden temporary name in the same parent,
then renamed into place (``os.rename`` of a folder within one file system is
atomic).  Replacing an existing folder moves the old one aside first; if the
process dies between the two renames, :func:`recover` puts the old one back.
A file is written the same way (:func:`atomic_write_file`), and replaced by
one rename: a full disk or an error leaves the old file, never a truncated one.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

_STALE = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")


def _fsync_path(path: str | Path) -> None:
    """Flush one file, or one folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    """Flush every file (and folder entry) under ``path`` to disk."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            _fsync_path(os.path.join(root, name))
        _fsync_path(root)


def atomic_write_dir(target: Path, write: Callable[[Path], object], *, fsync: bool = True) -> Path:
    """Create folder ``target`` by calling ``write(tmp_path)``, then renaming.

    ``write`` may create ``tmp_path`` itself (as ``nlp.to_disk`` does) or
    expect it to exist: it is created empty beforehand.
    """
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    tmp = parent / f".{target.name}.tmp-{pid}"
    old = parent / f".{target.name}.old-{pid}"
    for stale in (tmp, old):
        if stale.exists():
            shutil.rmtree(stale)
    tmp.mkdir()
    try:
        write(tmp)
        if fsync:
            _fsync_tree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # an error, not a kill: clean up now
        raise
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    if fsync:
        _fsync_path(parent)
    if old.exists():
        shutil.rmtree(old)
    return target


def atomic_write_file(target: Path, write: Callable[[Path], object], *, fsync: bool = True) -> Path:
    """Create file ``target`` by calling ``write(tmp_path)`` on a hidden temporary file in
    the same folder, flushed to disk and then renamed over ``target``. If ``write`` fails (a
    full disk, bad input), the temporary file is removed and ``target`` is left as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        write(tmp)
        if fsync:
            _fsync_path(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if fsync:
        _fsync_path(target.parent)
    return target


def copy_dir_atomic(source: Path, target: Path) -> Path:
    """Copy folder ``source`` to ``target`` atomically (replacing it)."""

    def write(tmp: Path) -> None:
        shutil.copytree(source, tmp, dirs_exist_ok=True)

    return atomic_write_dir(target, write)


def _is_running(pid: int) -> bool:
    """Whether process ``pid`` exists (True when that cannot be told, so nothing of a live
    writer is ever removed; on Windows ``os.kill`` would end the process, so always True)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # e.g. another user's process: it exists
    return True


def _remove_stale_file(entry: Path, match: re.Match) -> str | None:
    """Delete ``entry``, a temporary file of :func:`atomic_write_file` (``.NAME.tmp-PID``)
    whose writer is no longer running (killed mid-write); None when it was left."""
    if match["kind"] != "tmp" or entry.is_symlink() or not entry.is_file() or _is_running(int(match["pid"])):
        return None
    entry.unlink(missing_ok=True)
    return f"removed the interrupted write {entry.name}"


def recover(folder: Path) -> list[str]:
    """Clean up after an interrupted save in ``folder``.

    Half-written temporary folders are deleted; a folder moved aside whose
    replacement never arrived is moved back; a half-written temporary file is
    deleted once the process that wrote it is gone.  Returns what was done.
    """
    actions: list[str] = []
    folder = Path(folder)
    if not folder.is_dir():
        return actions
    for entry in sorted(folder.iterdir()):
        match = _STALE.match(entry.name)
        if match is None:
            continue
        if not entry.is_dir() or entry.is_symlink():
            action = _remove_stale_file(entry, match)
            if action is not None:
                actions.append(action)
            continue
        final = folder / match["name"]
        if match["kind"] == "old" and not final.exists():
            os.rename(entry, final)
            actions.append(f"restored {final.name} from an interrupted replacement")
        else:
            shutil.rmtree(entry)
            actions.append(f"removed the interrupted save {entry.name}")
    return actions
