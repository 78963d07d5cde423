"""Crop a browser screenshot to its content: read an 8-bit PNG, find where it differs from its
background, write that box (plus a margin) as a new PNG.

Chromium's --screenshot captures the whole window; the README's pictures want the drawing alone.
Only numpy and the standard library (zlib, struct): the picture script needs no imaging package.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel (8-bit, no palette)


def _chunks(data: bytes, path: Path) -> dict[bytes, bytes]:
    """The PNG's chunks by type, the IDAT ones joined."""
    if data[:8] != SIGNATURE:
        raise ValueError(f"{path}: not a PNG file")
    found: dict[bytes, bytes] = {}
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        found[kind] = found.get(kind, b"") + data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return found


def _sequential(kind: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """Undo the Average (3) or Paeth (4) filter of one row, byte by byte (each needs its left)."""
    out = line.tolist()
    up = prev.tolist()
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (out[i] + ((left + up[i]) >> 1)) & 0xFF
            continue
        corner = up[i - bpp] if i >= bpp else 0
        guess = left + up[i] - corner
        dl, du, dc = abs(guess - left), abs(guess - up[i]), abs(guess - corner)
        near = left if dl <= du and dl <= dc else (up[i] if du <= dc else corner)
        out[i] = (out[i] + near) & 0xFF
    return np.array(out, dtype=np.uint8)


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> np.ndarray:
    """The rows of pixel bytes from the decompressed, filtered PNG stream."""
    stride = width * bpp
    rows = np.empty((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:
            row = (np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64) % 256).astype(np.uint8).ravel()
        elif kind == 2:
            row = line + prev
        elif kind in (3, 4):
            row = _sequential(kind, line, prev, bpp)
        else:
            raise ValueError(f"unknown PNG row filter {kind}")
        rows[y] = row
        prev = row
    return rows


def read_png(path: Path) -> np.ndarray:
    """Pixels of an 8-bit, non-interlaced grey/RGB(A) PNG as an array (height, width, channels)."""
    chunks = _chunks(Path(path).read_bytes(), Path(path))
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"{path}: only 8-bit, non-interlaced grey/RGB(A) PNGs are read")
    bpp = CHANNELS[colour]
    rows = _unfilter(zlib.decompress(chunks[b"IDAT"]), width, height, bpp)
    return rows.reshape(height, width, bpp)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_png(path: Path, pixels: np.ndarray) -> None:
    """Write (height, width, channels) uint8 pixels as a PNG, every row Up-filtered."""
    height, width, bpp = pixels.shape
    colour = {v: k for k, v in CHANNELS.items()}[bpp]
    flat = pixels.reshape(height, width * bpp)
    filtered = np.empty((height, width * bpp + 1), dtype=np.uint8)
    filtered[:, 0] = 2
    filtered[0, 1:] = flat[0]
    filtered[1:, 1:] = flat[1:] - flat[:-1]  # uint8 arithmetic wraps, as the filter wants
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    body = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(filtered.tobytes(), 9))
    Path(path).write_bytes(SIGNATURE + body + _chunk(b"IEND", b""))


def content_box(pixels: np.ndarray, margin: int = 16) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) around every pixel unlike the top-left one, grown by `margin`
    and kept inside the picture; the whole picture if it is one colour."""
    differs = np.any(pixels != pixels[0, 0], axis=2)
    ys, xs = np.nonzero(differs)
    height, width = differs.shape
    if len(ys) == 0:
        return 0, 0, height, width
    return (max(0, int(ys.min()) - margin), max(0, int(xs.min()) - margin),
            min(height, int(ys.max()) + 1 + margin), min(width, int(xs.max()) + 1 + margin))


def last_background_row(pixels: np.ndarray, limit: int) -> int:
    """The last row before `limit` that is all background (the top-left colour), so a cut there
    never halves a line of text or a drawing; `limit` itself if there is none."""
    differs = np.any(pixels[:limit] != pixels[0, 0], axis=2).any(axis=1)
    blank = np.flatnonzero(~differs)
    return int(blank[-1]) + 1 if len(blank) else limit


def crop_png(src: Path, dst: Path, margin: int = 16, max_rows: int | None = None) -> tuple[int, int]:
    """Write `src` cropped to its content to `dst`; its (width, height). With `max_rows`, only the
    screenshot's first rows are kept, cut at a background row."""
    pixels = read_png(src)
    if max_rows is not None and max_rows < len(pixels):
        pixels = pixels[:last_background_row(pixels, max_rows)]
    top, left, bottom, right = content_box(pixels, margin)
    write_png(dst, np.ascontiguousarray(pixels[top:bottom, left:right]))
    return right - left, bottom - top
