"""Writes jisc_online_surveys.xlsx: Jisc Online Surveys' Excel download, cell by cell.

The layout is the one of Jisc's CSV download (see README.md in this folder: learned from
the public downloads in github.com/surveying-open-data-practices/Data-analysis, data/
results-for-idrc-surveyin-*.csv): one header row, "Unique Response Number", the numbered
questions ("1. ...", a grid's own column, then "3.1. ..." per row), "CompletionDate" last.
In the workbook the completion date is a date cell and empty answers are empty cells.
Every value below is written by hand; run `python make_jisc_xlsx.py` to rewrite the file.
"""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

GRID = "How far do you agree with each of these statements about the collaboration?"
HEADER = [
    "Unique Response Number",
    "1. Which force or organisation do you work for?",
    "2. What is your role?",
    f"3. {GRID}",
    "3.1. People in my force are open to working the way a partner force does.",
    '3.2. A "we don\'t do it that way here" attitude holds our collaboration back.',
    "3.3. Staff from partner forces are treated as part of the same team.",
    "3.4. Changes agreed for the collaboration are quietly undermined by old habits.",
    "3.5. I trust colleagues in partner forces to deliver what they have promised.",
    "3.6. I hear about the successes our collaboration has achieved.",
    "3.7. People in my force doubt that the collaboration delivers results.",
    "3.8. The collaborative unit has a good reputation in my force.",
    "4. What about the way your force does things helps or hinders working with partner forces?",
    "CompletionDate",
]
SA, A, N, D, SD = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)
NM, ED = "Northmoor Police", "Eastdale Constabulary"
OFFICER, STAFF = "Police officer", "Police staff"
ROWS = [
    ["1021344-1021335-72000101", NM, OFFICER, None, A, D, A, D, SA, A, A, SA,
     "Joint training helped us see how the other force works.", datetime(2026, 3, 1)],
    ["1021344-1021335-72000144", ED, STAFF, None, SA, SD, A, D, A, A, SA, A,
     None, datetime(2026, 3, 1)],
    ["1021344-1021335-72000187", NM, OFFICER, None, N, None, N, N, N, N, N, N,
     "Nobody told us about the changes until they were already decided.", datetime(2026, 3, 2)],
    ["1021344-1021335-72000230", ED, STAFF, None, D, A, D, A, D, D, SD, D,
     None, datetime(2026, 3, 2)],
    ["1021344-1021335-72000273", NM, OFFICER, None, A, D, SA, SD, A, SA, A, A,
     "We still do things the old way on our side of the border.", datetime(2026, 3, 3)],
    ["1021344-1021335-72000316", ED, STAFF, None, SD, SA, D, A, D, SD, D, SD,
     None, datetime(2026, 3, 3)],
]  # fmt: skip


def main() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cell in sheet["N"][1:]:
        cell.number_format = "yyyy-mm-dd"
    book.save(Path(__file__).with_name("jisc_online_surveys.xlsx"))


if __name__ == "__main__":
    main()
