"""Agreement between coders, as qualitative researchers measure it.

The unit is an interview passage (a segment of a participant's turn): each coder gives
it one code, a factor or "none" (with `polarity`, the pair of factor and polarity).
For every pair of coders: percent agreement and Cohen's kappa over the passages both
coded. Over all coders: Krippendorff's alpha (nominal), which allows a coder to have
left passages uncoded. Per code: the same figures with each coder's answer read as "this
code or not", so a team sees which codes it applies alike and which it does not.

What is left out, and said in the output: interviewer turns (never coded, never units);
passages a coder did not code, which are missing for that coder rather than counted as
agreeing that "nothing applies" (NVivo counts uncoded characters as agreement, which
inflates agreement on long transcripts); and passages fewer than two of the coders
coded, which cannot be compared at all. The model counts as a coder ("model") only
when asked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import combinations

from ..errors import COMPARE_MODEL, CollablensError, Fix, NotFound
from ..store import Store
from ..store.forces import collaboration_id
from ..store.queries import interviews as q
from ..vocabulary import MODEL_CODER
from .stats import cohen_kappa, krippendorff_alpha_nominal

OTHER_CODE = "(other codes)"


class AgreementError(CollablensError):
    """Agreement cannot be measured as asked; the message says why."""


@dataclass
class PairAgreement:
    first: str
    second: str
    units: int  # passages both coded
    percent: float  # share of those they gave the same code
    kappa: float


@dataclass
class CodeAgreement:
    code: str
    used: int  # passages any coder gave this code
    percent: float  # mean over pairs of agreement on "this code or not"
    kappa: float  # mean over pairs of Cohen's kappa on "this code or not"
    alpha: float  # Krippendorff's alpha on "this code or not"


@dataclass
class Disagreement:
    segment_id: int
    source: str
    text: str
    codes: dict[str, str]  # coder -> code


@dataclass
class Agreement:
    collaboration: str
    coders: list[str]
    units: int  # passages at least two of the coders coded
    percent: float  # mean pairwise percent agreement
    alpha: float
    pairs: list[PairAgreement] = field(default_factory=list)
    codes: list[CodeAgreement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    passages: int = 0  # interview passages in the sources measured
    not_coded: dict[str, int] = field(default_factory=dict)  # coder -> passages left uncoded
    fewer_than_two: int = 0  # passages coded by fewer than two of the coders
    interviewer_turns: int = 0
    with_polarity: bool = False
    selected_codes: list[str] = field(default_factory=list)
    uncoded: str = "missing"  # or "none": what a passage a coder did not code counts as
    #: Factor names by id, so a page names each code as people read it, never by its id.
    names: dict[str, str] = field(default_factory=dict)

    def name_of(self, code: str) -> str:
        """A code as a reader sees it: "Politics and risk-aversion (barrier)", not
        "politics_risk:barrier"; a code not in the framework is shown as it is."""
        factor, _, polarity = code.partition(":")
        name = self.names.get(factor, factor)
        return f"{name} ({polarity})" if polarity else name

    def as_dict(self, disagreements: int | None = None) -> dict:
        """As plain data for JSON, with the first `disagreements` passages to discuss (None:
        all of them; 0: none), as `collablens agreement --json --show N` prints it."""

        def num(x: float) -> float | None:
            return None if x != x else round(x, 4)  # nan -> null in JSON

        out = asdict(self)
        out.pop("names")  # the JSON names codes by id, as it always has
        out["disagreements"] = out["disagreements"][:disagreements]
        out["percent"], out["alpha"] = num(self.percent), num(self.alpha)
        for row in out["pairs"] + out["codes"]:
            for k in ("percent", "kappa", "alpha"):
                if k in row:
                    row[k] = num(row[k])
        out["excluded"] = exclusion_note(self)
        return out


def exclusion_note(result: Agreement, cli: bool = True) -> str:
    """What the figures leave out, in words, as the output must say; `cli` names the
    option that counts uncoded passages the other way (a web page offers a link instead)."""
    parts = [
        f"{result.interviewer_turns} interviewer turns (never coded)",
        f"{result.fewer_than_two} of {result.passages} passages coded by fewer than two of "
        "the coders",
    ]
    if result.uncoded == "none":
        parts = parts[:1]
        how = (
            ". A passage a coder did not code counts as that coder's 'none' (as NVivo counts "
            "uncoded text), which raises agreement where much is left uncoded: "
            + ", ".join(f"{n} for {c}" for c, n in result.not_coded.items())
            + "."
        )
    else:
        parts += [f"{n} passages {c} did not code" for c, n in result.not_coded.items() if n]
        how = (
            ". A passage a coder did not code is missing for that coder, not counted as "
            "agreeing that nothing applies" + (" (--uncoded none counts it so)." if cli else ".")
        )
    return "Left out: " + "; ".join(parts) + how


def _mean(values: list[float]) -> float:
    finite = [v for v in values if v == v]
    return sum(finite) / len(finite) if finite else float("nan")


def measure_agreement(
    store: Store,
    collaboration: str,
    coders: list[str] | None = None,
    sources: list[str] | None = None,
    codes: list[str] | None = None,
    with_polarity: bool = False,
    uncoded: str = "missing",
    with_model: bool = False,
) -> Agreement:
    """Agreement between `coders` (default: every person who coded these interviews; add
    "model" to count the model) on the collaboration's interview passages. A passage a
    coder did not code is `uncoded` "missing" for them (the default), or their "none";
    `with_model` counts the model as one more coder beside the people."""
    if uncoded not in ("missing", "none"):
        raise AgreementError(f"--uncoded is 'missing' or 'none', not {uncoded!r}")
    fw = store.framework
    known_codes = {f.id for f in fw.factors} | {"none"}
    for c in codes or []:
        if c not in known_codes:
            raise AgreementError(
                f"--codes: {c!r} is not a factor of the framework or 'none' "
                f"(codes: {', '.join(sorted(known_codes))})"
            )
    with store.connect() as conn:
        if collaboration_id(conn, collaboration) is None:
            raise NotFound(f"no collaboration named {collaboration!r}")
        rows = q.coding_rows(conn, collaboration, sources)
        every = q.interview_segments(conn, collaboration, sources)
        passages = len(every)
        asked = q.interviewer_turn_count(conn, collaboration, sources)
        if sources:
            cid = collaboration_id(conn, collaboration)
            have = set(q.source_names(conn, int(cid or 0)))
            missing = [s for s in sources if s not in have]
            if missing:
                raise AgreementError(
                    f"no transcript named {', '.join(map(repr, missing))} in {collaboration!r}"
                    f" (transcripts: {', '.join(sorted(have)) or 'none'})"
                )
    present = sorted({r.coder for r in rows})
    chosen = list(dict.fromkeys(coders)) if coders else [c for c in present if c != MODEL_CODER]
    if with_model and MODEL_CODER not in chosen:  # every person, and the model as one more
        chosen.append(MODEL_CODER)
    absent = [c for c in chosen if c not in present]
    if absent:
        raise AgreementError(
            f"{', '.join(map(repr, absent))} coded none of these passages "
            f"(coders: {', '.join(present) or 'none yet'})"
        )
    if len(chosen) < 2:
        raise AgreementError(
            "agreement needs two coders or more; "
            + (f"only {chosen[0]!r} has coded" if chosen else "nobody has coded")
            + " these passages"
        ).with_fixes(
            Fix(
                cli="Code them with `collablens review --blind --coder NAME`, or add the model: "
                "--coders NAME,model.",
                web="A second person codes the same interview passages without seeing the "
                "first's codes; until then, compare a coder with the model.",
                action=COMPARE_MODEL if MODEL_CODER in present else "",
            )
        )
    selected = set(codes or [])

    def label(factor: str, polarity: str) -> str:
        code = factor if not selected or factor in selected else OTHER_CODE
        return f"{code}:{polarity}" if with_polarity and code != OTHER_CODE else code

    by_unit: dict[int, dict[str, str]] = {}
    about: dict[int, tuple[str, str]] = {}
    for r in rows:
        if r.coder in chosen:
            by_unit.setdefault(int(r.id), {})[r.coder] = label(r.factor_id, r.polarity)
            about[int(r.id)] = (r.source, r.text)
    not_coded = {c: passages - sum(1 for v in by_unit.values() if c in v) for c in chosen}
    if uncoded == "none":  # every passage is a unit; what a coder left is their "none"
        for r in every:
            unit = by_unit.setdefault(int(r.id), {})
            about.setdefault(int(r.id), (r.source, r.text))
            for c in chosen:
                unit.setdefault(c, label("none", "neutral"))
    pairable = {u: v for u, v in by_unit.items() if len(v) >= 2}
    result = Agreement(
        collaboration,
        chosen,
        units=len(pairable),
        percent=float("nan"),
        alpha=krippendorff_alpha_nominal([[v.get(c) for c in chosen] for v in pairable.values()]),
        passages=passages,
        not_coded=not_coded,
        fewer_than_two=passages - len(pairable),
        interviewer_turns=asked,
        with_polarity=with_polarity,
        selected_codes=sorted(selected),
        uncoded=uncoded,
        names={**{f.id: f.name for f in fw.factors}, "none": "None of the factors"},
    )
    for a, b in combinations(chosen, 2):
        both = [(v[a], v[b]) for v in pairable.values() if a in v and b in v]
        xs, ys = [x for x, _ in both], [y for _, y in both]
        pct = sum(x == y for x, y in both) / len(both) if both else float("nan")
        result.pairs.append(PairAgreement(a, b, len(both), pct, cohen_kappa(xs, ys)))
    result.percent = _mean([p.percent for p in result.pairs])
    used = sorted({code for v in pairable.values() for code in v.values()})
    for code in used:
        if code == OTHER_CODE:
            continue
        binary = [{c: x == code for c, x in v.items()} for v in pairable.values()]
        pcts: list[float] = []
        kaps: list[float] = []
        for a, b in combinations(chosen, 2):
            pair = [(v[a], v[b]) for v in binary if a in v and b in v]
            if pair:
                pcts.append(sum(x == y for x, y in pair) / len(pair))
                kaps.append(cohen_kappa([x for x, _ in pair], [y for _, y in pair]))
        result.codes.append(
            CodeAgreement(
                code,
                used=sum(1 for v in pairable.values() if code in v.values()),
                percent=_mean(pcts),
                kappa=_mean(kaps),
                alpha=krippendorff_alpha_nominal([[v.get(c) for c in chosen] for v in binary]),
            )
        )
    for u, v in pairable.items():
        if len(set(v.values())) > 1:
            source, text = about[u]
            result.disagreements.append(Disagreement(u, source, text, dict(v)))
    return result
