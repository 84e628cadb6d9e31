"""Read REFI-QDA codebooks and projects written by NVivo, ATLAS.ti, MAXQDA, QualCoder,
Taguette or collablens itself.

* A **codebook** (`.qdc`, or the codebook inside a project) becomes a framework draft: a
  YAML file with one factor per codable code, its description as the definition, for a
  person to finish (kinds, survey items) before `collablens framework validate` accepts it.
* A **project** (`.qdpx`) adds its text sources to a collaboration as transcripts, and
  its codings as people's codes, each under the name of the user who coded it.

A project from another tool holds text as its users typed it: names included. Nothing is
stored before it is pseudonymised as a transcript import is: each speaker label becomes
"Interviewer" or a participant pseudonym, names in speech are replaced, and the redactor
runs. Selections are moved with the text they select (`_Remap`), so a coding still
covers the same words after a name in front of it became "[NAME]".

Codings are attached to collablens' passages (the sentences of participants' turns): a
passage gets a coder's code when that coder's selection covers at least half of it. A
project collablens exported selects exactly its passages, so its round trip is exact;
another tool's selections are rounded to sentences, and the result says how many
selections found no passage. Codes that match no factor (by collablens' GUID or by name)
are listed, and their codings left out. Notes (memos) are counted and reported: collablens
has no memos to keep them in.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import yaml

from ..framework import Framework
from ..store import Store
from ..store.forces import collaboration_id, declared_forces
from ..store.queries import interviews as q
from ..store.queries.coding import set_human_code
from ..store.queries.waves import ensure_collaboration
from ..text.redact import redact_many
from ..vocabulary import MODEL_CODER, NO_FACTOR
from .importer import StoredTurn, _declared, _next_ids, store_source, unique_source_name
from .pseudonymise import INTERVIEWER, _name_pattern, is_interviewer_label, is_role_label
from .refiqda import CODEBOOK_NS, NONE_CODE, PROJECT_NS, CodeIds, RefiError

_LABEL = re.compile(r"(?P<label>[^\W\d_][\w.'’\- ]{0,60}?):[ \t]+")
_PSEUDONYM = re.compile(r"^[A-Za-z]{1,4}-?\d{1,4}$")  # P03, INT-2: never a person's name
MAX_QDPX_BYTES = 500 * 1024 * 1024  # unpacked: a zip bomb stops here


@dataclass
class QdaCode:
    guid: str
    name: str
    codable: bool
    description: str = ""
    children: list[QdaCode] = field(default_factory=list)
    parent: QdaCode | None = None


def _codes(parent: ET.Element | None, ns: str, up: QdaCode | None = None) -> list[QdaCode]:
    out: list[QdaCode] = []
    if parent is None:
        return out
    for el in parent.findall(f"{{{ns}}}Code"):
        code = QdaCode(
            el.get("guid", ""),
            el.get("name", ""),
            el.get("isCodable", "true").lower() != "false",
            (el.findtext(f"{{{ns}}}Description") or "").strip(),
            parent=up,
        )
        code.children = _codes(el, ns, code)
        out.append(code)
    return out


def _walk(codes: list[QdaCode]):
    for c in codes:
        yield c
        yield from _walk(c.children)


def _parse(data: bytes, where: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise RefiError(f"{where}: is not XML that can be read ({exc})") from None


def read_codebook(path: str | Path) -> list[QdaCode]:
    """The code tree of a .qdc codebook, or of the codebook inside a .qde or .qdpx."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RefiError(f"{p}: cannot read: {exc.strerror}") from None
    if zipfile.is_zipfile(p):
        data, _ = _project_xml(p)
    root = _parse(data, str(p))
    for ns in (CODEBOOK_NS, PROJECT_NS):
        if root.tag == f"{{{ns}}}CodeBook":
            return _codes(root.find(f"{{{ns}}}Codes"), ns)
        if root.tag == f"{{{ns}}}Project":
            return _codes(root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes"), ns)
    raise RefiError(
        f"{p}: is not a REFI-QDA codebook or project (its root is {root.tag!r}, not "
        f"CodeBook in {CODEBOOK_NS} or Project in {PROJECT_NS})"
    )


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "code"
    base = base if base[0].isalpha() else f"c_{base}"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    taken.add(slug)
    return slug


_KIND_WORDS = {
    "inhibitor": ("inhibitor", "barrier", "obstacle", "challenge", "hinder"),
    "facilitator": ("facilitator", "enabler", "success", "helps", "enabling"),
}


@dataclass
class CodebookDraft:
    """A framework draft and what became of each code, for the command to say: nothing
    in a codebook is dropped without a word."""

    text: str
    mapped: list[str]  # codes that became factors
    merged: list[tuple[str, str]]  # (polarity code, the factor it folds into)
    left_out: list[tuple[str, str]]  # (code, why)
    lone_polarity: list[str]  # factors named "X (barrier)" with no parent X to fold into


def _draft_bands() -> list[dict[str, object]]:
    """The built-in framework's bands, declared once there (strength 4.0, borderline
    3.0, concern 1.0, as the README says), so a draft scores as the built-in does."""
    from ..framework import load_framework

    return [b.model_dump(exclude_none=True) for b in load_framework().bands]


def framework_draft(codes: list[QdaCode], name: str) -> str:
    """The framework YAML of `codebook_draft`."""
    return codebook_draft(codes, name).text


def codebook_draft(codes: list[QdaCode], name: str) -> CodebookDraft:
    """A framework YAML from a code tree, for a person to finish: one factor per codable
    code, except a polarity child ("X (barrier)", or "barrier") under its own factor X,
    which folds into it. A flat codebook (Taguette's are: it has no code tree) keeps
    every code as a factor, whatever its name: "X (enabler)" with no parent X is a code
    someone made, and dropping it loses their work. A factor's kind is guessed from its
    group's name ("Inhibitors", "Barriers"...) else marked to check; one placeholder item
    each."""
    taken: set[str] = set()
    factors = []
    unsure: list[str] = []
    mapped: list[str] = []
    merged: list[tuple[str, str]] = []
    left_out: list[tuple[str, str]] = []
    lone: list[str] = []
    for c in _walk(codes):
        if not c.codable:
            left_out.append((c.name, "a group, not codable"))
            continue
        if c.name == NONE_CODE:
            left_out.append((c.name, "collablens' code for a passage about no factor"))
            continue
        if not c.name.strip():
            left_out.append((c.guid or "?", "a code with no name"))
            continue
        if _folds_into_parent(c) and c.parent is not None:
            merged.append((c.name, c.parent.name))
            continue
        if _polarity_child(c):
            lone.append(c.name)
        group = (c.parent.name if c.parent else "").lower()
        kind = next((k for k, words in _KIND_WORDS.items() if any(w in group for w in words)), None)
        if kind is None:
            unsure.append(c.name)
        fid = _slug(c.name, taken)
        mapped.append(c.name)
        factors.append(
            {
                "id": fid,
                "kind": kind or "facilitator",
                "name": c.name,
                "definition": c.description or f"TODO: define {c.name} in a sentence or two.",
                "items": [
                    {
                        "id": f"{fid}_1",
                        "text": f"TODO: a statement about {c.name} staff agree or disagree with.",
                    }
                ],
            }
        )
    if not factors:
        raise RefiError("the codebook has no codable codes to make factors of")
    draft = {
        "id": _slug(name, set()),
        "name": name,
        "version": 1,
        "citation": "",
        "bands": _draft_bands(),
        "factors": factors,
    }
    head = (
        "# A framework draft made by `collablens import qdc` from a REFI-QDA codebook.\n"
        "# Finish it before use: check each factor's kind (inhibitor or facilitator), write\n"
        "# its definition and survey items (replace every TODO), then run\n"
        "# `collablens framework validate` on this file.\n"
    )
    if unsure:
        head += "# Kind guessed as facilitator, to check: " + ", ".join(unsure)[:900] + "\n"
    if lone:
        head += (
            "# Named as a polarity but with no parent code to fold into, so kept as factors:\n"
            "# merge any that are one factor's two sides: " + ", ".join(lone)[:900] + "\n"
        )
    text = head + yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=100)
    return CodebookDraft(text, mapped, merged, left_out, lone)


