"""What one signed-in person may see and touch: collaborations, findings, links, jobs.

The roles record (`access.roles`) says what each role may do; this module applies it to a
workspace, once, for the web pages and the JSON API alike. A force lead (`OWN_FORCE_ONLY`)
sees the collaborations their force is a partner of and, within them, the totals and their
own force's figures and comments (`find(audience_force=...)`), and manages their own
force's survey links only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import CollablensError, NotFound
from ..store import Store
from ..store import forces as forces_store
from .roles import MANAGE_COLLABORATIONS, OWN_FORCE_ONLY, PUBLISH, SEE_NAMES, SEE_REPORTS, may

if TYPE_CHECKING:
    from ..jobs import Job
    from ..surveys.online import Link
    from .accounts import User

#: Jobs whose file holds every force's comments: for those who may see full reports.
REPORT_JOBS = ("report", "pdf", "deck")


class NotAllowed(CollablensError):
    """The person's role does not allow this (the web app answers 403)."""


@dataclass(frozen=True)
class Collaboration:
    name: str
    forces: list[str]
    waves: list[str]


def own_force(user: User) -> str | None:
    """The force `user` is kept to, or None when they may see every force."""
    return user.force if may(user.role, OWN_FORCE_ONLY) else None


def forces_seen(store: Store, user: User, name: str) -> list[str]:
    """A collaboration's declared forces, if it exists and `user` may see it.

    Not found otherwise, in the same words: a force lead cannot tell a collaboration
    their force is not part of from one that does not exist."""
    if name not in store.collaborations():
        raise NotFound(f"There is no collaboration called {name!r}.")
    forces = _declared(store, name)
    mine = own_force(user)
    if mine is not None and mine not in forces:
        raise NotFound(f"There is no collaboration called {name!r}.")
    return forces


def visible(store: Store, user: User) -> list[Collaboration]:
    """The collaborations `user` may see, with their forces and waves."""
    mine = own_force(user)
    out = []
    with store.connect() as conn:
        for n in store.collaborations():
            forces = forces_store.declared_forces(conn, n)
            if mine is None or mine in forces:
                out.append(Collaboration(n, forces, [w for _, w in store.waves(n)]))
    return out


def policy_for(store: Store, user: User) -> Any:
    """The disclosure policy of what `user` is shown: the workspace's thresholds, kept to
    their own force if they are a force lead, with names only if their role may read them.
    The gate (`analysis.disclosure.disclose`) applies it; no page decides it again."""
    from dataclasses import replace

    from ..analysis.disclosure import Policy

    return replace(
        Policy.of(store), audience_force=own_force(user), see_names=may(user.role, SEE_NAMES)
    )


def every_force(store: Store) -> list[str]:
    """Every force some collaboration declares, by name: the forces a force lead may lead."""
    found = {f for n in store.collaborations() for f in _declared(store, n)}
    return sorted(found, key=str.casefold)


def may_preview(user: User) -> bool:
    """Whether `user` may see figures not yet published (a live preview)."""
    return may(user.role, PUBLISH)


def release_for(
    store: Store,
    name: str,
    user: User,
    wave: str | None,
    output: str,
    label: str,
    preview: bool = False,
) -> Any:
    """What `user` may see of a collaboration (a force lead: the totals and their own force)
    through the publishing path, recorded as shown by `output`. Published editions only,
    unless `preview` is asked for by someone who may publish (never recorded)."""
    from ..analysis.publishing import Request, release

    if preview and not may_preview(user):
        raise NotAllowed("Only the programme office sees figures before they are published.")
    rel = release(
        store,
        Request(
            name,
            wave,
            output,
            label,
            breakdowns=("force",),
            policy=policy_for(store, user),
            preview=preview,
            actor=user.name,
        ),
    )
    rel.record(store)
    return rel


def findings_for(
    store: Store,
    name: str,
    user: User,
    wave: str | None,
    output: str,
    label: str,
    preview: bool = False,
) -> Any:
    """The findings of `release_for`: the dashboard and the API both use it."""
    return release_for(store, name, user, wave, output, label, preview).findings


def check_new_link(store: Store, user: User, name: str, wave: str, force: str | None) -> None:
    """Refuse a link `user` may not make: a force lead makes links for their own force;
    only the programme office opens a new wave."""
    mine = own_force(user)
    if mine is not None and force != mine:
        raise NotAllowed("A force lead makes links for their own force only.")
    if not may(user.role, MANAGE_COLLABORATIONS) and wave not in [w for _, w in store.waves(name)]:
        raise NotAllowed("A new wave is opened by the programme office; pick an existing wave.")


def link_of(store: Store, user: User, name: str, token: str) -> Link:
    """A collaboration's survey link that `user` may open or close."""
    from ..surveys import online

    forces_seen(store, user, name)
    link = online.find_link(store, token)
    if link is None or link.collaboration != name:
        raise NotFound("No such link.")
    mine = own_force(user)
    if mine is not None and link.force != mine:
        raise NotAllowed("This link belongs to another force.")
    return link


def job_for(store: Store, user: User, job_id: int) -> Job:
    """A background job `user` may follow (and fetch the file of)."""
    from .. import jobs

    job = jobs.get(store, job_id)
    if job is None:
        raise NotFound("No such job.")
    if job.collaboration is not None:
        forces_seen(store, user, job.collaboration)
    if job.kind in REPORT_JOBS and not may(user.role, SEE_REPORTS):
        raise NotAllowed("Reports and decks are for the programme office and analysts.")
    if not may_follow(user, job):
        raise NotAllowed(
            "An import's page is for whoever uploaded the file and the programme office."
        )
    return job


def may_follow(user: User, job: Job) -> bool:
    """Whether `user` may see this job among a collaboration's (on top of seeing the
    collaboration): an import's page says what was wrong with an uploaded file, row by row,
    so it is for the uploader and those who manage collaborations, not every reader."""
    from .. import jobs

    if job.kind != jobs.IMPORT:
        return True
    return job.created_by == user.name or may(user.role, MANAGE_COLLABORATIONS)


def jobs_for(store: Store, user: User, name: str) -> list[Job]:
    """A collaboration's recent jobs that `user` may follow (`may_follow`)."""
    from .. import jobs

    forces_seen(store, user, name)
    return [j for j in jobs.recent(store, name) if may_follow(user, j)]


def _declared(store: Store, name: str) -> list[str]:
    with store.connect() as conn:
        return forces_store.declared_forces(conn, name)
