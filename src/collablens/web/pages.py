"""The pages people sign in to: dashboards, review, survey links, register, downloads, users.

Each route says who may use it (`allow`); a force lead is further kept to their own force
here (links) and by the analysis layer (`find(audience_force=...)`) for every figure and
comment. Forms post back with the session's CSRF token; each successful post redirects
(303) so a reload never posts twice.
"""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import delete, select

from .. import jobs
from ..access.accounts import (
    ADMIN,
    ANALYST,
    FORCE_LEAD,
    ROLES,
    VIEWER,
    AccountError,
    TooManyFailures,
    User,
    add_user,
    authenticate,
    list_users,
    set_role,
)
from ..errors import CollablensError, NotFound
from ..store import Store
from ..store import forces as forces_store
from ..store.tables import review_claims
from ..store.workspace import upsert
from ..surveys import online
from ..text.review_keys import REVIEW_KEYS
from .app import page
from .security import EVERYONE, PUBLIC, allow, sign_in, sign_out

router = APIRouter()

Who = Annotated[User, allow(*EVERYONE)]
CLAIM = timedelta(minutes=15)
#: Uploads larger than this are refused before they are read into memory twice.
MAX_UPLOAD = 100 * 1024 * 1024


def _store(request: Request) -> Store:
    return request.app.state.store


def _see(request: Request, user: User | None, name: str) -> list[str]:
    """The collaboration's declared forces, if it exists and `user` may see it (404 else).

    A force lead sees the collaborations their force is a partner of, and no other."""
    store = _store(request)
    if name not in store.collaborations():
        raise HTTPException(404, f"There is no collaboration called {name!r}.")
    forces = _forces(store, name)
    if user is not None and user.role == FORCE_LEAD and user.force not in forces:
        raise HTTPException(404, f"There is no collaboration called {name!r}.")
    return forces


def _visible(request: Request, user: User) -> list[str]:
    store = _store(request)
    names = store.collaborations()
    if user.role != FORCE_LEAD:
        return names
    return [n for n in names if user.force in _forces(store, n)]


def _back(url: str, note: str | None = None) -> RedirectResponse:
    if note:
        url += ("&" if "?" in url else "?") + "note=" + quote(note)
    return RedirectResponse(url, status_code=303)


def _c(name: str) -> str:
    return "/c/" + quote(name, safe="")


# -- signing in -----------------------------------------------------------------------------


@router.get("/", dependencies=[allow(PUBLIC)])
def root(request: Request) -> Response:
    from .security import current_user

    return _back("/home" if current_user(request) else "/login")


@router.get("/report.css", dependencies=[allow(PUBLIC)])
def report_css(request: Request) -> Response:
    """The report's style sheet, shared by dashboards (see `app.report_css`)."""
    return Response(
        request.app.state.report_css,
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, _: Annotated[User | None, allow(PUBLIC)], next: str = "/home"
) -> Response:
    expired = request.query_params.get("expired") == "1"
    return page(request, "login.html", next=_safe_next(next), expired=expired, error=None)


def _safe_next(target: str) -> str:
    """Only a path on this site: never a redirect elsewhere (`//evil`, `https://...`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/home"
    return target


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    _: Annotated[User | None, allow(PUBLIC)],
    name: Annotated[str, Form(max_length=300)],
    password: Annotated[str, Form(max_length=2000)],
    next: Annotated[str, Form(max_length=500)] = "/home",
) -> Response:
    try:
        user = authenticate(_store(request), name, password)
    except TooManyFailures as exc:
        return page(request, "login.html", 429, next=_safe_next(next), error=str(exc))
    if user is None:
        return page(
            request,
            "login.html",
            401,
            next=_safe_next(next),
            error="That name and password do not match an account.",
        )
    sign_in(request, user)
    return _back(_safe_next(next))


@router.post("/logout")
def logout(request: Request, _: Who) -> Response:
    sign_out(request)
    return _back("/login")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: Who) -> Response:
    return page(request, "account.html", error=None, note=request.query_params.get("note"))


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    user: Who,
    current: Annotated[str, Form(max_length=2000)],
    new: Annotated[str, Form(max_length=2000)],
    again: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Change your own password: your other sessions end, this one carries on."""
    from ..access.accounts import set_password

    store = _store(request)
    problem = None
    try:
        if authenticate(store, user.name, current) is None:
            problem = "Your current password is not right."
        elif new != again:
            problem = "The two new passwords differ."
        else:
            set_password(store, user.name, new)
    except (AccountError, TooManyFailures) as exc:
        problem = str(exc)
    if problem:
        return page(request, "account.html", 400, error=problem, note=None)
    sign_in(request, user)  # a new session, begun after the change
    return _back("/account", "Your password is changed; your other sessions have ended.")