def _polarity_child(code: QdaCode) -> str | None:
    """ "barrier" or "enabler" for a code named as a polarity ("X (barrier)", "barrier")."""
    low = code.name.strip().lower()
    for pol in ("barrier", "enabler"):
        if low == pol or low.endswith(f"({pol})"):
            return pol
    return None


def _folds_into_parent(code: QdaCode) -> bool:
    """True for a polarity child of its own factor: "Governance (barrier)", or plain
    "barrier", directly under a codable "Governance". Anywhere else (top level, under a
    group, under another factor) it is a code of its own."""
    pol = _polarity_child(code)
    up = code.parent
    if pol is None or up is None or not up.codable or up.name == NONE_CODE:
        return False
    if not up.name.strip():
        return False  # a parent with no name makes no factor to fold into
    base = re.sub(rf"\s*\(\s*{pol}\s*\)$", "", code.name.strip(), flags=re.IGNORECASE)
    return base.casefold() in (pol, up.name.strip().casefold())


# -- projects -----------------------------------------------------------------------------


def _project_xml(path: Path) -> tuple[bytes, zipfile.ZipFile]:
    """The project XML of a .qdpx: `project.qde`, or the one .qde of any name (some tools
    name it after the project)."""
    if not path.is_file():
        raise RefiError(f"{path}: no such file")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RefiError(f"{path}: is not a .qdpx (zip) file that can be read ({exc})") from None
    if sum(i.file_size for i in z.infolist()) > MAX_QDPX_BYTES:
        raise RefiError(f"{path}: unpacks to more than {MAX_QDPX_BYTES // 2**20} MB; refused")
    names = [n for n in z.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if "project.qde" in names:
        names = ["project.qde"]
    if len(names) != 1:
        raise RefiError(
            f"{path}: a .qdpx holds one project file (project.qde); found "
            f"{', '.join(names) or 'none'}"
        )
    return _read_member(z, names[0], path), z


def _read_member(z: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A member of the zip, or a RefiError naming what is damaged."""
    import zlib

    try:
        return z.read(name)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as exc:
        raise RefiError(f"{path}: {name} inside it cannot be read ({exc})") from None


@dataclass
class _Selection:
    start: int
    end: int
    codings: list[tuple[str, str, datetime | None]]  # (user guid, code guid, when)


@dataclass
class QdpxImport:
    path: Path
    sources_added: list[str] = field(default_factory=list)
    sources_already: list[str] = field(default_factory=list)
    sources_skipped: int = 0  # pictures, PDFs, audio, video
    codings: int = 0  # people's codes stored
    model_codings: int = 0
    unmatched_codes: dict[str, int] = field(default_factory=dict)  # code name -> codings
    selections_without_passage: int = 0
    codings_dropped: int = 0  # a second code of one passage by one coder
    notes: int = 0
    coders: list[str] = field(default_factory=list)


def _code_map(framework: Framework, codes: list[QdaCode]) -> dict[str, tuple[str, str]]:
    """Code GUID -> (factor id, polarity): collablens' own GUIDs, else names."""
    ours = {g: fp for fp, g in CodeIds(framework).ids.items()}
    by_name = {f.name.casefold(): f.id for f in framework.factors}
    by_name |= {f.id.casefold(): f.id for f in framework.factors}
    out: dict[str, tuple[str, str]] = {}
    for c in _walk(codes):
        if c.guid in ours:
            out[c.guid] = ours[c.guid]
            continue
        if c.name == NONE_CODE:
            out[c.guid] = (NO_FACTOR, "neutral")
            continue
        pol = _polarity_child(c)
        name = c.name.casefold()
        if pol and c.parent is not None:
            factor = by_name.get(c.parent.name.casefold())
            if factor is None:
                factor = by_name.get(re.sub(rf"\s*\({pol}\)$", "", name))
            if factor:
                out[c.guid] = (factor, pol)
                continue
        if name in by_name:
            out[c.guid] = (by_name[name], "neutral")
    # A code nested under a matched one counts for its nearest matched ancestor.
    for c in _walk(codes):
        up = c.parent
        while c.guid not in out and up is not None:
            if up.guid in out:
                out[c.guid] = out[up.guid]
            up = up.parent
    return out


class _Remap:
    """Where a character of the original text is after the text was pseudonymised."""

    def __init__(self, old: str, new: str) -> None:
        self.points: list[tuple[int, int]] = [(0, 0)]
        sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for a, b, size in sm.get_matching_blocks():
            self.points.append((a, b))
            self.points.append((a + size, b + size))
        self.old_len, self.new_len = len(old), len(new)

    def __call__(self, pos: int) -> int:
        best = (0, 0)
        for a, b in self.points:
            if a <= pos and a >= best[0]:
                best = (a, b)
        return min(self.new_len, best[1] + (pos - best[0]))


def _turns_of(text: str) -> list[tuple[int, int, str, int]]:
    """Turns of a source's text: (start, end, label, words start). A turn starts at a line
    that opens with a speaker's label ("Sarah Jones: ..."), or after a blank line; a
    source with no labels is one turn per paragraph."""
    from .transcripts import _NOT_SPEAKERS

    out: list[tuple[int, int, str, int]] = []
    start: int | None = None
    end = 0
    label, words_at = "", 0
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        line = m.group(0)
        if m.start() == len(text) and not line:
            break
        body = line.strip()
        lab = _LABEL.match(text, m.start() + len(line) - len(line.lstrip()))
        labelled = lab is not None and lab.group("label").strip().lower().rstrip(".") not in (
            _NOT_SPEAKERS
        )
        if not body or labelled:
            if start is not None:
                out.append((start, end, label, words_at))
            start = None
        if not body:
            continue
        if start is None:
            start = m.start() + len(line) - len(line.lstrip())
            if labelled and lab is not None:
                label, words_at = lab.group("label").strip(), lab.end()
            else:
                label, words_at = "", start
        end = m.start() + len(line.rstrip())
    if start is not None:
        out.append((start, end, label, words_at))
    return out


def import_project(store: Store, path: str | Path, collaboration: str) -> QdpxImport:
    """Import a .qdpx's text sources and codings into a collaboration; see the module."""
    p = Path(path)
    xml, z = _project_xml(p)
    root = _parse(xml, f"{p} (project.qde)")
    ns = PROJECT_NS
    if root.tag != f"{{{ns}}}Project":
        raise RefiError(f"{p}: project.qde's root is {root.tag!r}, not Project in {ns}")
    fw = store.framework
    codes = _codes(root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes"), ns)
    code_map = _code_map(fw, codes)
    code_names = {c.guid: c.name for c in _walk(codes)}
    users = {
        u.get("guid", ""): (u.get("name") or u.get("id") or u.get("guid") or "").strip()
        for u in root.iter(f"{{{ns}}}User")
    }
    result = QdpxImport(p, notes=len(root.findall(f"{{{ns}}}Notes/{{{ns}}}Note")))
    variables = {v.get("guid"): (v.get("name") or "") for v in root.iter(f"{{{ns}}}Variable")}
    case_of: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for case_el in root.iter(f"{{{ns}}}Case"):
        attrs = {}
        for vv in case_el.findall(f"{{{ns}}}VariableValue"):
            ref = vv.find(f"{{{ns}}}VariableRef")
            name = variables.get(ref.get("targetGUID") if ref is not None else None, "")
            key = name.strip().lower().replace(" ", "_")
            value = (vv.findtext(f"{{{ns}}}TextValue") or "").strip()
            if key in ("force", "role", "rank_band") and value:
                attrs[key] = value[:190]
        for ref in case_el.findall(f"{{{ns}}}SourceRef"):
            case_of.setdefault(ref.get("targetGUID", ""), []).append(
                (case_el.get("name") or "", attrs)
            )
    with store.connect() as conn:
        known = set(q.participant_rows(conn, collaboration))
        cid = collaboration_id(conn, collaboration)
        have = set(q.source_guids(conn))
        declared = declared_forces(conn, collaboration)
    sources_el = root.find(f"{{{ns}}}Sources")
    prepared = []
    for el in list(sources_el) if sources_el is not None else []:
        if el.tag != f"{{{ns}}}TextSource":
            result.sources_skipped += 1
            continue
        sguid = el.get("guid", "")
        sname = (el.get("name") or "source").strip()
        if sguid in have:
            result.sources_already.append(sname)
            continue
        text = _source_text(el, z, p, ns)
        selections = []
        for sel_el in el.findall(f"{{{ns}}}PlainTextSelection"):
            try:
                start = int(sel_el.get("startPosition", ""))
                end = int(sel_el.get("endPosition", ""))
            except ValueError:
                raise RefiError(
                    f"{p}: source {sname!r}: a selection has no whole-number positions"
                ) from None
            if not 0 <= start < end <= len(text):
                raise RefiError(
                    f"{p}: source {sname!r}: selection {start}-{end} lies outside its text "
                    f"({len(text)} characters)"
                )
            codings = [
                (
                    c.get("creatingUser") or sel_el.get("creatingUser") or "",
                    ref.get("targetGUID", ""),
                    _when(c.get("creationDateTime")),
                )
                for c in sel_el.findall(f"{{{ns}}}Coding")
                for ref in c.findall(f"{{{ns}}}CodeRef")
            ]
            selections.append(_Selection(start, end, codings))
        prepared.append((sguid, sname, text, selections, case_of.get(sguid, [])))
    taken = set(known)
    plans = []
    for sguid, sname, text, selections, cases in prepared:
        blocks = _turns_of(text)
        labels = [lab for _, _, lab, _ in blocks]
        asking = {lab for lab in labels if lab and is_interviewer_label(lab)}
        answering = list(dict.fromkeys(lab for lab in labels if lab not in asking))
        # Each case of the source is a participant: its name where it is a pseudonym
        # (P03), else the next free one; its name is never kept.
        people: list[tuple[str, str, dict[str, str]]] = []
        for case_name, attrs in cases or [("", {})]:
            key = case_name if _PSEUDONYM.match(case_name) else _next_ids(taken, 1)[0]
            taken.add(key)
            people.append((key, case_name, _declared(attrs, declared, p, key)))
        key, case_name, attrs = people[0]
        # Labels that are roles or pseudonyms already ("Interviewer 1", "P03") stay as
        # written; any other label is a name, and becomes the pseudonym.
        alias = {lab: lab if _PSEUDONYM.match(lab) else key for lab in answering if lab}
        alias |= {lab: lab if is_role_label(lab) else INTERVIEWER for lab in asking}
        patterns = [
            (pat, a) for lab, a in alias.items() if lab != a and (pat := _name_pattern(lab))
        ]
        for pkey, pname, _ in people:
            if pname and not _PSEUDONYM.match(pname) and (pat := _name_pattern(pname)):
                patterns.append((pat, pkey))
        words = [text[w:e] for _, e, _, w in blocks]
        named = []
        for chunk in words:
            for pat, a in patterns:
                chunk = pat.sub(a, chunk)
            named.append(chunk)
        cleaned = redact_many(named)
        turns = [
            StoredTurn(alias.get(lab, key), new, lab in asking)
            for (_, _, lab, _), new in zip(blocks, cleaned, strict=True)
        ]
        remaps = [_Remap(old, new) for old, new in zip(words, cleaned, strict=True)]
        plans.append((sguid, sname, text, selections, people, blocks, turns, remaps))
    with store.begin() as conn:
        collab = cid if cid is not None else ensure_collaboration(conn, collaboration)
        for sguid, sname, text, selections, people, blocks, turns, remaps in plans:
            pids = [q.ensure_participant(conn, collab, k, a)[0] for k, _, a in people]
            keys = [k for k, _, _ in people]
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if q.find_source(conn, collab, digest) is not None:
                result.sources_already.append(sname)
                continue
            _sid, rows = store_source(
                conn,
                collab,
                {
                    "participant_id": pids[0] if len(pids) == 1 else None,
                    "guid": sguid,
                    # Never the other tool's name for it: that is often a person's name.
                    "name": unique_source_name(conn, collab, f"Interview {' and '.join(keys)}"),
                    "sha256": digest,
                    "source_format": "refi-qda",
                },
                turns,
            )
            _, starts = _stored_starts(turns)
            result.sources_added.append(sname)
            passages = _segments_with_ids(conn, rows)
            given: dict[tuple[int, str], tuple[str, str]] = {}
            for sel in selections:
                lo = _moved(sel.start, blocks, remaps, starts)
                hi = _moved(sel.end, blocks, remaps, starts)
                covered = [sid for sid, (_t, _p, _w, a, b) in passages if _covers(lo, hi, a, b)]
                if not covered:
                    result.selections_without_passage += 1
                    continue
                for user, code, when in sel.codings:
                    mapped = code_map.get(code)
                    if mapped is None:
                        label = code_names.get(code, code)
                        result.unmatched_codes[label] = result.unmatched_codes.get(label, 0) + 1
                        continue
                    coder = users.get(user) or "reviewer"
                    factor, pol = mapped
                    for sid in covered:
                        # One code per coder per passage: a second, different code of
                        # the same passage by the same coder is counted, not kept.
                        first = given.setdefault((sid, coder), (factor, pol))
                        if first != (factor, pol):
                            result.codings_dropped += 1
                            continue
                        if coder == MODEL_CODER:
                            q.set_model_coding(conn, sid, factor, pol, when)
                            result.model_codings += 1
                        else:
                            set_human_code(conn, sid, factor, pol, coder[:60], False, when)
                            result.codings += 1
                    if coder not in result.coders:
                        result.coders.append(coder)
    return result


def _when(value: str | None) -> datetime | None:
    """A coding's xsd:dateTime, kept so a round trip keeps who coded first."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _stored_starts(turns: list[StoredTurn]) -> tuple[str, list[int]]:
    from .importer import source_text

    return source_text([(t.speaker, t.text) for t in turns])


def _moved(pos: int, blocks, remaps, starts: list[int]) -> int:
    """A position in the original text, moved to the stored text."""
    for i, (_start, end, _label, words_at) in enumerate(blocks):
        if pos <= end or i == len(blocks) - 1:
            inside = max(0, pos - words_at)
            return starts[i] + remaps[i](inside)
    return pos


def _covers(lo: int, hi: int, a: int, b: int) -> bool:
    """A selection covers a passage when it overlaps at least half of it."""
    return min(hi, b) - max(lo, a) >= (b - a) / 2


def _segments_with_ids(conn, rows):
    ids = q.segment_ids_of_turns(conn, sorted({r[0] for r in rows}))
    return [(ids[(r[0], r[1])], r) for r in rows]


def _source_text(el: ET.Element, z: zipfile.ZipFile, p: Path, ns: str) -> str:
    """A text source's plain text: inline, or the file its plainTextPath names."""
    inline = el.findtext(f"{{{ns}}}PlainTextContent")
    if inline is not None:
        return inline
    ref = el.get("plainTextPath") or ""
    name = ref.removeprefix("internal://")
    candidates = [f"sources/{name}", name, f"Sources/{name}"]
    for c in candidates:
        c = str(PurePosixPath(c))
        if c in z.namelist():
            data = _read_member(z, c, p)
            try:
                return data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise RefiError(f"{p}: {c} is not UTF-8 text, as REFI-QDA requires") from None
    raise RefiError(
        f"{p}: source {el.get('name')!r} names its text {ref!r}, which the file does not hold"
    )
