"""The survey instrument, written out for survey tools, spreadsheets or print.

The same column ids appear in the response template, so a file filled in from it
imports without any mapping.

What a respondent sees never primes their answers: no factor is named (the parts are
"Part 1 of 9"), the statements come in one mixed order (`statement_order`) that is the
same for everyone and in every format (Markdown, CSV, the workbook and the web survey),
and every statement offers "Don't know" (`DONT_KNOW`), stored as no answer. Question
ids (`cultures_1`) are keys for the survey tool and data entry, not for respondents: the
printed questionnaire numbers its statements instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..framework import Framework
from ..framework.model import Factor, Item
from ..outputs import spreadsheet_text

RESPONDENT_COLUMNS = ["respondent_id", "force", "role", "rank_band", "length_of_service"]

#: The answer offered beside every statement for someone who cannot say. Every reader of
#: answers (`answers.NON_ANSWERS`) stores it as no answer, never as a point on the scale:
#: a person who answers a factor only "Don't know" has no score on it.
DONT_KNOW = "Don't know"

#: The questionnaire's title: the topic, never the framework's name, which names the
#: factors ("Inhibitors and facilitators of ...").
SURVEY_TITLE = "Working together across forces"

#: Statements on one part (a page of the web survey, a section on paper).
STATEMENTS_PER_PART = 5


def statement_order(framework: Framework) -> list[tuple[Factor, Item]]:
    """Every statement in the one order all formats use: mixed, and the same for everyone.

    Why mixed: statements of one factor side by side, under its name, tell a respondent
    what is being measured and pull their answers together. Why fixed: a shared order
    keeps answers comparable between people and waves, and paper and screen alike.

    The rule: factors are taken with inhibitors and facilitators alternating (the k-th of
    each kind in turn), and each next statement comes from the factor with the most
    statements left that did not give the one before (ties: the factor used longest ago,
    then that order), each factor's statements in their own order. Taking the factor with
    most left first is what keeps two statements of one factor apart wherever the counts
    allow it.
    """
    kinds: dict[str, list[Factor]] = {}
    for f in framework.factors:
        kinds.setdefault(f.kind, []).append(f)
    longest = max(len(group) for group in kinds.values())
    turn = [group[i] for i in range(longest) for group in kinds.values() if i < len(group)]
    rank = {f.id: i for i, f in enumerate(turn)}
    left = {f.id: list(f.items) for f in framework.factors}
    by_id = {f.id: f for f in framework.factors}
    last_used: dict[str, int] = {}
    out: list[tuple[Factor, Item]] = []
    previous: str | None = None
    for step in range(sum(len(v) for v in left.values())):
        open_ = [fid for fid, items in left.items() if items]
        choices = [fid for fid in open_ if fid != previous] or open_
        fid = min(choices, key=lambda f: (-len(left[f]), last_used.get(f, -1), rank[f]))
        out.append((by_id[fid], left[fid].pop(0)))
        last_used[fid] = step
        previous = fid
    return out


@dataclass(frozen=True)
class Part:
    """One part of the questionnaire: a page of the web survey, a section on paper."""

    number: int
    of: int
    statements: list[tuple[Factor, Item]]
    #: (question id, factor, prompt): the free-text questions, all in the last part.
    free_text: list[tuple[str, Factor, str]]

    @property
    def title(self) -> str:
        return f"Part {self.number} of {self.of}"


def parts(framework: Framework) -> list[Part]:
    """The statements in `statement_order`, `STATEMENTS_PER_PART` a part, then one part of
    free-text questions (so that no prompt sits beside its own factor's statements)."""
    order = statement_order(framework)
    chunks = [order[i : i + STATEMENTS_PER_PART] for i in range(0, len(order), STATEMENTS_PER_PART)]
    texts = list(framework.free_text_questions)
    total = len(chunks) + (1 if texts else 0)
    out = [Part(n, total, chunk, []) for n, chunk in enumerate(chunks, start=1)]
    if texts:
        out.append(Part(total, total, [], texts))
    return out


def response_columns(framework: Framework) -> list[str]:
    """Header of the response template: respondent attributes, items (in the order they
    are asked), free-text answers."""
    return (
        RESPONDENT_COLUMNS
        + [it.id for _, it in statement_order(framework)]
        + [q for q, _, _ in framework.free_text_questions]
    )


def scale_words(framework: Framework) -> str:
    """The answers each statement offers, in words: the scale's points, then "Don't know"."""
    sc = framework.scale
    points = "; ".join(f"{v} = {sc.labels.get(v, v)}" for v in range(sc.min, sc.max + 1))
    return f"{points}; {DONT_KNOW}"


def questionnaire_rows(framework: Framework) -> list[dict[str, str]]:
    """One row per question, in the order a respondent meets them. No factor appears: the
    rows are read by whoever builds the survey, and what they copy reaches respondents."""
    scale = scale_words(framework)
    rows = []
    for a in framework.attributes:
        rows.append(
            {
                "question_id": a.id,
                "number": "",
                "section": "About you",
                "kind": "attribute",
                "wording": a.label,
                "answers": "; ".join(a.options) if a.options else "free text",
                "reverse_scored": "",
            }
        )
    number = 0
    for part in parts(framework):
        for _, it in part.statements:
            number += 1
            rows.append(
                {
                    "question_id": it.id,
                    "number": str(number),
                    "section": part.title,
                    "kind": "likert",
                    "wording": it.text,
                    "answers": scale,
                    "reverse_scored": "yes" if it.reverse else "no",
                }
            )
        for qid, _, prompt in part.free_text:
            number += 1
            rows.append(
                {
                    "question_id": qid,
                    "number": str(number),
                    "section": part.title,
                    "kind": "free_text",
                    "wording": prompt,
                    "answers": "free text (please do not name individuals)",
                    "reverse_scored": "",
                }
            )
    return rows


def to_csv(framework: Framework) -> str:
    rows = questionnaire_rows(framework)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    # Framework text comes from a user's file: none of it may run as a spreadsheet formula.
    writer.writerows({k: spreadsheet_text(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def to_markdown(framework: Framework) -> str:
    """A printable questionnaire: paper surveys are still common in custody suites.

    Statements are numbered as in the workbook's Questionnaire sheet (`number`), so answers
    on paper are typed into the Responses sheet by number; no id or factor is printed."""
    sc = framework.scale
    labels = " | ".join(f"{v} {sc.labels.get(v, '')}".strip() for v in range(sc.min, sc.max + 1))
    boxes = " ".join(f"☐{v}" for v in range(sc.min, sc.max + 1))  # the framework's own scale
    boxes += f" ☐{DONT_KNOW}"
    out = [
        f"# Staff survey: {SURVEY_TITLE.lower()}",
        "",
        "This survey asks what helps and what holds back the collaboration you work in. "
        "It is anonymous: results are only ever shown for groups of people, never for "
        "small groups. Please do not name individuals in your answers.",
        "",
        "## About you",
        "",
    ]
    for a in framework.attributes:
        opts = f" ({'; '.join(a.options)})" if a.options else ""
        out.append(f"- **{a.label}**{opts} ____________________")
    out.append("")
    out.append(
        f'Answer each statement on this scale: {labels}. If you cannot say, tick "{DONT_KNOW}".'
    )
    n = 0
    for part in parts(framework):
        out += ["", f"## {part.title}", ""]
        for _, it in part.statements:
            n += 1
            out.append(f"{n}. {it.text}  {boxes}")
        for _, _, prompt in part.free_text:
            n += 1
            out += [f"{n}. *{prompt}*", "", "> ", ""]
    out += ["", "Thank you for your answers.", ""]
    return "\n".join(out)


def write_xlsx(framework: Framework, path: Path) -> None:
    """A workbook with the questionnaire and an empty response sheet that imports as is."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Questionnaire"
    rows = questionnaire_rows(framework)
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFG", (22, 8, 14, 10, 70, 50, 14), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True)
    resp = wb.create_sheet("Responses")
    columns = response_columns(framework)
    resp.append(columns)
    for cell in resp[1]:
        cell.font = Font(bold=True)
    # Drop-downs catch typing errors at entry, before they become import errors.
    sc = framework.scale
    points = ",".join([*(str(v) for v in range(sc.min, sc.max + 1)), DONT_KNOW])
    likert = DataValidation(type="list", formula1=f'"{points}"', allow_blank=True)
    resp.add_data_validation(likert)
    item_ids = {it.id for _, it in framework.items}
    for n, col in enumerate(columns, start=1):
        letter = get_column_letter(n)
        if col in item_ids:
            likert.add(f"{letter}2:{letter}5000")
        attr = next((a for a in framework.attributes if a.id == col and a.options), None)
        options = attr.options if attr is not None else []
        listable = bool(options) and not any("," in o for o in options)
        if listable and len(",".join(options)) < 250:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
            )
            resp.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
    from ..outputs import atomic_path

    with atomic_path(path, "template") as tmp:
        wb.save(tmp)


def write_template(framework: Framework, fmt: str, out: Path | None) -> str | None:
    """Write the instrument in `fmt`; returns the text when no file was asked for."""
    if fmt == "xlsx":
        if out is None:
            raise ValueError("--format xlsx needs --out FILE.xlsx")
        write_xlsx(framework, out)
        return None
    text = {"csv": to_csv, "md": to_markdown}[fmt](framework)
    if out is None:
        return text
    from ..outputs import write_atomic

    write_atomic(out, text.encode("utf-8"), "template")
    return None


def response_template_csv(framework: Framework) -> str:
    return ",".join(response_columns(framework)) + "\n"
