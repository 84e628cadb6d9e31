"""Exchange with NVivo, ATLAS.ti, MAXQDA, QDA Miner and QualCoder: REFI-QDA files; and a
CSV codebook for Taguette, which exports REFI-QDA codebooks but imports only CSV ones.

REFI-QDA (the Rotterdam Exchange Format Initiative's QDA-XML, version 1.0 of 2019, read
with the 1.5 standard) has two files: a codebook (`.qdc`, the codes alone) and a project
(`.qdpx`, a zip holding `project.qde`, the project's XML, and a `sources` folder of plain
text). collablens writes:

* the **codebook**: one code per factor, under a group per kind ("Inhibitors",
  "Facilitators", not codable), each with its definition as the description and two
  child codes for its polarities ("Governance (barrier)", "Governance (enabler)"); a
  passage with neutral polarity is coded to the factor itself; and a code for passages
  about no factor ("None of the factors"), so that decision survives a round trip.
* the **project**: that codebook; each coder as a user; each participant as a case with
  their force, role and rank band as variables; each transcript as a text source, its
  pseudonymised plain text in `sources/`; each coded passage as a selection with its
  character positions in that text, holding one coding per coder.

Known traps in other tools' exchange, and what is done about each:
* positions that drift: positions count Unicode characters (code points) of the plain
  text exactly as it is stored, which uses "\\n" line ends only; nothing is normalised
  between writing the text and counting in it;
* the inner file named other than ``project.qde``: always ``project.qde``; on reading,
  a single ``.qde`` of any name is accepted;
* new ids on each export: every GUID is derived from what it identifies (uuid5), so the
  same workspace exports the same ids every time, and sources keep the GUID stored at
  import;
* memos dropped: collablens has no memos; a project read with notes says how many were
  not imported, rather than dropping them silently.

Every file written is validated against the REFI-QDA schemas shipped in
`interviews/schemas/` (MIT, REFI) before it is saved.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import CollablensError
from ..framework import Framework
from ..reporting import palette
from ..store import Store
from ..store.queries import interviews as q
from ..vocabulary import NO_FACTOR

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"collablens {__version__}"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/collablens/collablens/refi-qda")
KIND_GROUPS = {"inhibitor": "Inhibitors", "facilitator": "Facilitators"}
KIND_COLOURS = palette.KIND  # the report's colours, so a code looks the same in NVivo
POLARITY_COLOURS = palette.POLARITY
NONE_CODE = "None of the factors"
ATTRIBUTE_VARIABLES = {"force": "Force", "role": "Role", "rank_band": "Rank band"}


class RefiError(CollablensError):
    """A REFI-QDA file cannot be written or read; the message says why."""


def guid(*parts: object) -> str:
    """A stable GUID for what `parts` name: the same thing gets the same id every export."""
    return str(uuid.uuid5(_ROOT, "/".join(str(p) for p in parts)))


def _iso(when: datetime | None) -> str:
    when = when or datetime(2000, 1, 1, tzinfo=UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@cache
def _schema(name: str):
    import xmlschema

    with resources.as_file(resources.files("collablens.interviews") / "schemas" / name) as p:
        return xmlschema.XMLSchema(str(p))


def validate(xml: bytes, kind: str) -> None:
    """Raise RefiError unless `xml` is valid against the REFI-QDA project or codebook schema."""
    schema = _schema("Project-mrt2019.xsd" if kind == "project" else "Codebook.xsd")
    errors = list(schema.iter_errors(xml.decode("utf-8")))
    if errors:
        first = errors[0]
        raise RefiError(
            f"the {kind} file does not validate against the REFI-QDA schema "
            f"({len(errors)} errors; first at {first.path}: {first.reason})"
        )


# -- codes -----------------------------------------------------------------------------


@dataclass
class CodeIds:
    """The GUID of the code each (factor, polarity) is coded to."""

    framework: Framework
    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fw = self.framework.id
        for f in self.framework.factors:
            self.ids[(f.id, "neutral")] = guid("code", fw, f.id)
            for pol in POLARITY_COLOURS:
                self.ids[(f.id, pol)] = guid("code", fw, f.id, pol)
        self.ids[(NO_FACTOR, "neutral")] = guid("code", fw, NO_FACTOR)

    def of(self, factor: str, polarity: str) -> str | None:
        if factor == NO_FACTOR:
            return self.ids[(NO_FACTOR, "neutral")]
        return self.ids.get((factor, polarity)) or self.ids.get((factor, "neutral"))


def _codes(parent: ET.Element, ns: str, framework: Framework, ids: CodeIds) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for kind, label in KIND_GROUPS.items():
        factors = [f for f in framework.factors if f.kind == kind]
        if not factors:
            continue
        group = ET.SubElement(
            codes,
            f"{{{ns}}}Code",
            guid=guid("group", framework.id, kind),
            name=label,
            isCodable="false",
            color=KIND_COLOURS[kind],
        )
        for f in factors:
            code = ET.SubElement(
                group,
                f"{{{ns}}}Code",
                guid=ids.ids[(f.id, "neutral")],
                name=f.name,
                isCodable="true",
                color=KIND_COLOURS[kind],
            )
            ET.SubElement(code, f"{{{ns}}}Description").text = f.definition
            for pol, colour in POLARITY_COLOURS.items():
                child = ET.SubElement(
                    code,
                    f"{{{ns}}}Code",
                    guid=ids.ids[(f.id, pol)],
                    name=f"{f.name} ({pol})",
                    isCodable="true",
                    color=colour,
                )
                ET.SubElement(
                    child, f"{{{ns}}}Description"
                ).text = f"{f.name}, raised as {'a barrier' if pol == 'barrier' else 'an enabler'}."
    none = ET.SubElement(
        codes,
        f"{{{ns}}}Code",
        guid=ids.ids[(NO_FACTOR, "neutral")],
        name=NONE_CODE,
        isCodable="true",
        color=palette.NO_FACTOR_CODE,
    )
    ET.SubElement(
        none, f"{{{ns}}}Description"
    ).text = f"A passage that speaks to none of the factors of {framework.name}."


def _bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root, space="  ")
    # The declaration in double quotes, as every QDA tool writes it.
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def codebook_xml(framework: Framework) -> bytes:
    """The framework as a REFI-QDA codebook, validated."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=ORIGIN)
    _codes(root, CODEBOOK_NS, framework, CodeIds(framework))
    xml = _bytes(root, CODEBOOK_NS)
    validate(xml, "codebook")
    return xml


