"""Render a findings deck to PNG images, to look at the slides as people will see them.

    python scripts/render_deck.py findings.pptx [--out folder] [--dpi 60]

Needs LibreOffice (`soffice`, Debian's libreoffice-impress) and poppler's `pdftoppm`;
neither is needed to make a deck, only to look at one without PowerPoint.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("deck", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"{tool} is not installed (apt-get install libreoffice-impress poppler-utils)"
            )
    out = args.out or args.deck.with_suffix("")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(args.deck)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        pdf = Path(tmp) / (args.deck.stem + ".pdf")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(args.dpi), str(pdf), str(out / "slide")],
            check=True, timeout=300,
        )  # fmt: skip
    slides = sorted(out.glob("slide-*.png"))
    print(f"{len(slides)} slides in {out}")


if __name__ == "__main__":
    main()
