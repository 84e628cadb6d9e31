"""Write the malformed-input corpus: small files that each must be refused cleanly.

Run from the repository root to rewrite the files (they are committed, so the tests do
not depend on this script's output changing): ``python tests/data/malformed/make_corpus.py``.

Each file is listed in ``expected.json`` with the parts its error must name (file, and
row, column and value where they apply) and how it is imported: into "North East",
which already declares its forces (Northmoor Police, Eastdale Constabulary), unless the
entry names a fresh collaboration, as wave "2026", with any options given.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

from collablens.framework import load_framework

HERE = Path(__file__).parent
FW = load_framework()
ITEMS = [it.id for _, it in FW.items]
TEXTS = [q for q, _, _ in FW.free_text_questions]
HEADER = ["respondent_id", "force", "role", "rank_band", "length_of_service", *ITEMS, TEXTS[0]]
FORCES = ["Northmoor Police", "Eastdale Constabulary", "Northmoor Police"]
ROLES = ["Police officer", "Police staff", "PCC staff"]
RANKS = ["Constable or staff equivalent", "Sergeant or Inspector or equivalent"] * 2
SERVICE = ["Less than 2 years", "2 to 5 years", "6 to 15 years"]

EXPECTED: dict[str, dict] = {}


def rows() -> list[list[str]]:
    """A good file: three respondents answering every item, spreadsheet rows 2 to 4."""
    out = [list(HEADER)]
    for i in range(3):
        answers = [str((i + j) % 5 + 1) for j in range(len(ITEMS))]
        text = "Joint training helped." if i == 0 else ""
        out.append([f"M{i + 1}", FORCES[i], ROLES[i], RANKS[i], SERVICE[i], *answers, text])
    return out


def put(grid: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """Set a cell by spreadsheet row number (header = 1) and header."""
    grid[row - 1][grid[0].index(column)] = value
    return grid


def to_csv(grid: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(grid)
    return buf.getvalue()


def expect(name: str, *names: str, **how) -> None:
    """`names`: what the error must mention besides the file (row, column, value...)."""
    EXPECTED[name] = {"mentions": list(names), **how}


def write(name: str, data: bytes | str, *names: str, encoding: str = "utf-8", **how) -> None:
    raw = data.encode(encoding) if isinstance(data, str) else data
    (HERE / name).write_bytes(raw)
    expect(name, *names, **how)


def bad_answer(name: str, value: str, *more: str, row: int = 3, column: str = "trust_2") -> None:
    grid = put(rows(), row, column, value)
    write(name, to_csv(grid), f"row {row}", f"'{column}'", repr(value), *more)


def workbook(grid: list[list[object]]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Responses"
    for r in grid:
        ws.append(r)
    return wb


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zipped(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def xlsx_parts(sheet_xml: str, shared: list[str] | None = None) -> dict[str, bytes | str]:
    """The smallest workbook Excel and openpyxl read: one sheet, optional shared strings."""
    ct_shared = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared is not None
        else ""
    )
    rel_shared = (
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        if shared is not None
        else ""
    )
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            f"{ct_shared}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{rel_shared}</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>'
        )
    return parts


SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{}</sheetData></worksheet>"
)


def forge_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose directory claims `member` unzips to `size` bytes (it does not)."""
    out = bytearray(data)
    name = member.encode()
    central = out.find(b"PK\x01\x02" + b"\x00" * 0)  # first central directory entry
    while central != -1:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", out, central + 24, size)
            local = struct.unpack_from("<I", out, central + 42)[0]
            struct.pack_into("<I", out, local + 22, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in ("make_corpus.py", "README.md"):
            old.unlink()

    # -- answers are never silently changed (point 7) ----------------------------------
    bad_answer("answer_minus_one.csv", "-1")
    bad_answer("answer_minus_five.csv", "-5")
    bad_answer("answer_99.csv", "99", "--missing-code")
    bad_answer("answer_minus_99.csv", "-99", "--missing-code")
    bad_answer("answer_six.csv", "6")
    bad_answer("answer_zero.csv", "0", row=2, column="cultures_1")
    bad_answer("answer_decimal.csv", "3.5")
    bad_answer("answer_stars.csv", "\u2605\u2605\u2605\u2605")
    bad_answer("answer_fullwidth_ten.csv", "\uff11\uff10")
    bad_answer("answer_arabic_indic_nine.csv", "\u0669")
    bad_answer("answer_emoji.csv", "\U0001f44d")
    bad_answer("answer_typo.csv", "Agreee")
    bad_answer("answer_label_with_minus.csv", "-1 - Strongly disagree")
    bad_answer("answer_em_dash.csv", "\u2014")
    bad_answer("answer_percent.csv", "80%")
    bad_answer("answer_bell_character.csv", "4\x07")
    grid = rows()
    text = to_csv(grid).replace(",3,", ',"3,', 1)  # a quote opened in row 2, never closed
    write("answer_unclosed_quote.csv", text, "row 2", "column H", "quotation mark", "never closed")
    grid = rows()
    grid[3][HEADER.index("trust_2")] = "4\x00"
    write("answer_nul.csv", to_csv(grid), "row 4", "column", "NUL")
    EXPECTED["answer_nul.csv"]["mentions"].append("'4\\x00'")

    wb = workbook([HEADER, *rows()[1:]])
    wb.active["AD3"] = "=SUM(AA3:AC3)"  # written by a script: no result saved with it
    write("formula_without_result.xlsx", save(wb), "row 3", "column AD", "=SUM(AA3:AC3)")

    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(vals)
        )
        + "</row>"
        for r, vals in enumerate(
            [["respondent_id", "force", "trust_1"], ["E1", "Northmoor Police", "4"]], start=1
        )
    )
    cells += '<row r="3"><c r="A3" t="inlineStr"><is><t>E2</t></is></c>'
    cells += '<c r="B3" t="inlineStr"><is><t>Northmoor Police</t></is></c>'
    cells += '<c r="C3" t="e"><v>#DIV/0!</v></c></row>'
    write(
        "excel_error_value.xlsx",
        zipped(xlsx_parts(SHEET.format(cells))),
        "row 3",
        "'trust_1'",
        "'#DIV/0!'",
    )

    grid = [[*HEADER, "Wave"]] + [[*r, "2026"] for r in rows()[1:]]
    grid[2][-1] = "2025"
    write("wave_column_disagrees.csv", to_csv(grid), "row 3", "'Wave'", "'2025'", "2026")
    grid = [[*HEADER, "Survey wave"]] + [[*r, w] for r, w in zip(rows()[1:], "ABA", strict=True)]
    write("wave_column_other_waves.csv", to_csv(grid), "row 2", "'Survey wave'", "'A'")
    grid = rows()
    for r in grid[1:]:
        r[1] = ""
    write("force_column_blank.csv", to_csv(grid), "column 'force'", "blank in every row")

    # -- attributes are not free text (point 6) ------------------------------------------
    def attr(name: str, column: str, value: str, *more: str, fresh: bool = False) -> None:
        grid = put(rows(), 3, column, value)
        how = {"collaboration": "South West"} if fresh else {}
        value = value.strip()
        shown = repr(value) if len(value) <= 60 else repr(value[:40])[:-1]  # cut in messages
        write(name, to_csv(grid), "row 3", f"'{column}'", shown, *more, **how)

    attr("force_not_declared.csv", "force", "Durham Constabulary", "not a declared force")
    attr("force_typo_suggested.csv", "force", "Northmoor Polise", "did you mean")
    attr(
        "force_personal_data.csv",
        "force",
        "Durham (DC 1234 Jane Doe, 07700 900123)",
        "cannot be a force name",
        fresh=True,
    )
    attr("force_email.csv", "force", "jane.doe@durham.police.uk", "@", fresh=True)
    attr("force_web_address.csv", "force", "www.durham.police.uk", "web address", fresh=True)
    attr("force_digits.csv", "force", "Force 7", "digits", fresh=True)
    attr("force_titled_name.csv", "force", "Sgt Hargreaves", "personal data", fresh=True)
    attr(
        "force_free_text.csv",
        "force",
        "I work across both forces and the joint unit, depending on the week",
        "characters long",
        fresh=True,
    )
    attr("force_control_characters.csv", "force", "North\x1b[31mmoor", "control", fresh=True)
    grid = put(rows(), 3, "force", "Northmoor Polise")
    write(
        "force_near_duplicate.csv",
        to_csv(grid),
        "'Northmoor Police' (row 2)",
        "'Northmoor Polise' (row 3)",
        "spelt two ways",
        collaboration="South West",
    )
    grid = [HEADER] + [
        [f"F{i}", f"Force {chr(65 + i // 26)}{chr(65 + i % 26)}x", *rows()[1][2:]]
        for i in range(120)
    ]
    for r in grid[1:]:
        r[1] = r[1].replace("Force ", "Constabulary of ")
    write(
        "force_column_is_free_text.csv",
        to_csv(grid),
        "column 'force'",
        "different values",
        collaboration="South West",
    )
    attr("role_personal_data.csv", "role", "Sgt John Smith collar 4521", "options for role")
    attr("role_not_an_option.csv", "role", "Detective", "options for role")
    attr("rank_not_an_option.csv", "rank_band", "Superintendent", "options for rank")
    attr("service_not_an_option.csv", "length_of_service", "25 years", "options for length")
    write(
        "force_disagrees_with_option.csv",
        to_csv(rows()),
        "row 3",
        "'force'",
        "'Eastdale Constabulary'",
        "--force",
        force="Northmoor Police",
    )
    write(
        "force_option_not_declared.csv",
        to_csv([r[:1] + r[2:] for r in rows()]),
        "--force",
        "'Tarn Valley'",
        "not a declared force",
        force="Tarn Valley",
    )

    # -- files that are not what they are named (point 8) -------------------------------
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    write("image_named.xlsx", png, "PNG image")
    write("image_named.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 40, "JPEG image")
    write("pdf_named.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF")
    write("zip_without_workbook.xlsx", zipped({"notes.txt": "hello"}), "no Excel workbook")
    write(
        "zip_holding_a_csv.xlsx",
        zipped({"export/responses.csv": to_csv(rows())}),
        "no Excel workbook",
        "unzip it and import 'export/responses.csv'",
    )
    write(
        "word_document_named.xlsx",
        zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
        "Word document",
    )
    write(
        "opendocument_named.xlsx",
        zipped(
            {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
        ),
        "OpenDocument",
    )
    write("damaged_zip.xlsx", b"PK\x03\x04" + b"\x14\x00" * 30, "damaged")
    write("empty_zip.xlsx", b"PK\x05\x06" + b"\x00" * 18, "no Excel workbook", "empty")
    write("empty.csv", b"", "empty")
    write("blank_lines_only.csv", "\r\n\r\n   \r\n", "empty")
    write("byte_order_mark_only.csv", b"\xef\xbb\xbf", "empty")
    write("old_excel_named.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "97-2003")
    write("web_page_named.xlsx", "<html><body><table><tr><td>1</td></tr></table>", "web page")
    write("gzip_named.csv", b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip")
    write("binary_data.csv", bytes(range(1, 32)) * 40, "binary")
    write("undecodable.csv", bytes(range(128, 256)) * 4, "encoding")
    write("wrong_suffix.json", to_csv(rows()), "unsupported file type '.json'")

    # -- sizes: cells and files have limits ---------------------------------------------
    parts = xlsx_parts(
        SHEET.format('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')
    )
    data = forge_size(zipped(parts), "xl/worksheets/sheet1.xml", 900 * 1024 * 1024)
    write("zip_bomb_declared.xlsx", data, "unzips to", "zip bomb")

    long_text = "collaboration " * 2200  # 30,800 characters, under the cell limit
    cells = ['<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row>']
    for r in range(2, 3402):
        cells.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>0</v></c></row>')
    data = zipped(
        xlsx_parts(SHEET.format("".join(cells)), [long_text, "respondent_id", "trust_text"])
    )
    write("text_bomb_shared_strings.xlsx", data, "characters together", "exhaust memory")

    big = "word " * 8000  # 40,000 characters in one cell
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>respondent_id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>trust_text</t></is></c></row>'
        f'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>{big}</t></is></c></row>'
    )
    write(
        "cell_too_long.xlsx",
        zipped(xlsx_parts(SHEET.format(cells))),
        "row 2",
        "column B",
        "40,000 characters",
        "'word word",
    )

    rows_xml = "<row><c><v>1</v></c></row>" * 260_000
    write("too_many_rows.xlsx", zipped(xlsx_parts(SHEET.format(rows_xml))), "250,000 rows")

    # (A CSV cell has no limit of its own: a 200,000-character comment imports, in
    # tests/test_long_text.py.)
    write(
        "too_many_columns.csv",
        ",".join(f"c{i}" for i in range(2100)) + "\r\n" + ",".join("1" * 2100) + "\r\n",
        "2,100 columns",
    )

    # -- separators and encodings: read, or explained -----------------------------------
    grid = put(rows(), 4, "trust_2", "Agreee")
    write("semicolons_bad_value.csv", to_csv(grid, ";"), "row 4", "'trust_2'", "'Agreee'")
    write(
        "semicolons_with_sep_line.csv",
        "sep=;\r\n" + to_csv(put(rows(), 3, "trust_1", "7"), ";"),
        "row 3",
        "'trust_1'",
        "'7'",
    )
    write("tabs_bad_value.tsv", to_csv(put(rows(), 2, "trust_3", "8"), "\t"), "row 2", "'8'")
    write(
        "utf16_bad_value.csv",
        to_csv(put(rows(), 3, "trust_4", "-2"), "\t"),
        "row 3",
        "'trust_4'",
        "'-2'",
        encoding="utf-16",
    )
    write(
        "utf16_without_bom.csv",
        to_csv(put(rows(), 4, "trust_4", "0"), "\t"),
        "row 4",
        "'trust_4'",
        "'0'",
        encoding="utf-16-le",
    )
    write(
        "windows_1252_bad_value.csv",
        to_csv(put(rows(), 2, "trust_1", "D\u00e9saccord")),
        "row 2",
        "'trust_1'",
        "'D\u00e9saccord'",
        encoding="cp1252",
    )
    write("pipes.csv", to_csv(rows(), "|"), "no column matches", "'|'")
    write("text_named.xlsx", to_csv(put(rows(), 2, "trust_1", "11")), "row 2", "'trust_1'", "'11'")

    # -- NUL bytes: refused alike on every backend --------------------------------------
    grid = rows()
    grid[1][HEADER.index(TEXTS[0])] = "Joint\x00training"
    write("nul_in_free_text.csv", to_csv(grid), "row 2", "NUL", "'Joint\\x00training'")
    grid = rows()
    grid[3][1] = "Eastdale\x00Constabulary"
    write("nul_in_force.csv", to_csv(grid), "row 4", "column B", "NUL")
    grid = rows()
    grid[2][0] = "M\x002"
    write("nul_in_respondent_id.csv", to_csv(grid), "row 3", "column A", "NUL")
    grid = [[*HEADER, "notes\x00"]] + [[*r, ""] for r in rows()[1:]]
    write("nul_in_header.csv", to_csv(grid), "row 1", "NUL", "'notes\\x00'")

    # -- other shapes --------------------------------------------------------------------
    grid = rows()
    grid[3][0] = "M1"
    write(
        "duplicate_respondent_id.csv",
        to_csv(grid),
        "row 4",
        "'respondent_id'",
        "'M1'",
        "appears twice",
    )
    grid = rows()
    grid[2][0] = ""
    write("blank_respondent_id.csv", to_csv(grid), "row 3", "'respondent_id'", "empty")
    write("header_only.csv", to_csv(rows()[:1]), "no answers found")
    write("no_item_columns.csv", "name_of_team,colour\r\nA,blue\r\n", "no column matches")
    grid = rows()
    grid[2].append("stray")
    write("row_longer_than_header.csv", to_csv(grid), "row 3", "no header", "'stray'")
    grid = [[*HEADER, "[/x] [bold]notes"]] + [[*r, "n"] for r in rows()[1:]]
    grid[2][HEADER.index("trust_1")] = "[red]5"
    write("markup_in_header_and_value.csv", to_csv(grid), "row 3", "'trust_1'", "'[red]5'")
    wb = workbook([HEADER, *rows()[1:]])
    wb.active["AE4"] = "Agree-ish"
    write("workbook_bad_value.xlsx", save(wb), "row 4", "'Agree-ish'")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    write("xml_entity_bomb.xlsx", zipped(xlsx_parts(bomb)), "cannot be read")
    grid = put(rows(), 2, "trust_1", "Agree")
    grid = put(grid, 3, "trust_1", "Somewhat agree")  # beside "Agree": a seven-point scale
    write("seven_point_labels.csv", to_csv(grid), "row 3", "'trust_1'", "'Somewhat agree'")

    (HERE / "expected.json").write_text(
        json.dumps(EXPECTED, indent=1, ensure_ascii=True, sort_keys=True) + "\n", "utf-8"
    )
    print(f"{len(EXPECTED)} files written to {HERE}")


if __name__ == "__main__":
    main()
