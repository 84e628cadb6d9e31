"""The PDF of a report, printed by headless Chromium so it matches what the page shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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


def find_chromium() -> str | None:
    env = os.environ.get("COLLABLENS_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def html_to_pdf(html: Path, pdf: Path) -> None:
    """Print the HTML with headless Chromium, offline, so the PDF matches what the page shows."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError(
            "making a PDF needs Chromium (apt-get install chromium), or set COLLABLENS_CHROMIUM "
            "to a Chrome/Chromium binary; the HTML report was written"
        )
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"Chromium could not print {html} to PDF: {proc.stderr.strip()[-500:]}")
