"""Atomic folder writes: a model folder is either complete or absent.

Each folder is written under a hidden temporary name in the same parent,
then renamed into place (``os.rename`` of a folder within one file system is
atomic).  Replacing an existing folder moves the old one aside first; if the
process dies between the two renames, :func:`recover` puts the old one back.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

_STALE = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")


def _fsync_tree(path: Path) -> None:
    """Flush every file (and folder entry) under ``path`` to disk."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        _fsync_tree_entry(parent)
    if old.exists():
        shutil.rmtree(old)
    return target


def _fsync_tree_entry(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_dir_atomic(source: Path, target: Path) -> Path:
    """Copy folder ``source`` to ``target`` atomically (replacing it)."""

    def write(tmp: Path) -> None:
        shutil.copytree(source, tmp, dirs_exist_ok=True)

    return atomic_write_dir(target, write)


def recover(folder: Path) -> list[str]:
    """Clean up after an interrupted save in ``folder``.

    Half-written temporary folders are deleted; a folder moved aside whose
    replacement never arrived is moved back.  Returns what was done.
    """
    actions: list[str] = []
    folder = Path(folder)
    if not folder.is_dir():
        return actions
    for entry in sorted(folder.iterdir()):
        match = _STALE.match(entry.name)
        if match is None or not entry.is_dir():
            continue
        final = folder / match["name"]
        if match["kind"] == "old" and not final.exists():
            os.rename(entry, final)
            actions.append(f"restored {final.name} from an interrupted replacement")
        else:
            shutil.rmtree(entry)
            actions.append(f"removed the interrupted save {entry.name}")
    return actions
