"""Headless Chromium for the picture tests: open a local page, read its console, screenshot, DOM.

Only the standard library and chromium's own command line: ``--screenshot`` and ``--dump-dom``
with ``--enable-logging=stderr``, where every console message and uncaught error of the page is a
stderr line containing ``:CONSOLE(`` or ``INFO:CONSOLE``. Each run gets a fresh profile folder so
runs never share state. Used by tests/test_pictures_browser.py and examples/make_pictures.py.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CONSOLE_MARKERS = (":CONSOLE(", "INFO:CONSOLE")
# Quiet, offline, single-use: no sandbox (CI runs as root), no GPU, nothing fetched or synced.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0")
# Set by .ci/run when it could not install the browser: the reason the picture tests skip.
MISSING_REASON_VAR = "NLP_BROWSER_MISSING"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class BrowserError(RuntimeError):
    """Chromium did not start, timed out, or left no screenshot."""


@dataclass(frozen=True)
class PageView:
    """What the browser made of one page: its screenshot, its DOM after loading, its console."""

    png: Path
    dom: str
    console: list[str]


def find_browser() -> str | None:
    """The chromium executable ($NLP_CHROMIUM, else the first of BROWSERS on PATH), or None."""
    chosen = os.environ.get("NLP_CHROMIUM")
    if chosen:
        return shutil.which(chosen)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_reason() -> str:
    """Why there is no browser: .ci/run's note when it tried to install one, else how to get one."""
    note = os.environ.get(MISSING_REASON_VAR, "").strip()
    if note:
        return note
    chosen = os.environ.get("NLP_CHROMIUM")
    if chosen:
        return f"NLP_CHROMIUM={chosen} is not an executable on PATH"
    return "no chromium on PATH (Debian: apt-get install chromium; or set NLP_CHROMIUM)"


def run_browser(browser: str, url: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """One headless chromium run on `url` with a fresh profile; stdout and stderr as text."""
    with tempfile.TemporaryDirectory(prefix="nlp-chromium-", ignore_cleanup_errors=True) as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args, url]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"{browser} did not finish {url} within {timeout:.0f}s") from exc


def console_messages(stderr: str) -> list[str]:
    """The stderr lines that are the page's console messages or uncaught errors."""
    return [line for line in stderr.splitlines() if any(m in line for m in CONSOLE_MARKERS)]


def open_page(page: Path, png: Path, size: tuple[int, int] = (1200, 900),
              browser: str | None = None) -> PageView:
    """Load `page` twice (a screenshot into `png`, then the DOM) and gather both consoles."""
    browser = browser or find_browser()
    if browser is None:
        raise BrowserError(missing_reason())
    url = Path(page).resolve().as_uri()
    png = Path(png).resolve()
    png.unlink(missing_ok=True)
    shot = run_browser(browser, url, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}")
    if not png.is_file():
        raise BrowserError(f"{browser} wrote no screenshot of {page} (exit {shot.returncode}): "
                           f"{shot.stderr.strip()[-800:]}")
    dom = run_browser(browser, url, "--dump-dom")
    if dom.returncode != 0 or not dom.stdout.strip():
        raise BrowserError(f"{browser} gave no DOM for {page} (exit {dom.returncode}): "
                           f"{dom.stderr.strip()[-800:]}")
    console = console_messages(shot.stderr) + console_messages(dom.stderr)
    return PageView(png=png, dom=dom.stdout, console=console)


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR header; ValueError if the file is no PNG."""
    head = Path(path).read_bytes()[:24]
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


class _TagCounter(HTMLParser):
    """Counts start tags, as `tag` and as `tag.class` for each of the element's classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] += 1
        for name, value in attrs:
            if name == "class" and value:
                for cls in value.split():
                    self.counts[f"{tag}.{cls}"] += 1

    handle_startendtag = handle_starttag


def count_elements(dom: str) -> Counter[str]:
    """Element counts of a DOM dump: ``counts["mark"]``, ``counts["path.arc"]``, ``counts["table"]``."""
    counter = _TagCounter()
    counter.feed(dom)
    counter.close()
    return counter.counts
