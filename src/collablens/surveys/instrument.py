"""The survey instrument, written out for survey tools, spreadsheets or print.

The same column ids appear in the response template, so a file filled in from it
imports without any mapping.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..framework import Framework
from ..outputs import spreadsheet_text

RESPONDENT_COLUMNS = ["respondent_id", "force", "role", "rank_band", "length_of_service"]


def response_columns(framework: Framework) -> list[str]:
    """Header of the response template: respondent attributes, items, free-text answers."""
    return (
        RESPONDENT_COLUMNS
        + [it.id for _, it in framework.items]
        + [q for q, _, _ in framework.free_text_questions]
    )


def questionnaire_rows(framework: Framework) -> list[dict[str, str]]:
    """One row per question, in the order a respondent meets them."""
    sc = framework.scale
    scale = "; ".join(f"{v} = {sc.labels.get(v, v)}" for v in range(sc.min, sc.max + 1))
    rows = []
    for a in framework.attributes:
        rows.append(
            {
                "question_id": a.id,
                "section": "About you",
                "kind": "attribute",
                "factor_id": "",
                "wording": a.label,
                "answers": "; ".join(a.options) if a.options else "free text",
                "reverse_scored": "",
            }
        )
    for f in framework.factors:
        for it in f.items:
            rows.append(
                {
                    "question_id": it.id,
                    "section": f.name,
                    "kind": "likert",
                    "factor_id": f.id,
                    "wording": it.text,
                    "answers": scale,
                    "reverse_scored": "yes" if it.reverse else "no",
                }
            )
    for qid, f, prompt in framework.free_text_questions:
        rows.append(
            {
                "question_id": qid,
                "section": f.name,
                "kind": "free_text",
                "factor_id": f.id,
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
    """A printable questionnaire: paper surveys are still common in custody suites."""
    sc = framework.scale
    labels = " | ".join(f"{v} {sc.labels.get(v, '')}".strip() for v in range(sc.min, sc.max + 1))
    boxes = " ".join(f"☐{v}" for v in range(sc.min, sc.max + 1))  # the framework's own scale
    out = [
        f"# Staff survey: {framework.name}",
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
    out.append(f"Answer each statement on this scale: {labels}.")
    n = 0
    for f in framework.factors:
        out += ["", f"## {f.name}", ""]
        for it in f.items:
            n += 1
            out.append(f"{n}. {it.text} `[{it.id}]`  {boxes}")
        for qid, ff, prompt in framework.free_text_questions:
            if ff.id == f.id:
                out += ["", f"*{prompt}* `[{qid}]`", "", "> ", ""]
    out += ["", f"_Framework: {framework.name}. {framework.citation}_", ""]
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
    for col, width in zip("ABCDEFG", (22, 30, 10, 16, 70, 50, 14), strict=True):
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
    points = ",".join(str(v) for v in range(sc.min, sc.max + 1))
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
    wb.save(path)


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
    out.write_text(text, encoding="utf-8")
    return None


def response_template_csv(framework: Framework) -> str:
    return ",".join(response_columns(framework)) + "\n"
