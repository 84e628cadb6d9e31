"""Fictional interviews for the demo: written as the tools write them, imported, coded
blind by two simulated people, so the report's interviews section, agreement and the
deck have something to show.

The interviews (`interviews.yaml`) carry the code a careful reader would give each
sentence. Two simulated coders start from it: "Dana Reid", the lead coder, codes every
passage as written there; "Sam Okoro" double-codes every other passage and slips on about
one in five (a slip is another factor, or none). Their codes go through the same blind-coding
path a person's do, so agreement between them, and with the model, is measured as it
would be for real coders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import yaml

from ..framework import Framework
from ..interviews.importer import import_transcript
from ..store import Store
from ..text.coding import blind_queue, set_human_codes
from ..vocabulary import DEMO_SEED

CODERS = (("Dana Reid", 0.0, 1.0), ("Sam Okoro", 0.2, 0.5))


@cache
def demo_interviews() -> dict:
    return yaml.safe_load((Path(__file__).parent / "interviews.yaml").read_text(encoding="utf-8"))


def _turns(interview: dict, interviewer: str) -> list[tuple[str, str]]:
    out = []
    for t in interview["turns"]:
        if "q" in t:
            out.append((interviewer, t["q"]))
        else:
            out.append((interview["name"], " ".join(s for s, _ in t["a"])))
    return out


def _write(path: Path, fmt: str, turns: list[tuple[str, str]]) -> Path:
    """One interview as a typed transcript, a Teams caption file or a Word document,
    written whole or not at all (`outputs.atomic_path`), as every output is."""
    from ..outputs import atomic_path

    with atomic_path(path, "demo transcript") as tmp:
        _write_to(tmp, fmt, turns)
    return path


def _write_to(path: Path, fmt: str, turns: list[tuple[str, str]]) -> None:
    if fmt == "txt":
        body = "Collaboration review: staff interview (fictional)\n\n"
        body += "\n\n".join(f"{who}: {said}" for who, said in turns)
        path.write_text(body + "\n", encoding="utf-8")
    elif fmt == "vtt":
        lines, t = ["WEBVTT", ""], 0.5
        for i, (who, said) in enumerate(turns):
            length = max(2.0, len(said) / 15)
            lines += [
                f"demo/{i}-0",
                f"{_stamp(t)} --> {_stamp(t + length)}",
                f"<v {who}>{said}</v>",
                "",
            ]
            t += length + 0.4
        path.write_text("\n".join(lines), encoding="utf-8")
    else:
        import docx

        doc = docx.Document()
        doc.add_heading("Staff interview (fictional)", level=1)
        for who, said in turns:
            p = doc.add_paragraph()
            p.add_run(f"{who}:").bold = True
            p.add_run(f" {said}")
        doc.save(str(path))


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build_interviews(
    store: Store, collaboration: str, folder: Path, framework: Framework, seed: int = DEMO_SEED
) -> list[Path]:
    """Write, import and blind-code the demo's interviews; returns the files written."""
    data = demo_interviews()
    interviewer = data["interviewer"]
    labels = [f.id for f in framework.factors] + ["none"]
    gold: list[tuple[str, str]] = []
    files = []
    for iv in data["interviews"]:
        path = folder / f"interview_{iv['participant'].lower()}.{iv['format']}"
        files.append(_write(path, iv["format"], _turns(iv, interviewer)))
        import_transcript(
            store,
            path,
            collaboration,
            [iv["participant"]],
            [interviewer],
            {iv["participant"]: {"force": iv["force"], "role": iv["role"]}},
        )
        for t in iv["turns"]:
            for _sentence, code in t.get("a", []):
                factor, _, polarity = str(code).partition(":")
                gold.append((factor, polarity or "neutral"))
    passages = blind_queue(store, CODERS[0][0], collaboration, limit=10_000)
    if len(passages) != len(gold):  # a sentence was cut differently: code none of it
        return files
    rng = np.random.default_rng(seed)
    for n, (coder, slip, share) in enumerate(CODERS):
        for i, item in enumerate(passages):
            if share < 1 and i % round(1 / share) != n % 2:
                continue
            factor, polarity = gold[i]
            if rng.random() < slip:
                factor = str(rng.choice([x for x in labels if x != factor]))
                polarity = "neutral" if factor == "none" else polarity
            if factor == "none":
                polarity = "neutral"
            set_human_codes(store, [item.segment_id], factor, polarity, coder, blind=True)
    return files
