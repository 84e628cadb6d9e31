"""Write the XLSX fixtures beside this script, each in its tool's export layout.

Every cell is typed out here by hand, as the tool writes it (see README.md beside this
script for where each layout was learned). Run only to change a fixture on purpose:
``python tests/data/exports/make_xlsx.py``; the tests read the .xlsx files, never this.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

# fmt: off

HERE = Path(__file__).parent
MATRIX = "How far do you agree with each of these statements about the collaboration?"
STATEMENTS = [
    "People in my force are open to working the way a partner force does.",
    'A "we don\'t do it that way here" attitude holds our collaboration back.',
    "Staff from partner forces are treated as part of the same team.",
    "Changes agreed for the collaboration are quietly undermined by old habits.",
    "I trust colleagues in partner forces to deliver what they have promised.",
    "I hear about the successes our collaboration has achieved.",
    "People in my force doubt that the collaboration delivers results.",
    "The collaborative unit has a good reputation in my force.",
]
FREE = "What about the way your force does things helps or hinders working with partner forces?"
SA, A, N, D, SD = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)
NP, EC = "Northmoor Police", "Eastdale Constabulary"


def save(name: str, sheet: str, rows: list[list[object]]) -> None:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "mm/dd/yyyy hh:mm:ss AM/PM"
    book.save(HERE / name)


# -- SurveyMonkey, 2014 expanded layout: its HTML kept in the header rows ------------------
save(
    "surveymonkey_2014.xlsx",
    "Sheet",
    [
        ["RespondentID", "CollectorID", "StartDate", "EndDate", "IP Address", "Email Address",
         "First Name", "LastName", "Custom Data",
         "<strong>Which force or organisation</strong><br>do you work for?",
         "What is your role?", None,
         f'<span style="font-size: 10pt;">{MATRIX}</span>', None, None, None, None, None,
         None, None, f"<p>{FREE}</p>"],
        [None, None, None, None, None, None, None, None, None, "Response", "Response",
         "Other (please specify)", STATEMENTS[0],
         "A &quot;we don&#39;t do it that way here&quot; attitude holds our collaboration back.",
         *STATEMENTS[2:], "Open-Ended Response"],
        [3318150201, 52310544, "03/01/2026 09:02:11 AM", "03/01/2026 09:09:47 AM",
         "81.2.69.140", "jane.doe@northmoor.police.uk", "Jane", "Doe", None, NP,
         "Police officer", None, A, D, A, D, SA, A, A, SA,
         "Joint training helped us see how the other force works."],
        [3318150377, 52310544, "03/02/2026 10:15:03 AM", "03/02/2026 10:21:40 AM",
         "81.2.69.141", None, None, None, None, EC, "Police staff", None,
         SA, SD, A, D, A, A, SA, A, None],
        [3318150412, 52310544, "03/03/2026 01:40:55 PM", "03/03/2026 01:52:19 PM",
         "81.2.69.142", None, None, None, None, NP, "Police officer", None,
         N, None, N, N, N, N, N, N,
         "Nobody told us about the changes\nuntil they were already decided."],
        [3318150598, 52310544, "03/04/2026 08:05:30 AM", "03/04/2026 08:11:02 AM",
         "81.2.69.143", None, None, None, None, EC, "Police staff", None,
         D, A, D, A, D, D, SD, D, None],
        [3318150644, 52310544, "03/05/2026 03:22:41 PM", "03/05/2026 03:30:12 PM",
         "81.2.69.144", None, None, None, None, NP, "Police officer", None,
         A, D, SA, SD, A, SA, A, A,
         "We still do things the old way on our side of the border."],
        [3318150730, 52310544, "03/06/2026 11:48:09 AM", "03/06/2026 11:55:57 AM",
         "81.2.69.145", None, None, None, None, EC, "Police staff", None,
         SD, SA, D, A, D, SD, D, SD, None],
        [3318150861, 52310544, "03/07/2026 09:30:00 AM", "03/07/2026 09:36:44 AM",
         "81.2.69.146", None, None, None, None, NP, None, "Analyst in the joint unit",
         A, N, A, N, A, A, A, N, None],
        [3318150905, 52310544, "03/08/2026 04:10:18 PM", "03/08/2026 04:19:33 PM",
         "81.2.69.147", None, None, None, None, EC, "Police staff", None,
         SA, D, A, SD, SA, SA, A, SA, "The shared team now feels like one team."],
    ],
)

# -- SurveyMonkey, current XLSX layout: dates as dates, ids as numbers ---------------------
save(
    "surveymonkey_current.xlsx",
    "Sheet",
    [
        ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
         "Email Address", "First Name", "Last Name", "Custom Data 1",
         "Which force or organisation do you work for?", "What is your role?", None,
         MATRIX, None, None, None, None, None, None, None, FREE],
        [None, None, None, None, None, None, None, None, None, "Response", "Response",
         "Other (please specify)", *STATEMENTS, "Open-Ended Response"],
        [118052219061, 446111201, datetime(2026, 3, 1, 9, 2, 11), datetime(2026, 3, 1, 9, 9, 47),
         "81.2.69.140", "jane.doe@northmoor.police.uk", "Jane", "Doe", None, NP,
         "Police officer", None, A, D, A, D, SA, A, A, SA,
         "Joint training helped us see how the other force works."],
        [118052231544, 446111201, datetime(2026, 3, 2, 10, 15, 3),
         datetime(2026, 3, 2, 10, 21, 40), "81.2.69.141", None, None, None, None, EC,
         "Police staff", None, SA, SD, A, D, A, A, SA, A, None],
        [118052240087, 446111201, datetime(2026, 3, 3, 13, 40, 55),
         datetime(2026, 3, 3, 13, 52, 19), "81.2.69.142", None, None, None, None, NP,
         "Police officer", None, N, None, N, N, N, N, N, N,
         "Nobody told us about the changes\nuntil they were already decided."],
        [118052257310, 446111201, datetime(2026, 3, 4, 8, 5, 30), datetime(2026, 3, 4, 8, 11, 2),
         "81.2.69.143", None, None, None, None, EC, "Police staff", None,
         D, A, D, A, D, D, SD, D, None],
        [118052263925, 446111201, datetime(2026, 3, 5, 15, 22, 41),
         datetime(2026, 3, 5, 15, 30, 12), "81.2.69.144", None, None, None, None, NP,
         "Police officer", None, A, D, SA, SD, A, SA, A, A,
         "We still do things the old way on our side of the border."],
        [118052270418, 446111201, datetime(2026, 3, 6, 11, 48, 9),
         datetime(2026, 3, 6, 11, 55, 57), "81.2.69.145", None, None, None, None, EC,
         "Police staff", None, SD, SA, D, A, D, SD, D, SD, None],
        [118052288853, 446111201, datetime(2026, 3, 7, 9, 30, 0), datetime(2026, 3, 7, 9, 36, 44),
         "81.2.69.146", None, None, None, None, NP, None, "Analyst in the joint unit",
         A, N, A, N, A, A, A, N, None],
        [118052291176, 446111201, datetime(2026, 3, 8, 16, 10, 18),
         datetime(2026, 3, 8, 16, 19, 33), "81.2.69.147", None, None, None, None, EC,
         "Police staff", None, SA, D, A, SD, SA, SA, A, SA,
         "The shared team now feels like one team."],
    ],
)

# -- Qualtrics XLSX: the CSV's three header rows, choice text, one preview, one unfinished --
SWA, SWD = "Somewhat agree", "Somewhat disagree"
IDS = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
       "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
       "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
       "DistributionChannel", "UserLanguage", "Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4",
       "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q5"]
LABELS = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
          "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
          "Recipient Last Name", "Recipient First Name", "Recipient Email",
          "External Data Reference", "Location Latitude", "Location Longitude",
          "Distribution Channel", "User Language",
          "Which force or organisation do you work for?", "What is your role?",
          *(f"{MATRIX} - {s}" for s in STATEMENTS), FREE]
IMPORT = ['{"ImportId":"startDate","timeZone":"Europe/London"}',
          '{"ImportId":"endDate","timeZone":"Europe/London"}', '{"ImportId":"status"}',
          '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
          '{"ImportId":"finished"}', '{"ImportId":"recordedDate","timeZone":"Europe/London"}',
          '{"ImportId":"_recordId"}', '{"ImportId":"recipientLastName"}',
          '{"ImportId":"recipientFirstName"}', '{"ImportId":"recipientEmail"}',
          '{"ImportId":"externalDataReference"}', '{"ImportId":"locationLatitude"}',
          '{"ImportId":"locationLongitude"}', '{"ImportId":"distributionChannel"}',
          '{"ImportId":"userLanguage"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}',
          '{"ImportId":"QID3_1"}', '{"ImportId":"QID3_2"}', '{"ImportId":"QID3_3"}',
          '{"ImportId":"QID3_4"}', '{"ImportId":"QID4_1"}', '{"ImportId":"QID4_2"}',
          '{"ImportId":"QID4_3"}', '{"ImportId":"QID4_4"}', '{"ImportId":"QID5_TEXT"}']
save(
    "qualtrics.xlsx",
    "Sheet0",
    [
        IDS,
        LABELS,
        IMPORT,
        ["2026-03-01 09:00:12", "2026-03-01 09:10:40", "IP Address", "81.2.69.140", 100, 628,
         "True", "2026-03-01 09:10:41", "R_3kNq8Zp2XwLmA1b", "Doe", "Jane",
         "jane.doe@northmoor.police.uk", None, 54.9, -1.6, "anonymous", "EN-GB", NP,
         "Police officer", SWA, SWD, SWA, SWD, SA, SWA, SWA, SA,
         "Joint training helped us see how the other force works."],
        ["2026-03-02 10:15:03", "2026-03-02 10:21:40", "IP Address", "81.2.69.141", 100, 397,
         "True", "2026-03-02 10:21:41", "R_1dGh5Tr9YuIoP2c", None, None, None, None, 54.901,
         -1.601, "anonymous", "EN-GB", EC, "Police staff", SA, SD, SWA, SWD, SWA, SWA, SA, SWA,
         None],
        ["2026-03-03 13:40:55", "2026-03-03 13:52:19", "IP Address", "81.2.69.142", 100, 684,
         "True", "2026-03-03 13:52:20", "R_2eFj6Us0ZvJpQ3d", None, None, None, None, 54.902,
         -1.602, "anonymous", "EN-GB", NP, "Police officer", N, None, N, N, N, N, N, N,
         "Nobody told us about the changes\nuntil they were already decided."],
        ["2026-03-04 08:05:30", "2026-03-04 08:11:02", "IP Address", "81.2.69.143", 100, 332,
         "True", "2026-03-04 08:11:03", "R_4gHk7Vt1AwKqR4e", None, None, None, None, 54.903,
         -1.603, "anonymous", "EN-GB", EC, "Police staff", SWD, SWA, SWD, SWA, SWD, SWD, SD,
         SWD, None],
        ["2026-03-05 15:22:41", "2026-03-05 15:30:12", "IP Address", "81.2.69.144", 100, 451,
         "True", "2026-03-05 15:30:13", "R_5hIl8Wu2BxLrS5f", None, None, None, None, 54.904,
         -1.604, "anonymous", "EN-GB", NP, "Police officer", SWA, SWD, SA, SD, SWA, SA, SWA,
         SWA, "We still do things the old way on our side of the border."],
        ["2026-03-06 11:48:09", "2026-03-06 11:55:57", "Survey Preview", "81.2.69.145", 100,
         468, "True", "2026-03-06 11:55:58", "R_9pReVieW0000001", None, None, None, None,
         54.905, -1.605, "preview", "EN-GB", NP, "Police officer", SA, SA, SA, SA, SA, SA, SA,
         SA, "Testing the survey before it goes live."],
        ["2026-03-06 11:49:09", "2026-03-06 11:56:57", "IP Address", "81.2.69.146", 100, 468,
         "True", "2026-03-06 11:56:58", "R_6iJm9Xv3CyMsT6g", None, None, None, None, 54.906,
         -1.606, "anonymous", "EN-GB", EC, "Police staff", SD, SA, SWD, SWA, SWD, SD, SWD, SD,
         None],
        ["2026-03-07 09:30:00", "2026-03-07 09:36:44", "IP Address", "81.2.69.147", 100, 404,
         "True", "2026-03-07 09:36:45", "R_7jKn0Yw4DzNtU7h", None, None, None, None, 54.907,
         -1.607, "anonymous", "EN-GB", NP, "Police officer", SWA, N, SWA, N, SWA, SWA, SWA, N,
         None],
        ["2026-03-08 16:10:18", "2026-03-08 16:19:33", "IP Address", "81.2.69.148", 100, 555,
         "True", "2026-03-08 16:19:34", "R_8kLo1Zx5EaOuV8i", None, None, None, None, 54.908,
         -1.608, "anonymous", "EN-GB", EC, "Police staff", SA, SWD, SWA, SD, SA, SA, SWA, SA,
         "The shared team now feels like one team."],
        ["2026-03-09 12:00:00", "2026-03-09 12:04:10", "IP Address", "81.2.69.149", 38, 250,
         "False", "2026-03-16 12:04:11", "R_9pArTiAl000003", None, None, None, None, 54.909,
         -1.609, "anonymous", "EN-GB", NP, "Police officer", SWD, SWD, SWD, None, None, None,
         None, None, None],
    ],
)