# -- home and collaborations ----------------------------------------------------------------


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, user: Who) -> Response:
    store = _store(request)
    rows = []
    with store.connect() as conn:
        for n in _visible(request, user):
            rows.append(
                {
                    "name": n,
                    "url": _c(n),
                    "forces": forces_store.declared_forces(conn, n),
                    "waves": [w for _, w in store.waves(n)],
                }
            )
    return page(request, "home.html", collaborations=rows, note=request.query_params.get("note"))


@router.post("/collaborations")
def create_collaboration(
    request: Request,
    user: Annotated[User, allow(ADMIN)],
    name: Annotated[str, Form(max_length=200)],
    forces: Annotated[str, Form(max_length=5000)],
    wave: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    from ..store import queries
    from ..surveys.attributes import set_forces

    store = _store(request)
    name = " ".join(name.split())
    names = [" ".join(f.split()) for f in forces.replace(",", "\n").splitlines() if f.strip()]
    if not name or not names:
        raise CollablensError("give the collaboration a name and at least one force")
    if name in store.collaborations():
        raise CollablensError(f"there is already a collaboration called {name!r}")
    if "/" in name:  # it could not be part of a page's address
        raise CollablensError("a collaboration's name cannot hold '/'; use 'and' or '-'")
    set_forces(store, name, names)
    if wave.strip():
        with store.begin() as conn:
            queries.ensure_wave(conn, name, " ".join(wave.split()))
    return _back(_c(name), f"{name} created with {len(names)} forces")


# -- the dashboard --------------------------------------------------------------------------


def _img(svg: str, alt: str) -> Markup:
    """A chart's SVG as an image: the page's CSP allows no inline styles, an image's own do."""
    head, rest = svg.split(">", 1)
    head += ' xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    data = base64.b64encode(f"{head}>{rest}".encode()).decode()
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, Markup(data)
    )


CHART_ALT = {
    "scorecard": "Factor scores with 95% intervals, on the bands; the table below gives them.",
    "forces": "Mean score of each factor by force; the table gives the figures.",
    "quadrant": "Each force's inhibitor and facilitator scores.",
    "trend": "Factor scores in each wave.",
    "mentions": "How often each factor came up in comments, as a barrier or an enabler.",
    "fairness": "Each force's share of contributions, savings and officers.",
    "milestones": "Milestones: due and done dates.",
}
#: Sections a force lead does not see: they compare forces with one another.
NOT_FOR_ONE_FORCE = {"gaps", "quadrant"}


@dataclass
class Dashboard:
    report: Any
    sections: list
    wave: str
    explore: dict


def _num(v: Any) -> float | None:
    return None if v is None or v != v else round(float(v), 3)


def explore(report: Any) -> dict:
    """The figures the interactive charts draw: the scorecard and the trend, as disclosed
    (a hidden score is null), so they can never show more than the sections beside them."""
    names = {f.id: f.name for f in report.framework.factors}
    scores = [
        {
            "name": s["name"],
            "kind": s["kind"],
            "mean": _num(s["mean"]),
            "low": _num(s["ci_low"]),
            "high": _num(s["ci_high"]),
            "n": s["n"],
            "band": s["band_label"],
        }
        for s in report.scorecard
    ]
    trend = None
    t = report.trend
    if t is not None and not t.empty:
        series = []
        for fid, name in names.items():
            part = t[t["factor"] == fid].set_index("wave")["mean"]
            series.append({"name": name, "values": [_num(part.get(w)) for w in report.waves]})
        trend = {"waves": list(report.waves), "series": series}
    return {
        "scores": scores,
        "trend": trend,
        "scale": [report.framework.scale.min, report.framework.scale.max],
    }


