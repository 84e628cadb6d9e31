"""Bringing evidence in: survey answers, interview transcripts, REFI-QDA projects and
codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..vocabulary import ATTRIBUTES
from .common import (
    DEFAULT_DB,
    DbOption,
    ImportCollaborationOption,
    _code_with_progress,
    _coded,
    _fail,
    _failing,
    _open,
    _out,
    _progress,
    console,
    escape,
)

if TYPE_CHECKING:
    from ..ingest import Ingested
    from ..surveys.importer import ImportResult

import_app = typer.Typer(
    help="Import survey answers and interview transcripts into the workspace.", no_args_is_help=True
)


# -- import -------------------------------------------------------------------------------


@import_app.command("responses")
def import_responses_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX export: our template, Qualtrics (modern or legacy), SurveyMonkey "
            "(current or 2014), SmartSurvey, Microsoft Forms, Google Forms, LimeSurvey or Jisc "
            "Online Surveys, as the tool wrote it (docs/importing.md shows each layout)."
        ),
    ],
    collaboration: ImportCollaborationOption,
    wave: Annotated[
        str, typer.Option("--wave", "-w", help="Survey wave label, e.g. 2026 or '2026 spring'.")
    ],
    force: Annotated[
        str | None,
        typer.Option(
            "--force", help="Every row is from this force (a paper batch, or a one-force export)."
        ),
    ] = None,
    no_code: Annotated[
        bool,
        typer.Option(
            "--no-code", help="Do not code the free text now (run `collablens code` later)."
        ),
    ] = False,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help="Map an attribute to a column header: force=HEADER, role=..., rank_band=..., "
            "length_of_service=... (repeatable).",
        ),
    ] = None,
    include_partial: Annotated[
        bool,
        typer.Option(
            "--include-partial",
            help="Keep responses the tool marks unfinished (Qualtrics' Finished = False). "
            "Survey previews, tests and spam are always left out.",
        ),
    ] = False,
    scale_map: Annotated[
        Path | None,
        typer.Option(
            "--scale-map",
            help="CSV with columns answer,value saying what each answer means on the "
            "instrument's scale (for a survey run on another scale, e.g. seven points). "
            "The report's method note states the map.",
        ),
    ] = None,
    missing_code: Annotated[
        list[str] | None,
        typer.Option(
            "--missing-code",
            help="An answer off the scale that this export uses for 'no answer', e.g. "
            "--missing-code 99 or --missing-code=-99 (repeatable). Without it such answers "
            "are errors.",
        ),
    ] = None,
    unknown_as_other: Annotated[
        bool,
        typer.Option(
            "--unknown-as-other",
            help="Count forces, roles, ranks and lengths of service that are on no declared "
            'list as "Other" instead of refusing the file.',
        ),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import one file of survey answers as one transaction.

    Columns are matched by item id (a tool's column id will do) or by the question's
    wording, so exports from survey tools work as they are. Survey previews and spam
    are left out, and unfinished responses unless --include-partial; columns that
    identify a person (email, name, IP address) are never stored. A file with any bad
    value imports nothing and the error names the row, column and value. Importing the
    same file twice adds nothing. Free text is stored only after names and initials,
    e-mail addresses, social media handles, phone numbers, collar, warrant and staff
    numbers, National Insurance numbers, vehicle registrations, dates of birth, street
    addresses and postcodes are removed (docs/redaction.md), then coded to the framework's
    factors by the offline coder (skip with --no-code).

    Forces are matched to those the collaboration declares (see `collablens forces`; the
    first import declares the forces its file holds), roles, ranks and lengths of service
    to the framework's options.

    Example: collablens import responses answers.xlsx --collaboration "NE ROCU" --wave 2026
    """
    from ..configure import ModelMissing
    from ..ingest import NEVER, NOW, import_and_code
    from ..surveys.importer import InputError

    mapping = _column_map(column)
    store = _open(db, create=True)
    with _progress(file.name, counts=True) as progress:
        try:
            done = import_and_code(
                store,
                file,
                collaboration,
                wave,
                coding=NEVER if no_code else NOW,
                progress=progress,
                force=force,
                attribute_columns=mapping or None,
                include_partial=include_partial,
                scale_map=scale_map,
                missing_codes=missing_code,
                unknown_as_other=unknown_as_other,
            )
        except ModelMissing as exc:  # said before the import, not after its commit
            _fail(f"{exc}; or import with --no-code and code later")
        except (InputError, LookupError) as exc:  # LookupError: the model went since the check
            _fail(str(exc))
    _show_import(done, file, collaboration, wave)