def write_codebook(framework: Framework, out: str | Path) -> Path:
    from ..outputs import write_atomic

    p = Path(out)
    write_atomic(p, codebook_xml(framework))
    return p


# -- the codebook as CSV, for Taguette ---------------------------------------------------

#: Taguette (1.5.2) exports a codebook as REFI-QDA but imports one only from CSV: a header
#: row naming a `name` (or `tag`, or `path`) column and, optionally, `description`.
CODEBOOK_CSV_COLUMNS = ("name", "description")


def codebook_rows(framework: Framework) -> list[tuple[str, str]]:
    """The codable codes of the REFI-QDA codebook, flat, as (name, description): each
    factor, its two polarity codes, and "None of the factors". The groups (Inhibitors,
    Facilitators) are left out: they cannot be coded, and a flat list has no place for
    them. The names are the .qdc's, so a passage coded in either reads the same."""
    rows: list[tuple[str, str]] = []
    for kind in KIND_GROUPS:
        for f in (f for f in framework.factors if f.kind == kind):
            rows.append((f.name, f.definition.strip()))
            for pol in POLARITY_COLOURS:
                raised = "a barrier" if pol == "barrier" else "an enabler"
                rows.append((f"{f.name} ({pol})", f"{f.name}, raised as {raised}."))
    rows.append((NONE_CODE, f"A passage that speaks to none of the factors of {framework.name}."))
    return rows


def codebook_csv(framework: Framework) -> bytes:
    """The codebook as a CSV file Taguette imports (UTF-8, comma-separated, a header
    row of `name`, `description`). A cell a spreadsheet would run as a formula gets a
    leading ' (`outputs.spreadsheet_text`), as every CSV collablens writes does."""
    import csv
    import io

    from ..outputs import spreadsheet_text

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CODEBOOK_CSV_COLUMNS)
    for name, description in codebook_rows(framework):
        w.writerow([spreadsheet_text(name), spreadsheet_text(description)])
    return buf.getvalue().encode("utf-8")


def write_codebook_csv(framework: Framework, out: str | Path) -> Path:
    from ..outputs import write_atomic

    p = Path(out)
    write_atomic(p, codebook_csv(framework), "codebook")
    return p


# -- the project -----------------------------------------------------------------------


@dataclass
class ProjectExport:
    path: Path
    sources: int
    selections: int
    codings: int
    coders: list[str]
    cases: int


