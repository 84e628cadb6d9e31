"""The police forces of the United Kingdom and the Crown dependencies, declared once.

A national survey declares every force at once (``collablens forces --set``), so the
checks that refuse one force spelt two ways (`attributes.near_duplicates`) must tell
these apart: North, South and West Yorkshire; North and South Wales; Devon and Cornwall;
West Mercia and West Midlands; Kent and Gwent. `tests/test_uk_forces.py` declares them
all in one collaboration. The record also names each force's other usual names ("Met",
"PSNI", "Avon and Somerset Police"), so that a file or a list holding two names of one
force is refused as it is for a misspelling, rather than splitting the force in two.

Names are the forces' own: the 43 territorial forces of England and Wales, Police
Scotland, the Police Service of Northern Ireland, the three special forces policing the
whole country (British Transport Police, the Civil Nuclear Constabulary and the Ministry
of Defence Police) and the forces of the Isle of Man, Jersey and Guernsey. Every name and
other name is also in the redactor's gazetteer (`text/data/police_terms.txt`), so that a
force's name is never taken for a person's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["territorial", "scotland", "northern_ireland", "special", "crown_dependency"]


@dataclass(frozen=True)
class UKForce:
    #: The force's own name, as a collaboration declares it.
    name: str
    kind: Kind
    #: Other names the force goes by: short names, initials, its "Police"/"Constabulary" twin.
    other_names: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)


def _t(name: str, *other: str) -> UKForce:
    return UKForce(name, "territorial", other)


UK_FORCES: Final[tuple[UKForce, ...]] = (
    # The 43 territorial forces of England and Wales.
    _t("Avon and Somerset Constabulary", "Avon and Somerset Police", "Avon and Somerset"),
    _t("Bedfordshire Police"),
    _t("Cambridgeshire Constabulary"),
    _t("Cheshire Constabulary", "Cheshire Police"),
    _t("City of London Police"),
    _t("Cleveland Police"),
    _t("Cumbria Constabulary"),
    _t("Derbyshire Constabulary", "Derbyshire Police"),
    _t("Devon and Cornwall Police", "Devon and Cornwall"),
    _t("Dorset Police"),
    _t("Durham Constabulary", "Durham Police"),
    _t("Dyfed-Powys Police", "Dyfed-Powys"),
    _t("Essex Police"),
    _t("Gloucestershire Constabulary"),
    _t("Greater Manchester Police", "GMP"),
    _t("Gwent Police"),
    _t("Hampshire and Isle of Wight Constabulary", "Hampshire Constabulary", "Hampshire Police"),
    _t("Hertfordshire Constabulary", "Herts Police"),
    _t("Humberside Police"),
    _t("Kent Police"),
    _t("Lancashire Constabulary", "Lancashire Police"),
    _t("Leicestershire Police"),
    _t("Lincolnshire Police"),
    _t("Merseyside Police"),
    _t("Metropolitan Police Service", "Metropolitan Police", "Met Police", "Met", "MPS"),
    _t("Norfolk Constabulary", "Norfolk Police"),
    _t("North Wales Police"),
    _t("North Yorkshire Police"),
    _t("Northamptonshire Police", "Northants Police"),
    _t("Northumbria Police", "Northumbria"),
    _t("Nottinghamshire Police", "Notts Police"),
    _t("South Wales Police"),
    _t("South Yorkshire Police"),
    _t("Staffordshire Police", "Staffs Police"),
    _t("Suffolk Constabulary", "Suffolk Police"),
    _t("Surrey Police"),
    _t("Sussex Police"),
    _t("Thames Valley Police", "TVP"),
    _t("Warwickshire Police"),
    _t("West Mercia Police", "West Mercia"),
    _t("West Midlands Police", "WMP"),
    _t("West Yorkshire Police", "WYP"),
    _t("Wiltshire Police", "Wiltshire Constabulary"),
    # Scotland and Northern Ireland.
    UKForce("Police Scotland", "scotland", ("Police Service of Scotland",)),
    UKForce("Police Service of Northern Ireland", "northern_ireland", ("PSNI",)),
    # The special forces that police the whole country.
    UKForce("British Transport Police", "special", ("BTP",)),
    UKForce("Civil Nuclear Constabulary", "special", ("CNC",)),
    UKForce("Ministry of Defence Police", "special", ("MDP", "MoD Police")),
    # The Crown dependencies.
    UKForce("Isle of Man Constabulary", "crown_dependency"),
    UKForce("States of Jersey Police", "crown_dependency"),
    UKForce("Guernsey Police", "crown_dependency"),
)


def uk_force_names(*kinds: Kind) -> list[str]:
    """The forces' own names, of the given kinds (all when none is given)."""
    return [f.name for f in UK_FORCES if not kinds or f.kind in kinds]
