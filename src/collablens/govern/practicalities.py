"""Practicalities made visible: terms and conditions side by side, and the distances
between partner forces' sites.

The study found practicalities (ICT, terms and conditions, geography) among the main
inhibitors. A programme office enters whatever terms it compares (allowances, shift
patterns, overtime rules, vehicles, equipment), one value per force and field; a field
whose forces differ is flagged. Sites are entered with their coordinates; the travel
matrix gives the straight-line (great-circle) distance between every two sites of
different forces, and the travel time where one was entered: geography as a figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..store import Store
from ..store.queries import register as q
from .lists import replace_lists

EARTH_KM = 6371.0088  # the mean Earth radius (IUGG)


@dataclass
class Term:
    collaboration: str
    force: str
    field: str
    value: str


@dataclass
class Site:
    collaboration: str
    force: str
    name: str
    lat: float
    lon: float


@dataclass
class Travel:
    collaboration: str
    origin: str
    destination: str
    minutes: int


def _same(value: str) -> str:
    return " ".join(value.split()).casefold()


def compare_terms(terms: list[Term]) -> list[dict]:
    """Each field, its value in each force, and whether the forces differ (ignoring case
    and spacing); a force with no value for a field is shown as not entered, and does not
    count as a difference."""
    forces = sorted({t.force for t in terms})
    out = []
    for field in dict.fromkeys(t.field for t in terms):
        values = {t.force: t.value for t in terms if t.field == field}
        out.append(
            {
                "field": field,
                "values": {f: values.get(f) for f in forces},
                "differs": len({_same(v) for v in values.values()}) > 1,
            }
        )
    return out


def distance_km(a: Site, b: Site) -> float:
    """Great-circle distance by the haversine formula, in kilometres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_matrix(sites: list[Site], travel: list[Travel]) -> list[dict]:
    """Every pair of sites of different forces: distance (km, one decimal) and travel time
    in minutes where entered (either direction)."""
    minutes = {(t.origin, t.destination): t.minutes for t in travel}
    out = []
    for i, a in enumerate(sites):
        for b in sites[i + 1 :]:
            if a.force == b.force:
                continue
            out.append(
                {
                    "from": f"{a.name} ({a.force})",
                    "to": f"{b.name} ({b.force})",
                    "km": round(distance_km(a, b), 1),
                    "minutes": minutes.get((a.name, b.name), minutes.get((b.name, a.name))),
                }
            )
    return sorted(out, key=lambda r: -r["km"])


def save_practicalities(conn, terms: list[Term], sites: list[Site], travel: list[Travel]) -> None:
    """Replace each collaboration's terms, sites and travel times (in the caller's transaction)."""
    replace_lists(conn, (("terms", terms), ("sites", sites), ("travel", travel)), _values)


def _values(r) -> dict:
    if isinstance(r, Term):
        return {"force": r.force, "field": r.field, "value": r.value}
    if isinstance(r, Site):
        return {"force": r.force, "name": r.name, "lat": r.lat, "lon": r.lon}
    return {"origin": r.origin, "destination": r.destination, "minutes": r.minutes}


def load_terms(store: Store, collaboration: str) -> list[Term]:
    with store.connect() as conn:
        rows = q.register_list_rows(conn, "terms", collaboration)
    return [Term(collaboration, r.force, r.field, r.value) for r in rows]


def load_sites(store: Store, collaboration: str) -> tuple[list[Site], list[Travel]]:
    with store.connect() as conn:
        sites = q.register_list_rows(conn, "sites", collaboration)
        travel = q.register_list_rows(conn, "travel", collaboration)
    return (
        [Site(collaboration, r.force, r.name, float(r.lat), float(r.lon)) for r in sites],
        [Travel(collaboration, r.origin, r.destination, int(r.minutes)) for r in travel],
    )