def project_files(
    store: Store, collaboration: str, with_model: bool = False
) -> tuple[bytes, dict[str, str], ProjectExport]:
    """project.qde and the source texts (file name -> text) of a collaboration's interviews."""
    fw = store.framework
    ids = CodeIds(fw)
    with store.connect() as conn:
        if q.collaboration_created(conn, collaboration) is None:
            from ..errors import NotFound

            raise NotFound(f"no collaboration named {collaboration!r}")
        created = q.collaboration_created(conn, collaboration)
        srcs = q.export_sources(conn, collaboration)
        rows = q.export_codings(conn, collaboration, with_model)
        people = q.participant_rows(conn, collaboration)
        speaking = q.speakers_by_source(conn, collaboration)
    if not srcs:
        raise RefiError(
            f"{collaboration!r} has no interview transcripts to export "
            "(import them with `collablens import transcript`)"
        )
    ns = PROJECT_NS
    root = ET.Element(
        f"{{{ns}}}Project",
        name=collaboration,
        origin=ORIGIN,
        creatingUserGUID=guid("user", "collablens"),
        creationDateTime=_iso(created),
    )
    coders = sorted({r.coder for r in rows})
    users = ET.SubElement(root, f"{{{ns}}}Users")
    ET.SubElement(users, f"{{{ns}}}User", guid=guid("user", "collablens"), name="collablens")
    for c in coders:
        ET.SubElement(users, f"{{{ns}}}User", guid=guid("user", c), name=c)
    book = ET.SubElement(root, f"{{{ns}}}CodeBook")
    _codes(book, ns, fw, ids)
    variables = ET.SubElement(root, f"{{{ns}}}Variables")
    for attr, label in ATTRIBUTE_VARIABLES.items():
        ET.SubElement(
            variables,
            f"{{{ns}}}Variable",
            guid=guid("variable", attr),
            name=label,
            typeOfVariable="Text",
        )
    by_participant: dict[str, list[str]] = {}
    for s in srcs:  # a participant's sources: those they speak in (group interviews too)
        for key in speaking.get(s.guid, [s.participant] if s.participant else []):
            by_participant.setdefault(key, []).append(s.guid)
    cases = ET.SubElement(root, f"{{{ns}}}Cases")
    for key, attrs in people.items():
        case = ET.SubElement(
            cases, f"{{{ns}}}Case", guid=guid("case", collaboration, key), name=key
        )
        for attr in ATTRIBUTE_VARIABLES:
            if attrs.get(attr):
                value = ET.SubElement(case, f"{{{ns}}}VariableValue")
                ET.SubElement(value, f"{{{ns}}}VariableRef", targetGUID=guid("variable", attr))
                ET.SubElement(value, f"{{{ns}}}TextValue").text = str(attrs[attr])
        for sg in by_participant.get(key, []):
            ET.SubElement(case, f"{{{ns}}}SourceRef", targetGUID=sg)
    if not len(cases):
        root.remove(cases)
    sources_el = ET.SubElement(root, f"{{{ns}}}Sources")
    texts: dict[str, str] = {}
    by_source: dict[int, list[Any]] = {}
    for r in rows:
        by_source.setdefault(int(r.source_id), []).append(r)
    selections = codings = 0
    for s in srcs:
        name = f"{s.guid}.txt"
        texts[name] = s.text
        src = ET.SubElement(
            sources_el,
            f"{{{ns}}}TextSource",
            guid=s.guid,
            name=s.name,
            plainTextPath=f"internal://{name}",
            creationDateTime=_iso(s.imported_at),
        )
        spans: dict[tuple[int, int], list[Any]] = {}
        for r in by_source.get(int(s.id), []):
            spans.setdefault((int(r.start_char), int(r.end_char)), []).append(r)
        for (start, end), coded in sorted(spans.items()):
            sel_guid = guid("selection", s.guid, start, end)
            first = min(coded, key=lambda r: _iso(r.coded_at))
            sel = ET.SubElement(
                src,
                f"{{{ns}}}PlainTextSelection",
                guid=sel_guid,
                name=s.text[start:end][:60],
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=guid("user", first.coder),
                creationDateTime=_iso(first.coded_at),
            )
            selections += 1
            for r in coded:
                code = ids.of(r.factor_id, r.polarity)
                if code is None:
                    continue  # a code of a factor no longer in the framework
                coding = ET.SubElement(
                    sel,
                    f"{{{ns}}}Coding",
                    guid=guid("coding", sel_guid, r.coder),
                    creatingUser=guid("user", r.coder),
                    creationDateTime=_iso(r.coded_at),
                )
                ET.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=code)
                codings += 1
    xml = _bytes(root, ns)
    validate(xml, "project")
    return xml, texts, ProjectExport(Path(), len(srcs), selections, codings, coders, len(people))


def write_project(
    store: Store, collaboration: str, out: str | Path, with_model: bool = False
) -> ProjectExport:
    """Write a .qdpx: project.qde and sources/<guid>.txt, in a zip, atomically."""
    from ..outputs import write_atomic

    xml, texts, result = project_files(store, collaboration, with_model)
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, text in texts.items():
            z.writestr(f"sources/{name}", text.encode("utf-8"))
    p = Path(out)
    write_atomic(p, buf.getvalue())
    result.path = p
    return result
