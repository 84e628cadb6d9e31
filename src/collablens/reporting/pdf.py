"""The PDF of a report, printed by headless Chromium so it matches what the page shows.

Printed through the DevTools protocol (`Page.printToPDF`) over a pipe, not with
`--print-to-pdf`: only the protocol lets the PDF carry page numbers ("Page 3 of 12" in
a footer), tags for its headings, paragraphs and tables (a tagged PDF, which screen
readers need) and a document outline built from the headings, as public bodies'
documents must (WCAG 2.2 AA). No library beyond the standard one: the pipe speaks
JSON messages ended by a NUL byte, on file descriptors 3 (to Chromium) and 4 (from it).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Headless, offline and quiet: no sandbox (CI runs as root), and no background calls home.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT = 120  # seconds for the whole print

#: The footer on every page. Chromium fills the spans; the footer is drawn in the page's
#: bottom margin (the report's `@page` rule leaves room for it).
FOOTER = (
    '<div style="width:100%;text-align:center;font-size:9px;color:#23313f;'
    "font-family:'DejaVu Sans',Arial,sans-serif\">"
    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
PRINT = {
    "printBackground": True,
    "preferCSSPageSize": True,
    "displayHeaderFooter": True,
    "headerTemplate": "<span></span>",
    "footerTemplate": FOOTER,
    "generateTaggedPDF": True,
    "generateDocumentOutline": True,
}


#: Run as `python -c MOVE_FDS READ WRITE EXE ARGS...`: Chromium's pipe ends put at 3 and 4.
MOVE_FDS = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


def find_chromium() -> str | None:
    env = os.environ.get("COLLABLENS_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


class _Pipe:
    """One DevTools session over Chromium's --remote-debugging-pipe."""

    def __init__(self, to_chromium: int, from_chromium: int, deadline: float) -> None:
        self.out, self.inp, self.deadline = to_chromium, from_chromium, deadline
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise RuntimeError("Chromium did not answer in time")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the connection")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            got = self._message()
            if got.get("id") == self.next_id:
                if "error" in got:
                    raise RuntimeError(f"{method}: {got['error'].get('message', got['error'])}")
                return dict(got.get("result", {}))
            self.events.append(got)

    def wait_for(self, event: str, session: str) -> None:
        while True:
            if any(e.get("method") == event and e.get("sessionId") == session for e in self.events):
                return
            self.events.append(self._message())


def _high(fds: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to descriptors above 9, so that putting them at 3 and 4 in the
    child never overwrites, or closes, one with the other."""
    out = []
    for fd in fds:
        out.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(fd)
    return out[0], out[1]


def html_to_pdf(html: Path, pdf: Path) -> None:
    """Print the HTML with headless Chromium, offline, so the PDF matches what the page shows:
    numbered pages, tagged, with an outline of its headings."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError(
            "making a PDF needs Chromium (apt-get install chromium), or set COLLABLENS_CHROMIUM "
            "to a Chrome/Chromium binary; the HTML report was written"
        )
    to_read, to_write = _high(os.pipe())  # Chromium reads commands on its fd 3
    from_read, from_write = _high(os.pipe())  # and writes answers on its fd 4
    with tempfile.TemporaryDirectory() as profile:
        # A small Python step moves the pipe's ends to 3 and 4 and becomes Chromium (no
        # preexec_fn: reports are also made in the web app's job threads, where forking
        # with a Python callback is unsafe; and sh cannot name descriptors above 9).
        cmd = [
            sys.executable,
            "-c",
            MOVE_FDS,
            str(to_read),
            str(from_write),
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        proc = subprocess.Popen(
            cmd,
            pass_fds=(to_read, from_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        os.close(to_read)
        os.close(from_write)
        try:
            data = _print(_Pipe(to_write, from_read, time.monotonic() + TIMEOUT), html)
        except (RuntimeError, OSError, ValueError) as exc:
            proc.kill()
            err = proc.communicate(timeout=30)[1].decode(errors="replace").strip()[-500:]
            raise RuntimeError(f"Chromium could not print {html} to PDF: {exc}. {err}") from None
        finally:
            os.close(to_write)
            os.close(from_read)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    from ..outputs import write_atomic

    write_atomic(pdf, data, "PDF")


def _print(pipe: _Pipe, html: Path) -> bytes:
    target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
    session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    pipe.call("Page.enable", session)
    pipe.call("Page.navigate", session, url=html.resolve().as_uri())
    pipe.wait_for("Page.loadEventFired", session)
    data = pipe.call("Page.printToPDF", session, **PRINT)["data"]
    with contextlib.suppress(RuntimeError):  # it may close as it answers: the PDF is here
        pipe.call("Browser.close")
    return base64.b64decode(data)