def findings_for(
    store: Store, name: str, user: User, wave: str | None, output: str, label: str
) -> Any:
    """The findings `user` may see (a force lead's: the totals and their own force), recorded
    in the release ledger as shown by `output`; the dashboard and the API both use it."""
    from ..analysis import ledger
    from ..analysis.findings import find

    audience = user.force if user.role == FORCE_LEAD else None
    found = find(store, name, wave, breakdowns=("force",), audience_force=audience)
    pub = found.publication
    if pub is not None:
        ledger.record(
            store,
            pub.data,
            pub.scores,
            output=output,
            label=label,
            dimensions=("all", *pub.dimensions),
            waves=found.waves,
        )
    return found


def dashboard(store: Store, name: str, user: User, wave: str | None = None) -> Dashboard:
    """The report's sections and charts for this user."""
    from ..reporting.sections import report_sections
    from ..reporting.view import present

    findings = findings_for(store, name, user, wave, "web", f"dashboard for a {ROLES[user.role]}")
    report = present(findings)
    report.charts = {k: _img(v, CHART_ALT.get(k, k)) for k, v in report.charts.items()}
    one_force = user.role == FORCE_LEAD
    sections = [
        s
        for s in report_sections(report)
        if not (one_force and s.id in NOT_FOR_ONE_FORCE) and s.id != "workshop"
    ]
    return Dashboard(report, sections, report.wave, explore(report))


@router.get("/c/{name}", response_class=HTMLResponse)
def collaboration_page(request: Request, name: str, user: Who, wave: str | None = None) -> Response:
    forces = _see(request, user, name)
    store = _store(request)
    waves = [w for _, w in store.waves(name)]
    try:
        board = dashboard(store, name, user, wave)
    except ValueError as exc:  # no wave of that name with answers
        raise HTTPException(404, str(exc)) from None
    except NotFound as exc:  # no answers yet
        return page(
            request,
            "empty.html",
            name=name,
            url=_c(name),
            forces=forces,
            waves=waves,
            why=str(exc),
            note=request.query_params.get("note"),
        )
    return page(
        request,
        "dashboard.html",
        name=name,
        url=_c(name),
        r=board.report,
        sections=board.sections,
        explore=board.explore,
        waves=waves,
        note=request.query_params.get("note"),
    )


# -- survey links -----------------------------------------------------------------------------


@router.get("/c/{name}/links", response_class=HTMLResponse)
def links_page(
    request: Request, name: str, user: Annotated[User, allow(ADMIN, FORCE_LEAD)]
) -> Response:
    forces = _see(request, user, name)
    store = _store(request)
    mine = user.force if user.role == FORCE_LEAD else None
    return page(
        request,
        "links.html",
        name=name,
        url=_c(name),
        links=online.list_links(store, name, mine),
        forces=[mine] if mine else forces,
        waves=[w for _, w in store.waves(name)],
        base=(request.app.state.settings.public_url or str(request.base_url)).rstrip("/"),
        note=request.query_params.get("note"),
    )


