"""Serving one page on 127.0.0.1 with the standard library's http.server, for `--serve PORT`:
only this machine can reach it, it answers GET and HEAD of / with the page, and Ctrl-C stops it
with one line."""

from __future__ import annotations

import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ._errors import fail

HOST = "127.0.0.1"
#: The page is ours and has no script: the browser is told to run none and load nothing else.
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class PageHandler(BaseHTTPRequestHandler):
    """Answers / (and /index.html) with `page`, anything else with 404."""

    page: bytes = b""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        if urlsplit(self.path).path not in ("/", "/index.html"):
            self.send_error(404, "Not found: this server has one page, at /")
            return
        self.send_response(200)
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        if with_body:
            self.wfile.write(self.page)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a request line per fetch would bury the one line saying where the page is."""


def check_port(port: int) -> int:
    """`port` if it can name a TCP port (0: any free one); a UserError otherwise."""
    if not 0 <= port <= 65535:
        fail(f"--serve {port}: a port is a number in 0-65535 (0: any free port)")
    return port


def serve_page(page: str, port: int, what: str) -> None:
    """Serve `page` at http://127.0.0.1:PORT/ until Ctrl-C (port 0: a free port, printed)."""
    check_port(port)
    handler = type("Handler", (PageHandler,), {"page": page.encode("utf8")})
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as err:
        fail(f"--serve {port}: cannot listen on {HOST}:{port} ({err.strerror or err})")
    # Python leaves SIGINT ignored when the process started with it ignored (a job started in the
    # background by a non-interactive shell): Ctrl-C, or a kill -INT, must stop the server anyway.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with server:
        url = f"http://{HOST}:{server.server_address[1]}/"
        print(f"ℹ Serving {what} at {url} (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("✔ Stopped serving", flush=True)
