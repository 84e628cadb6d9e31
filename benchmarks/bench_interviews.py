"""Benchmark: a study's worth of interviews, imported, coded, compared and exchanged.

Run on demand: `python benchmarks/bench_interviews.py [--interviews 20] [--answers 30]`.
It writes that many fictional transcripts (Teams WebVTT captions, each answer cut into
sentence cues, with names in the speech), then times on a fresh SQLite workspace:
importing them (reading, pseudonymising, storing: redaction is most of it), coding
their passages, two people's blind codes written through the library, `agreement`,
`export qdpx` (validated against the REFI-QDA schema) and `import qdpx` into another
workspace, and the deck. It prints each step's wall time and rate.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

SENTENCES = [
    "The joint unit works because the two teams finally share one set of procedures.",
    "I still need two logins to check one person across the border.",
    "Our sergeant in the other force sorts out any problem within the day.",
    "Nobody asked the control room before the new rota was announced.",
    "The board meets every month but its decisions take weeks to reach us.",
    "We trust their analysts now because they have delivered time after time.",
    "The bigger force still picks the priorities and we fit around them.",
    "It was rushed through and we are still fixing the mess a year later.",
    "The chief officers were brave enough to merge the whole department.",
    "Overtime rules differ, so two people on one job are paid differently.",
]


def transcript(i: int, answers: int, rng: np.random.Generator) -> str:
    """A Teams-style WebVTT file: questions and answers, one cue per sentence."""
    lines, t = ["WEBVTT", ""], 0.0
    who = f"Officer Number{i}"
    for a in range(answers):
        cues = [("Interviewer", f"Question {a + 1}: what would you tell the board?")]
        said = [SENTENCES[j] for j in rng.choice(len(SENTENCES), size=3, replace=False)]
        said[0] = f"As {who} I would say this. " + said[0]
        cues += [(who, s) for s in said]
        for speaker, text in cues:
            d = max(1.5, len(text) / 15)
            lines += [
                f"0:{int(t // 60)}:{t % 60:.3f} --> 0:{int((t + d) // 60)}:{(t + d) % 60:.3f}"
            ]
            lines += [f"<v {speaker}>{text}", ""]
            t += d + 0.2
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=20)
    parser.add_argument("--answers", type=int, default=30)
    args = parser.parse_args()

    from collablens.analysis.agreement import measure_agreement
    from collablens.interviews.importer import import_transcript
    from collablens.interviews.refiqda import write_project
    from collablens.interviews.refiqda_import import import_project
    from collablens.reporting.deck import write_deck
    from collablens.store import open_workspace
    from collablens.text.coding import blind_queue, code_workspace, set_human_codes

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = []
        for i in range(args.interviews):
            f = folder / f"interview_{i}.vtt"
            f.write_text(transcript(i, args.answers, rng), encoding="utf-8")
            files.append(f)
        store = open_workspace(str(folder / "w.db"), create=True)

        def step(name: str, fn, count: int, unit: str):
            start = time.perf_counter()
            out = fn()
            took = time.perf_counter() - start
            print(f"  {name:<44} {took:7.2f} s   {count / took:8.1f} {unit}/s")
            return out

        print(f"{args.interviews} interviews x {args.answers} answers (Teams WebVTT)")
        turns = args.interviews * args.answers * 2
        step(
            "import transcript (read, pseudonymise, store)",
            lambda: [import_transcript(store, f, "B", None, ["Interviewer"]) for f in files],
            turns,
            "turns",
        )
        passages = blind_queue(store, "Ana", "B", limit=10**9)
        run = step(
            "code (start-up included)",
            lambda: code_workspace(store, "B"),
            len(passages),
            "passages",
        )
        assert run.segments_coded == len(passages)
        labels = [f.id for f in store.framework.factors]

        def blind() -> None:
            # Ana codes every passage; Ben every other one, and differs one time in five.
            for n, coder in enumerate(("Ana", "Ben")):
                for i, item in enumerate(passages):
                    if n and i % 2:
                        continue
                    label = labels[i % len(labels)]
                    if n and rng.random() < 0.2:
                        label = labels[(i + 1) % len(labels)]
                    set_human_codes(store, [item.segment_id], label, "neutral", coder, blind=True)

        step("two people's blind codes (library calls)", blind, len(passages) * 3 // 2, "codes")
        res = step(
            "agreement (2 people and the model)",
            lambda: measure_agreement(store, "B", ["Ana", "Ben", "model"]),
            len(passages),
            "passages",
        )
        print(f"    alpha {res.alpha:.3f} over {res.units} passages")
        step(
            "export qdpx (validated)",
            lambda: write_project(store, "B", folder / "b.qdpx", True),
            len(passages),
            "passages",
        )
        other = open_workspace(str(folder / "other.db"), create=True)
        got = step(
            "import qdpx into a new workspace",
            lambda: import_project(other, folder / "b.qdpx", "B"),
            len(passages),
            "passages",
        )
        print(
            f"    {len(got.sources_added)} sources, {got.codings} people's codes, "
            f"{got.model_codings} model codes"
        )
        step("deck", lambda: write_deck(store, "B", folder / "d.pptx"), 1, "decks")
        size = (folder / "b.qdpx").stat().st_size / 1024
        print(f"  .qdpx: {size:.0f} KiB; passages: {len(passages)}")


if __name__ == "__main__":
    main()