@router.post("/c/{name}/links")
def create_link(
    request: Request,
    name: str,
    user: Annotated[User, allow(ADMIN, FORCE_LEAD)],
    wave: Annotated[str, Form(max_length=100)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _see(request, user, name)
    chosen = force or None
    wave = " ".join(wave.split())
    if user.role == FORCE_LEAD:
        if chosen != user.force:
            raise HTTPException(403, "A force lead makes links for their own force only.")
        if wave not in [w for _, w in _store(request).waves(name)]:
            raise HTTPException(
                403, "A new wave is opened by the programme office; pick an existing wave."
            )
    online.create_link(_store(request), name, wave, chosen)
    return _back(_c(name) + "/links", "link created")


@router.post("/c/{name}/forces")
def add_force(
    request: Request,
    name: str,
    user: Annotated[User, allow(ADMIN)],
    force: Annotated[str, Form(max_length=200)],
) -> Response:
    """A force joins the collaboration (named as its staff will pick it)."""
    from ..surveys.attributes import add_force as declare

    _see(request, user, name)
    declare(_store(request), name, force)
    return _back(_c(name) + "/links", f"{' '.join(force.split())} added")


def _link_of(request: Request, user: User, name: str, token: str) -> online.Link:
    link = online.find_link(_store(request), token)
    if link is None or link.collaboration != name:
        raise HTTPException(404, "No such link.")
    if user.role == FORCE_LEAD and link.force != user.force:
        raise HTTPException(403, "This link belongs to another force.")
    return link


def _set_link(request: Request, user: User, name: str, token: str, is_open: bool) -> Response:
    _see(request, user, name)
    _link_of(request, user, name, token)
    online.set_open(_store(request), token, is_open)
    return _back(_c(name) + "/links", "link opened" if is_open else "link closed")


@router.post("/c/{name}/links/{token}/close")
def close_link(
    request: Request, name: str, token: str, user: Annotated[User, allow(ADMIN, FORCE_LEAD)]
) -> Response:
    return _set_link(request, user, name, token, False)


@router.post("/c/{name}/links/{token}/open")
def open_link(
    request: Request, name: str, token: str, user: Annotated[User, allow(ADMIN, FORCE_LEAD)]
) -> Response:
    return _set_link(request, user, name, token, True)


# -- review -----------------------------------------------------------------------------------


def _claim_next(store: Store, name: str, user: User, skipped: set[int]) -> Any:
    """The next item for `user`: one they hold already, else the first nobody holds."""
    from ..text.coding import review_queue

    now = datetime.now(UTC)
    queue = review_queue(store, name, 200)
    with store.begin() as conn:
        conn.execute(delete(review_claims).where(review_claims.c.until < now))
        held = {
            int(r.segment_id): r.user_name
            for r in conn.execute(select(review_claims.c.segment_id, review_claims.c.user_name))
        }
        for item in queue:
            if item.segment_id in skipped or held.get(item.segment_id, user.name) != user.name:
                continue
            # One statement, so two analysts taking the same sentence at once cannot both
            # win it (nor fail on the key): whoever holds it afterwards has it.
            upsert(
                conn,
                review_claims,
                {"segment_id": item.segment_id, "user_name": user.name, "until": now + CLAIM},
                ["segment_id"],
                update=False,
            )
            holder = conn.execute(
                select(review_claims.c.user_name).where(
                    review_claims.c.segment_id == item.segment_id
                )
            ).scalar()
            if holder == user.name:
                return item, len(queue)
    return None, len(queue)


@router.get("/c/{name}/review", response_class=HTMLResponse)
def review_page(
    request: Request, name: str, user: Annotated[User, allow(ADMIN, ANALYST)]
) -> Response:
    from ..text.coding import waiting_for_review

    _see(request, user, name)
    store = _store(request)
    skipped = set(request.session.get("skipped", []))
    item, _ = _claim_next(store, name, user, skipped)
    fw = store.framework
    # The keys, their legend and the map app.js reads all come from one record, the one
    # `collablens review` prints: the two faces cannot drift apart again.
    key_of = REVIEW_KEYS.key_of(fw.factors)
    factors = [{"id": f.id, "name": f.name, "key": key_of.get(f.id)} for f in fw.factors]
    names = {f.id: f.name for f in fw.factors} | {"none": "none of the factors"}
    return page(
        request,
        "review.html",
        name=name,
        url=_c(name),
        item=item,
        waiting=waiting_for_review(store, name),
        factors=factors,
        names=names,
        keys=REVIEW_KEYS,
        polarity_keys={p: k for k, p in REVIEW_KEYS.polarity},
        legend=REVIEW_KEYS.legend(fw.factors),
        keymap=REVIEW_KEYS.as_json(fw.factors),
        note=request.query_params.get("note"),
    )


@router.post("/c/{name}/review/{segment_id}")
def review_answer(
    request: Request,
    name: str,
    segment_id: int,
    user: Annotated[User, allow(ADMIN, ANALYST)],
    action: Annotated[str, Form(max_length=20)],
    factor: Annotated[str, Form(max_length=100)] = "",
    polarity: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    from ..text.coding import review_queue, set_human_codes

    _see(request, user, name)
    store = _store(request)
    with store.connect() as conn:
        holder = conn.execute(
            select(review_claims.c.user_name).where(review_claims.c.segment_id == segment_id)
        ).scalar()
    if holder is not None and holder != user.name:
        raise HTTPException(409, f"{holder} is reviewing this sentence; take the next one.")
    if action == "skip":
        skipped = request.session.get("skipped", [])
        request.session["skipped"] = [*skipped[-199:], segment_id]
    elif action == "code":
        item = next((i for i in review_queue(store, name, 500) if i.segment_id == segment_id), None)
        if item is None:
            return _back(_c(name) + "/review", "that sentence was reviewed already")
        if polarity not in ("barrier", "enabler", "neutral"):
            polarity = item.polarity
        try:
            set_human_codes(store, item.segment_ids or [segment_id], factor, polarity, user.name)
        except ValueError as exc:
            raise CollablensError(str(exc)) from None
    else:
        raise HTTPException(400, "Unknown review action.")
    with store.begin() as conn:
        conn.execute(delete(review_claims).where(review_claims.c.segment_id == segment_id))
    return _back(_c(name) + "/review")


@router.get("/c/{name}/agreement", response_class=HTMLResponse)
def agreement_page(
    request: Request, name: str, user: Annotated[User, allow(ADMIN, ANALYST)]
) -> Response:
    from ..analysis.agreement import AgreementError, exclusion_note, measure_agreement

    _see(request, user, name)
    try:
        result = measure_agreement(_store(request), name, coders=None)
        error = None
    except AgreementError as exc:
        result, error = None, str(exc)
    return page(
        request,
        "agreement.html",
        name=name,
        url=_c(name),
        result=result,
        error=error,
        note=exclusion_note(result) if result else "",
    )


# -- register ---------------------------------------------------------------------------------


@router.get("/c/{name}/register", response_class=HTMLResponse)
def register_page(request: Request, name: str, user: Who) -> Response:
    from ..govern.facts import governance_facts
    from ..reporting import charts
    from ..reporting.html import environment

    _see(request, user, name)
    store = _store(request)
    facts = governance_facts(store, name)
    rendered = None
    champions: list = []
    if facts is not None:
        pictures = {}
        if any(f.contribution_share is not None for f in facts.fair):
            pictures["fairness"] = _img(charts.fairness(facts.fair), CHART_ALT["fairness"])
        if facts.milestones:
            from datetime import date

            pictures["milestones"] = _img(
                charts.milestones(facts.milestones, date.today()), CHART_ALT["milestones"]
            )
        r = SimpleNamespace(
            governance=facts, charts=pictures, scorecard=[], framework=store.framework
        )
        rendered = Markup(environment().get_template("sections/governance.html").render(r=r))
        if user.role == ADMIN:  # champions' names: only for those allowed to see names
            from ..govern.milestones import load_champions

            champions = load_champions(store, name)
    return page(
        request,
        "register.html",
        name=name,
        url=_c(name),
        section=rendered,
        champions=champions,
        note=request.query_params.get("note"),
    )


async def _upload(file: UploadFile, suffixes: tuple[str, ...]) -> tuple[str, bytes]:
    filename = Path(file.filename or "upload").name
    if Path(filename).suffix.lower() not in suffixes:
        raise CollablensError(f"{filename}: upload a {' or '.join(suffixes)} file")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise CollablensError(f"{filename}: over the limit of {MAX_UPLOAD // 2**20} MB")
    return filename, data


@router.post("/c/{name}/register")
async def register_upload(
    request: Request,
    name: str,
    user: Annotated[User, allow(ADMIN)],
    workbook: Annotated[UploadFile, File()],
) -> Response:
    from ..govern.register import import_register

    _see(request, user, name)
    filename, data = await _upload(workbook, (".xlsx",))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        import_register(_store(request), [path])
    return _back(_c(name) + "/register", f"{filename} imported")


@router.post("/c/{name}/imports")
async def responses_upload(
    request: Request,
    name: str,
    user: Annotated[User, allow(ADMIN)],
    export: Annotated[UploadFile, File()],
    wave: Annotated[str, Form(max_length=100)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Import a survey tool's export now (checked and redacted as on the command line) and
    code its comments in the background; the raw file is never kept."""
    from ..surveys.importer import import_responses

    _see(request, user, name)
    store = _store(request)
    filename, data = await _upload(export, (".csv", ".xlsx", ".tsv", ".txt"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        res = import_responses(store, path, name, " ".join(wave.split()), force=force or None)
    job = jobs.enqueue(store, "code", name, user.name)
    _wake(request)
    what = "nothing new" if res.already_imported else f"{res.rows_added} respondents"
    return _back(f"/jobs/{job}", f"{filename}: {what} imported; coding its comments")


# -- downloads and jobs -------------------------------------------------------------------------

READERS = (ADMIN, ANALYST, VIEWER)  # a force lead's view is their dashboard, not the full report


@router.get("/c/{name}/downloads", response_class=HTMLResponse)
def downloads_page(request: Request, name: str, user: Annotated[User, allow(*READERS)]) -> Response:
    _see(request, user, name)
    return page(
        request,
        "downloads.html",
        name=name,
        url=_c(name),
        jobs=jobs.recent(_store(request), name),
        kinds=jobs.KINDS,
        can_code=user.role in (ADMIN, ANALYST),
        note=request.query_params.get("note"),
    )


def _wake(request: Request) -> None:
    runner = request.app.state.runner
    if runner is not None:
        runner.wake()


@router.post("/c/{name}/jobs")
def start_job(
    request: Request,
    name: str,
    user: Annotated[User, allow(*READERS)],
    kind: Annotated[str, Form(max_length=20)],
) -> Response:
    _see(request, user, name)
    if kind not in jobs.KINDS:
        raise HTTPException(400, "Unknown kind of job.")
    if kind in ("code", "recode") and user.role not in (ADMIN, ANALYST):
        raise HTTPException(403, "Coding is for analysts and the programme office.")
    job = jobs.enqueue(_store(request), kind, name, user.name)
    _wake(request)
    return _back(f"/jobs/{job}")


def _job_for(request: Request, user: User, job_id: int) -> jobs.Job:
    job = jobs.get(_store(request), job_id)
    if job is None:
        raise HTTPException(404, "No such job.")
    if job.collaboration is not None:
        _see(request, user, job.collaboration)
    if job.kind in ("report", "pdf", "deck") and user.role not in READERS:
        raise HTTPException(403, "Reports and decks are for the programme office and analysts.")
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, user: Who) -> Response:
    job = _job_for(request, user, job_id)
    fragment = request.headers.get("hx-request") == "true"
    return page(
        request,
        "job_fragment.html" if fragment else "job.html",
        job=job,
        url=_c(job.collaboration) if job.collaboration else "/home",
        name=job.collaboration,
        note=request.query_params.get("note"),
    )


@router.get("/jobs/{job_id}/file")
def job_file(request: Request, job_id: int, user: Who) -> Response:
    _job_for(request, user, job_id)
    found = jobs.result(_store(request), job_id)
    if found is None:
        raise HTTPException(404, "This job has no file (yet).")
    filename, data = found
    types = {
        ".html": "text/html",
        ".pdf": "application/pdf",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
    return Response(
        data,
        media_type=types.get(Path(filename).suffix, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/c/{name}/scores.csv")
def scores_csv(request: Request, name: str, user: Annotated[User, allow(*READERS)]) -> Response:
    """Every disclosed score row, as `collablens scores --export` writes it."""
    from ..analysis import ledger
    from ..analysis.dataset import load
    from ..reporting.exporters import export as export_scores

    _see(request, user, name)
    store = _store(request)
    data = load(store, name)
    result = ledger.disclosed(store, data, None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.csv"
        export_scores(result, out)
        body = out.read_bytes()
    ledger.record(store, data, result, output="export", label="scores.csv (web)")
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="scores.csv"'},
    )


# -- people -----------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: Annotated[User, allow(ADMIN)]) -> Response:
    store = _store(request)
    forces = sorted(
        {f for n in store.collaborations() for f in _forces(store, n)}, key=str.casefold
    )
    return page(
        request,
        "users.html",
        users=list_users(store),
        roles=ROLES,
        forces=forces,
        note=request.query_params.get("note"),
        error=None,
    )


def _forces(store: Store, name: str) -> list[str]:
    with store.connect() as conn:
        return forces_store.declared_forces(conn, name)


@router.post("/admin/users")
def users_add(
    request: Request,
    user: Annotated[User, allow(ADMIN)],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=2000)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        add_user(_store(request), name, role, password, force or None)
    except AccountError as exc:
        raise CollablensError(str(exc)) from None
    return _back("/admin/users", f"{name} added as {ROLES[role]}")


@router.post("/admin/users/{name}/role")
def users_role(
    request: Request,
    name: str,
    user: Annotated[User, allow(ADMIN)],
    role: Annotated[str, Form(max_length=20)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if name == user.name and role != ADMIN:
        raise CollablensError("you cannot take away your own admin role; ask another admin")
    set_role(_store(request), name, role, force or None)
    return _back("/admin/users", f"{name} is now {ROLES[role]}")
