"""The demo workspace: a fictional collaboration, two survey waves, six interviews, one
report.

It runs the same path a real user takes (files written in the formats survey tools
export, imported, scored, reported), so it doubles as an end-to-end check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.editions import publish
from ..ingest import NEVER, code_collaboration, import_and_code
from ..reporting.deck import write_deck
from ..reporting.view import Report, write_report
from ..store import Store
from ..surveys.importer import ImportResult, Progress
from ..text.coding import CodingRun
from ..vocabulary import ATTRIBUTES, DEMO_SEED
from .interviews import build_interviews
from .register import build_register
from .simulate import demo_scenario, simulate_wave, to_qualtrics_csv, to_template_csv

COLLABORATION = "North East Regional Collaboration (fictional)"
WAVES = ("2025 spring", "2026 spring")
#: The account `collablens demo --serve` signs in with.
DEMO_ADMIN = "demo admin"
#: Who the demo's editions are published by.
DEMO_PUBLISHER = "the demo"


@dataclass
class DemoResult:
    folder: Path
    db: Path
    files: list[Path]
    imports: list[ImportResult]
    coding: CodingRun
    report: Path
    pdf: Path | None
    summary: Report
    deck: Path | None = None


#: What the demo does, in order: each is announced (`run_demo`'s `step`) as it starts, so
#: a first run, minutes long, is never silent.
STEPS = (
    "Simulating two survey waves of five forces",
    "Importing the answers (free text redacted)",
    "Adding interviews and the register",
    "Coding the free text",
    "Publishing both waves",
    "Writing the report",
    "Writing the deck",
)


def run_demo(
    folder: Path,
    seed: int = DEMO_SEED,
    pdf: bool = False,
    progress: Progress | None = None,
    step: Callable[[int, int, str], None] | None = None,
) -> DemoResult:
    """Build the demo in `folder`; `step(number, of, what)` hears of each of `STEPS` as it
    starts, and `progress` of the work inside the long ones."""

    def starting(what: str) -> None:
        if step is not None:
            step(STEPS.index(what) + 1, len(STEPS), what)

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "collablens.db"
    for stale in folder.glob("collablens.db*"):
        stale.unlink()
    store = Store(str(db))
    store.migrate()
    fw = store.framework
    scenario = demo_scenario(fw)
    starting(STEPS[0])
    files = [folder / "wave1_template.csv", folder / "wave2_qualtrics.csv"]
    to_template_csv(simulate_wave(fw, scenario, 0, seed=seed), files[0])
    to_qualtrics_csv(simulate_wave(fw, scenario, 1, seed=seed), fw, files[1])
    starting(STEPS[1])
    # Imported now, coded once the interviews are in too: one coding run for everything.
    results = [
        import_and_code(store, path, COLLABORATION, wave, coding=NEVER, progress=progress).imported
        for path, wave in zip(files, WAVES, strict=True)
    ]
    starting(STEPS[2])
    files += build_interviews(store, COLLABORATION, folder, fw, seed=seed)
    files.append(build_register(store, COLLABORATION, folder))
    starting(STEPS[3])
    coding = code_collaboration(store, COLLABORATION, progress=progress).run
    # Both waves are published, as a programme office would once their answers are in and
    # coded: the report, the deck and the dashboard show those editions.
    starting(STEPS[4])
    for wave in WAVES:
        publish(store, COLLABORATION, wave, actor=DEMO_PUBLISHER, reason="demo: answers in")
    out = folder / "report.html"
    pdf_path = folder / "report.pdf" if pdf else None
    # The demo publishes the counts of every breakdown, to show them (and the check that
    # breakdowns published together isolate nobody); a real report asks for what it needs.
    starting(STEPS[5])
    summary = write_report(store, COLLABORATION, out, pdf=pdf_path, breakdowns=ATTRIBUTES)
    starting(STEPS[6])
    deck = write_deck(store, COLLABORATION, folder / "findings.pptx", breakdowns=ATTRIBUTES).path
    store.close()
    return DemoResult(folder, db, files, results, coding, out, pdf_path, summary, deck)


def demo_admin(store: Store) -> str:
    """Give the demo's admin account (made if missing) a new random password; returns it."""
    import secrets

    from ..access.accounts import ADMIN, add_user, get_user, set_password

    password = secrets.token_urlsafe(12)
    if get_user(store, DEMO_ADMIN) is None:
        add_user(store, DEMO_ADMIN, ADMIN, password)
    else:
        set_password(store, DEMO_ADMIN, password)
    return password
