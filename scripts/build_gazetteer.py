"""Rebuild the redactor's gazetteer (src/collablens/text/data/*.txt) from public lists.

Why a script: the shipped lists must be reproducible from their public sources, so that anyone
can check that nothing in them came from our own benchmark text, and so that a newer release
of a source can be folded in by running one command. The raw downloads stay outside the
repository; their paths are given as arguments (see src/collablens/text/data/SOURCES.md for
where each one comes from and its licence). Hand-made lists (police forces and systems, UK
places that the settlement list lacks, given names and short forms it lacks) live beside this
script in scripts/gazetteer/ and are merged in.

The output is deterministic: the same inputs give byte-identical files (sorted by code point,
unique, UTF-8, one entry a line, a short `#` header).

    python scripts/build_gazetteer.py \
        --census1990 /tmp/gazraw/names-0.3.0/names \
        --ssa /tmp/gazraw/ssa/names \
        --ons /tmp/gazraw/ons/data-raw \
        --faker /tmp/gazraw/fk/faker \
        --nicknames /tmp/gazraw/nicknames.csv \
        --surnames /tmp/gazraw/namedb/family_name \
        --places /tmp/gazraw/places.csv \
        --words /usr/share/dict/british-english

Reading the ONS workbooks needs openpyxl (a dependency) for .xlsx and xlrd for the older .xls
files; without xlrd the .xls files are skipped with a warning.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURATED = HERE / "gazetteer"
DEFAULT_OUT = HERE.parent / "src" / "collablens" / "text" / "data"

# Letters that NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "ı": "i",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d", "ħ": "h"}
)  # fmt: skip
# Public name lists hold a few records that are English function words ("The" is in the SSA
# list, "And" and "The" in the Census surnames); as names they would only ever match the word.
# fmt: off
FUNCTION_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "in", "is", "it",
    "of", "on", "or", "not", "so", "the", "to", "was", "with",
})
# fmt: on
# Particles that the surname lists hold alone (the US Census splits "Van Dyke" and "De la Cruz";
# Faker lists "Mac", "Von"): alone they are part of a surname, not one, so they are dropped.
# Particles that are also whole surnames stay: Le and Do (Vietnamese Lê, Đỗ), Ni and Li
# (Chinese).
# fmt: off
SURNAME_PARTICLES = frozenset({
    "ab", "abu", "al", "ap", "bin", "binte", "binti", "d'", "da", "das", "de", "degli", "dei",
    "del", "della", "den", "der", "des", "di", "dos", "du", "el", "ibn", "la", "las", "los",
    "mac", "mc", "ní", "nic", "st", "ua", "uí", "van", "ver", "von", "zu",
})
# fmt: on
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """The same text without accents (Siobhán -> Siobhan): staff type names both ways."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_latin_name(text: str) -> bool:
    """Letters of the Latin script, with the joiners names use (space, hyphen, apostrophe)."""
    if not text or not text[0].isalpha():
        return False
    for char in text:
        if char in " -'":
            continue
        if not char.isalpha() or "LATIN" not in unicodedata.name(char, ""):
            return False
    return True


def clean_name(raw: str) -> str | None:
    """One name in the gazetteer's form: NFC, straight apostrophes, single spaces, lower case."""
    text = unicodedata.normalize("NFC", raw).translate(_APOSTROPHES).strip()
    text = re.sub(r"\s+", " ", text)
    if not is_latin_name(text) or len(text) < 2 or not text[-1].isalpha():
        return None
    if text.lower() in FUNCTION_WORDS:
        return None
    return text.lower()


def with_folded(names: Iterable[str]) -> set[str]:
    """Each name, and its accent-free spelling where that differs."""
    out: set[str] = set()
    for name in names:
        out.add(name)
        out.add(fold(name))
    return out


# ----- readers for each public source -------------------------------------------------------


def read_census1990_first(folder: Path) -> Iterator[str]:
    """US Census 1990 given names (public domain), as shipped by the `names` package."""
    for stem in ("dist.male.first", "dist.female.first"):
        for line in (folder / stem).read_text(encoding="ascii").splitlines():
            if line.strip():
                yield line.split()[0]


def read_census1990_last(folder: Path) -> Iterator[str]:
    for line in (folder / "dist.all.last").read_text(encoding="ascii").splitlines():
        if line.strip():
            yield line.split()[0]


def read_ssa(folder: Path, first_year: int, min_total: int) -> Iterator[str]:
    """US Social Security baby names (public domain): names given >= min_total times since
    first_year, which keeps the names of people of working age and drops one-off spellings."""
    totals: Counter[str] = Counter()
    for path in sorted(folder.glob("yob*.txt")):
        year = int(path.stem[3:])
        if year < first_year:
            continue
        for line in path.read_text(encoding="ascii").splitlines():
            name, _sex, count = line.split(",")
            totals[name] += int(count)
    for name, total in totals.items():
        if total >= min_total:
            yield name