def _column_map(specs: list[str] | None) -> dict[str, str]:
    """--column ATTRIBUTE=HEADER options as {attribute: header}; a bad one fails."""
    mapping: dict[str, str] = {}
    for spec in specs or []:
        attr, sep, header = spec.partition("=")
        if not sep or attr not in ATTRIBUTES:
            _fail(
                f"--column {spec!r}: use ATTRIBUTE=HEADER with attribute force, role, "
                "rank_band or length_of_service"
            )
        mapping[attr] = header
    return mapping


def _show_import(done: Ingested, file: Path, collaboration: str, wave: str) -> None:
    """What an import added (or that it added nothing), what was coded, and what to check."""
    res = done.imported
    if res.already_imported:
        console.print(
            escape(f"{file} was already imported into {collaboration!r} wave {wave!r}: ")
            + "nothing added."
        )
    else:
        console.print(
            f"Imported {res.rows_added} respondents ({res.comments_added} comments) "
            f"from {escape(str(file))} "
            f"[dim]({res.source_format} layout; {res.mapped_items} items, "
            f"{res.mapped_texts} free-text questions)[/]"
        )
        for line in _import_details(res):
            console.print(line)
    # What this import added, and anything an interrupted run left uncoded, was coded.
    if done.coding is not None:
        _coded(done.coding, done.review_note)
    if res.already_imported:
        return
    for warning in res.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
    if res.unmapped:
        console.print(
            f"[yellow]Columns not used[/] ({len(res.unmapped)}): "
            + escape(", ".join(repr(c) for c in res.unmapped))
        )