def _ons_name_cells(rows: list[list[object]]) -> Iterator[str]:
    """Cells under a header 'Name' (or 'Aged ... Name') whose right neighbour is a number."""
    columns: set[int] = set()
    header = re.compile(r"^(aged .*)?name$", re.IGNORECASE)
    for row in rows:
        for index, cell in enumerate(row):
            if isinstance(cell, str) and header.match(cell.strip()):
                columns.add(index)
        for index in columns:
            if index + 1 >= len(row):
                continue
            cell, right = row[index], row[index + 1]
            if (
                isinstance(cell, str)
                and isinstance(right, int | float)
                and not isinstance(right, bool)
                and cell.strip().lower() not in {"all names", "name"}
            ):
                yield cell.strip()


def read_ons(folder: Path) -> Iterator[str]:
    """ONS baby names for England and Wales, 1996 on (Open Government Licence v3.0)."""
    import openpyxl

    try:
        import xlrd  # type: ignore[import-untyped]
    except ImportError:
        xlrd = None
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                yield from _ons_name_cells([list(r) for r in sheet.iter_rows(values_only=True)])
        elif path.suffix == ".xls":
            if xlrd is None:
                print(f"warning: xlrd not installed, skipped {path.name}", file=sys.stderr)
                continue
            book = xlrd.open_workbook(str(path))
            for sheet in book.sheets():
                rows = [sheet.row_values(i) for i in range(sheet.nrows)]
                yield from _ons_name_cells(rows)


_FAKER_FIRST = re.compile(r"^first_(romanized_)?names?(_\w+)?$")
_FAKER_LAST = re.compile(r"^last_(romanized_)?names?(_\w+)?$")


def _literal_strings(node: ast.AST) -> list[str]:
    """Strings of a tuple/list/set/dict literal, or of OrderedDict([(name, weight), ...])."""
    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return []
    if isinstance(value, dict):
        return [k for k in value if isinstance(k, str)]
    if isinstance(value, list | tuple | set):
        out = []
        for item in value:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, tuple) and item and isinstance(item[0], str):
                out.append(item[0])
        return out
    return []


def read_faker(folder: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Given names and surnames of every locale's person provider in Faker (MIT), read from
    the source with ast (nothing imported). Returns {locale: names} for first and last."""
    first: dict[str, list[str]] = {}
    last: dict[str, list[str]] = {}
    for path in sorted((folder / "providers" / "person").glob("*/__init__.py")):
        locale = path.parent.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                if _FAKER_FIRST.match(target.id):
                    first.setdefault(locale, []).extend(_literal_strings(value))
                elif _FAKER_LAST.match(target.id):
                    last.setdefault(locale, []).extend(_literal_strings(value))
    return first, last


def read_nicknames(path: Path) -> Iterator[str]:
    """carltonnorthern/nicknames (Apache-2.0): names and their short forms, both columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield row["name1"]
            yield row["name2"]


def read_namedb_surnames(folder: Path) -> Iterator[str]:
    """nullstyle/name-database family names: the US Census 1990 and 2000 surname lists
    (public domain), one YAML sequence per two-letter prefix."""
    import yaml

    for path in sorted(folder.glob("*/*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(entry, dict):
                yield from (str(k) for k in entry)
            elif entry is not None:
                yield str(entry)


def read_places(path: Path) -> Iterator[str]:
    """briang/british-placenames (from OS Open Names, OGL v3.0): populated places of GB."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield row["name"]


def read_words(path: Path) -> Iterator[str]:
    """SCOWL British English (Debian wbritish): entries wholly in lower case are ordinary
    words (a capitalised entry is a proper noun); possessives dropped."""
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word.endswith("'s"):
            word = word[:-2]
        if word and word == word.lower() and word[0].isalpha():
            yield word


def read_curated(name: str) -> list[str]:
    """A hand-made list beside this script: one entry a line, `#` comments, blanks ignored."""
    out = []
    for line in (CURATED / name).read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if entry:
            out.append(entry)
    return out


# ----- writing ------------------------------------------------------------------------------

HEADERS = {
    "given_names.txt": "lower-case given names and short forms, accented and accent-free",
    "surnames.txt": "lower-case surnames (multi-word surnames kept whole)",
    "english_words.txt": "lower-case ordinary English words (SCOWL British English)",
    "places.txt": "UK place names in their usual case",
    "police_terms.txt": "UK police forces, bodies, units and systems in their usual case",
}


def write_list(out_dir: Path, name: str, entries: Iterable[str]) -> int:
    """Sorted by code point, unique, UTF-8, LF, a two-line header; returns the entry count."""
    unique = sorted({e for e in entries if e and "\n" not in e and not e.startswith("#")})
    text = f"# {HEADERS[name]}\n# built by scripts/build_gazetteer.py; see SOURCES.md\n"
    text += "".join(f"{e}\n" for e in unique)
    (out_dir / name).write_text(text, encoding="utf-8", newline="\n")
    return len(unique)


def clean_place(raw: str) -> str | None:
    text = unicodedata.normalize("NFC", raw).translate(_APOSTROPHES).strip()
    text = re.sub(r"\s+", " ", text)
    return text if len(text) >= 2 and text[0].isalnum() else None


def clean_all(names: Iterable[str]) -> set[str]:
    return {c for c in (clean_name(n) for n in names) if c}


def build(args: argparse.Namespace) -> dict[str, dict[str, int]]:
    """Build all five lists; returns {file: {source: entries it contributed (before merging)}}
    so that SOURCES.md can state each source's share."""
    report: dict[str, dict[str, int]] = {}
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    faker_first, faker_last = read_faker(args.faker)

    given_sources = {
        "US Census 1990 given names": clean_all(read_census1990_first(args.census1990)),
        "US SSA baby names": clean_all(read_ssa(args.ssa, args.ssa_from, args.ssa_min)),
        "ONS baby names England and Wales": clean_all(read_ons(args.ons)),
        "Faker person providers": clean_all(n for v in faker_first.values() for n in v),
        "carltonnorthern/nicknames": clean_all(read_nicknames(args.nicknames)),
        "curated (scripts/gazetteer/given_names.txt)": clean_all(read_curated("given_names.txt")),
    }
    given = with_folded(set().union(*given_sources.values()))
    report["given_names.txt"] = {k: len(v) for k, v in given_sources.items()}
    report["given_names.txt"]["total"] = write_list(out, "given_names.txt", given)

    surname_sources = {
        "US Census 1990 surnames": clean_all(read_census1990_last(args.census1990)),
        "US Census 1990+2000 surnames (name-database)": clean_all(
            read_namedb_surnames(args.surnames)
        ),
        "Faker person providers": clean_all(n for v in faker_last.values() for n in v),
        "curated (scripts/gazetteer/surnames.txt)": clean_all(read_curated("surnames.txt")),
    }
    surnames = with_folded(set().union(*surname_sources.values())) - SURNAME_PARTICLES
    report["surnames.txt"] = {k: len(v) for k, v in surname_sources.items()}
    report["surnames.txt"]["total"] = write_list(out, "surnames.txt", surnames)

    words = set(read_words(args.words))
    report["english_words.txt"] = {"SCOWL British English (wbritish)": len(words)}
    report["english_words.txt"]["total"] = write_list(out, "english_words.txt", words)

    place_sources = {
        "OS Open Names via briang/british-placenames": {
            p for p in (clean_place(x) for x in read_places(args.places)) if p
        },
        "curated (scripts/gazetteer/places.txt)": {
            p for p in (clean_place(x) for x in read_curated("places.txt")) if p
        },
    }
    places = set().union(*place_sources.values())
    # Welsh and Gaelic names are written with and without their accents on signs and in text.
    places |= {fold(p) for p in places}
    report["places.txt"] = {k: len(v) for k, v in place_sources.items()}
    report["places.txt"]["total"] = write_list(out, "places.txt", places)

    terms = {t for t in (clean_place(x) for x in read_curated("police_terms.txt")) if t}
    report["police_terms.txt"] = {"curated (scripts/gazetteer/police_terms.txt)": len(terms)}
    report["police_terms.txt"]["total"] = write_list(out, "police_terms.txt", terms)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--census1990",
        type=Path,
        required=True,
        help="folder with dist.male.first, dist.female.first, dist.all.last",
    )
    parser.add_argument("--ssa", type=Path, required=True, help="folder of SSA yobYYYY.txt")
    parser.add_argument("--ssa-from", type=int, default=1940, help="first SSA year counted")
    parser.add_argument("--ssa-min", type=int, default=50, help="least SSA births kept")
    parser.add_argument("--ons", type=Path, required=True, help="folder of ONS .xls/.xlsx")
    parser.add_argument("--faker", type=Path, required=True, help="the faker package folder")
    parser.add_argument("--nicknames", type=Path, required=True, help="nicknames names.csv")
    parser.add_argument(
        "--surnames", type=Path, required=True, help="name-database family_name folder"
    )
    parser.add_argument("--places", type=Path, required=True, help="british-placenames csv")
    parser.add_argument("--words", type=Path, required=True, help="british-english word list")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    report = build(args)
    for name, counts in report.items():
        print(name)
        for source, count in counts.items():
            print(f"  {count:>8}  {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