@import_app.command("transcript")
def import_transcript_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Interview transcripts: plain text (.txt, typed, Zoom's saved transcript or "
            "Otter.ai's export), Word (.docx, typed or Teams' transcript download), WebVTT "
            "(.vtt, as Teams and Zoom write them) or SubRip (.srt)."
        ),
    ],
    collaboration: ImportCollaborationOption,
    participant: Annotated[
        list[str] | None,
        typer.Option(
            "--participant",
            "-p",
            help="The pseudonym of the person interviewed, e.g. P03 (repeat for a group, in "
            "the order they first speak). Default: the next free P01, P02...",
        ),
    ] = None,
    interviewer: Annotated[
        list[str] | None,
        typer.Option(
            "--interviewer",
            help="The speaker name of the interviewer as the transcript writes it (repeatable). "
            "Default: speakers labelled Interviewer, Chair, Q... or asking numbered questions.",
        ),
    ] = None,
    force: Annotated[str | None, typer.Option("--force", help="The participant's force.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="The participant's role.")] = None,
    rank_band: Annotated[
        str | None, typer.Option("--rank-band", help="The participant's rank band.")
    ] = None,
    participants_csv: Annotated[
        Path | None,
        typer.Option(
            "--participants",
            help="CSV of participant attributes: columns participant, force, role, rank_band.",
        ),
    ] = None,
    no_code: Annotated[
        bool,
        typer.Option("--no-code", help="Do not code the passages now (run `collablens code`)."),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import interview transcripts, pseudonymised, and code what participants said.

    Speaker turns are read from "Name:" prefixes ("Q12 Chair:" numbered questions too),
    bold or styled speaker names in Word, and voice tags or "Name:" captions in WebVTT and
    SubRip, and a speaker-and-time line over the words as Zoom's saved transcript, Otter.ai's
    text export and Teams' Word download write them; consecutive captions of one speaker
    join into one turn, and a caption with no speaker joins the turn before. The participant
    becomes their pseudonym wherever their name appears, the interviewer "Interviewer",
    and every other name, number and contact detail is redacted: the original text is
    never stored, nor the file's name. Interviewer turns are kept for context but not
    coded. Importing the same file again changes nothing.

    Example: collablens import transcript interview3.docx -c "NE ROCU" -p P03
    --interviewer "Alex Carter" --force "Eastdale Constabulary" --role "Police officer"
    """
    from ..errors import CollablensError
    from ..interviews.importer import import_transcript, read_participants_csv

    if len(files) > 1 and participant:
        _fail("--participant names the people in one transcript: import files one at a time")
    store = _open(db, create=True)
    with _failing(CollablensError):
        attributes = read_participants_csv(participants_csv) if participants_csv else {}
    given = {k: v for k, v in {"force": force, "role": role, "rank_band": rank_band}.items() if v}
    if given and participant and len(participant) == 1:
        attributes[participant[0]] = attributes.get(participant[0], {}) | given
    elif given:
        _fail("--force, --role and --rank-band describe one --participant: give it")
    added = 0
    for file in files:
        with _progress(f"Reading {file.name}"), _failing(CollablensError):
            res = import_transcript(
                store, file, collaboration, participant, interviewer, attributes
            )
        if res.already:
            console.print(
                escape(f"{file} was already imported into {collaboration!r} as {res.source}: ")
                + "nothing added."
            )
            continue
        added += res.segments
        console.print(
            escape(
                f"Imported {res.source} from {file} ({res.format}): {res.turns} turns, "
                f"{res.segments} passages to code"
            ),
            highlight=False,
        )
        if res.preamble_lines:
            console.print(
                f"[dim]{res.preamble_lines} lines before the first speaker (title, date) "
                "were not stored.[/]"
            )
        if res.unattributed:
            console.print(escape(res.unattributed_note), highlight=False)
    if added and not no_code:
        _code_with_progress(store, collaboration)


#: The counts an import reports (ImportResult fields), each with its sentence.
_COUNTED = (
    ("rows_already_present", "{} respondents were already in the store and were skipped."),
    ("previews_left_out", "Left out {} survey previews, tests or spam responses."),
    (
        "unfinished_left_out",
        "Left out {} unfinished responses (keep them with --include-partial).",
    ),
    ("unfinished_kept", "Kept {} unfinished responses (--include-partial)."),
    (
        "non_answer_rows",
        'Left out {} rows whose every answer was a non-answer such as "Don\'t know".',
    ),
    ("blank_rows", "{} blank rows were skipped."),
    (
        "unanswered_rows",
        "{} rows with no answers (a force or an id, but nothing answered) were skipped.",
    ),
)


def _import_details(res: ImportResult) -> list[str]:
    """What an import left out, kept or never read, in plain sentences."""
    lines = [sentence.format(n) for field, sentence in _COUNTED if (n := getattr(res, field))]
    lines += [f"[yellow]{escape(line)}[/]" for line in res.coverage_lines()]
    if res.identifying:
        lines.append(
            f"Not stored ({len(res.identifying)} columns that identify a person): "
            + escape(", ".join(res.identifying))
        )
    if res.scale_map:
        pairs = (f"{a} = {v if v is not None else 'no answer'}" for a, v in res.scale_map)
        lines.append("Answers read with the scale map: " + escape("; ".join(pairs)))
    elif res.labels_used:
        lines.append(
            "Answers read with the tool's labels: "
            + escape(", ".join(label.capitalize() for label in res.labels_used))
        )
    if res.missing_code_cells:
        lines.append(
            f"Read {res.missing_code_cells} answers as 'no answer' by the missing-value "
            "code(s) " + escape(", ".join(res.missing_codes)) + "."
        )
    for attr, n in res.other_rows.items():
        lines.append(
            f'Counted {n} respondents as "Other" for {attr.replace("_", " ")}: their answer '
            "was on no declared list (--unknown-as-other)."
        )
    if res.declared_forces:
        lines.append(
            escape(f"Declared forces of {res.collaboration}: " + ", ".join(res.declared_forces))
            + " (change them with `collablens forces`)."
        )
    return lines


@import_app.command("qdpx")
def import_qdpx_cmd(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx) from any QDA tool.")],
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration to add it to.")
    ],
    no_code: Annotated[
        bool, typer.Option("--no-code", help="Do not code the new passages now.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import a REFI-QDA project: its text sources as transcripts, its codings as people's
    codes under each user's name.

    Text is pseudonymised as a transcript import is (speaker labels and names become
    pseudonyms, the redactor runs), and each coding is moved with the words it covers.
    A coding counts for the passages (sentences) its selection covers at least half of.
    Codes that match no factor of the workspace's framework, sources that are not text,
    and notes (memos) are counted and named, not imported.

    Example: collablens import qdpx review2017.qdpx -c "NE ROCU"
    """
    from ..errors import CollablensError
    from ..interviews.refiqda_import import import_project

    store = _open(db, create=True)
    with _progress(f"Reading {file.name}"), _failing(CollablensError):
        res = import_project(store, file, collaboration)
    console.print(
        escape(
            f"Imported {len(res.sources_added)} sources into {collaboration!r}: "
            f"{res.codings} people's codes"
            + (f" by {', '.join(c for c in res.coders if c != 'model')}" if res.codings else "")
            + (
                f", {res.model_codings} model codes (for agreement only)"
                if res.model_codings
                else ""
            )
        ),
        highlight=False,
    )
    if res.sources_already:
        console.print(
            escape(f"Already imported, left as they were: {', '.join(res.sources_already)}")
        )
    left = []
    if res.sources_skipped:
        left.append(f"{res.sources_skipped} sources that are not text")
    if res.notes:
        left.append(f"{res.notes} notes (collablens keeps no memos)")
    if res.selections_without_passage:
        left.append(f"{res.selections_without_passage} selections covering no passage")
    for code, n in sorted(res.unmatched_codes.items()):
        left.append(f"{n} codings of {code!r} (no such factor)")
    if left:
        console.print(f"[yellow]Not imported:[/] {escape('; '.join(left))}.")
    if res.sources_added and not no_code:
        _code_with_progress(store, collaboration)


@import_app.command("qdc")
def import_qdc_cmd(
    file: Annotated[
        Path, typer.Argument(help="A REFI-QDA codebook (.qdc), or a project (.qdpx) for its codes.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The framework draft (YAML) to write.")
    ] = Path("framework-draft.yaml"),
    name: Annotated[
        str, typer.Option("--name", help="The framework's name.")
    ] = "Imported codebook",
) -> None:
    """Turn a codebook from a QDA tool into a framework draft to edit.

    Each codable code becomes a factor (its description the definition); a polarity
    child such as "Governance (barrier)" folds into its parent "Governance". A flat
    codebook (Taguette's) keeps every code, "Trust (enabler)" included. Kinds are
    guessed from group names (Inhibitors, Barriers / Facilitators, Enablers) and every
    survey item is a TODO: finish the draft, then check it with `collablens framework
    validate`. It prints how many codes became factors, were merged or were left out.

    Example: collablens import qdc codebook.qdc --out our-framework.yaml
    """
    from ..errors import CollablensError
    from ..interviews.refiqda_import import codebook_draft, read_codebook
    from ..outputs import write_atomic

    _out(out, "framework draft")
    with _failing(CollablensError):
        draft = codebook_draft(read_codebook(file), name)
        write_atomic(out, draft.text.encode("utf-8"), "framework draft")
    for line in _draft_summary(draft):
        console.print(escape(line), highlight=False)
    console.print(
        escape(f"Wrote {out}: finish every TODO, then `collablens framework validate {out}`.")
    )


def _draft_summary(draft) -> list[str]:
    """What became of every code of the codebook, with counts."""

    def names(items: list[str]) -> str:
        shown = ", ".join(repr(n) for n in items[:6])
        return shown + (f" and {len(items) - 6} more" if len(items) > 6 else "")

    lines = [f"Mapped {len(draft.mapped)} codes to factors: {names(draft.mapped)}."]
    if draft.merged:
        code, into = draft.merged[0]
        lines.append(
            f"Merged {len(draft.merged)} polarity codes into their parent factor "
            f"({code!r} into {into!r}" + (", ..." if len(draft.merged) > 1 else "") + ")."
        )
    else:
        lines.append("Merged 0 polarity codes (none sits under its own factor).")
    if draft.left_out:
        why: dict[str, list[str]] = {}
        for code, reason in draft.left_out:
            why.setdefault(reason, []).append(code)
        parts = [f"{len(c)} {reason}: {names(c)}" for reason, c in why.items()]
        lines.append(f"Left out {len(draft.left_out)} codes: " + "; ".join(parts) + ".")
    else:
        lines.append("Left out 0 codes.")
    if draft.lone_polarity:
        lines.append(
            f"{len(draft.lone_polarity)} factors are named as a polarity with no parent "
            f"code ({names(draft.lone_polarity)}): merge any that are one factor's two sides."
        )
    return lines
