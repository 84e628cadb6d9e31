"""What the web app shows of a collaboration: its dashboard, its register, its scores file.

The dashboard is the report's own sections and charts (`view.present`,
`sections.report_sections`) for one person, from the findings they may see
(`access.audience.findings_for`); the page only lays them out. Charts are drawn as
images, because the app's Content-Security-Policy allows no inline styles and an SVG
image's own styles are its own.
"""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..access.audience import findings_for, may_preview, policy_for, release_for, visible

if TYPE_CHECKING:
    from ..access.accounts import User
    from ..store import Store

#: Each chart's text alternative (the tables beside it give the figures).
CHART_ALT = {
    "scorecard": "Each factor's score, with where the true score is likely to be, on the "
    "bands; the table below gives the figures.",
    "forces": "Each force's score on each factor; the table gives the figures.",
    "quadrant": "Each force's average score on the barriers and on the enablers.",
    "trend": "Each factor's score in each wave.",
    "mentions": "How often each factor came up in comments, as a barrier or an enabler.",
    "fairness": "What each force puts in, what it gets back in savings, and its share of officers.",
    "milestones": "Milestones: when each was due and when it was met.",
}
#: Sections the dashboard leaves to the report itself.
NOT_ON_THE_DASHBOARD = {"workshop"}


@dataclass
class Dashboard:
    report: Any
    sections: list
    wave: str
    explore: dict
    #: The waves offered (those published; every wave for whoever may preview), the
    #: published ones, and whether this person may see a preview.
    waves: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    previewer: bool = False


@dataclass
class Register:
    """The register page: the report's governance section, and champions' names for
    those who may see names."""

    section: Markup | None
    champions: list = field(default_factory=list)


def chart_img(svg: str, alt: str) -> Markup:
    """A chart's SVG as an image: the page's CSP allows no inline styles, an image's own do."""
    head, rest = svg.split(">", 1)
    head += ' xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    data = base64.b64encode(f"{head}>{rest}".encode()).decode()
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, Markup(data)
    )


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


def dashboard(
    store: Store, name: str, user: User, wave: str | None = None, preview: bool = False
) -> Dashboard:
    """The report's sections and charts for this user, recorded as a release.

    Everyone sees published editions. Whoever may publish sees a preview (marked, and
    recorded nowhere) when they ask for one, pick a wave not published, or nothing is
    published yet."""
    from ..analysis import editions

    published = list(editions.latest(store, name))
    previewer = may_preview(user)
    if previewer and ((wave is None and not published) or (wave and wave not in published)):
        preview = True
    findings = findings_for(
        store, name, user, wave, "web", f"dashboard for a {user.role_label}", preview and previewer
    )
    board = _draw(findings, store)
    board.published = published
    board.previewer = previewer
    board.waves = [w for _, w in store.waves(name)] if previewer else published
    return board


def warm(store: Store) -> None:
    """Draw every collaboration's published dashboard once for each audience it has, so
    that no first viewer waits for its findings (kept with the edition) or charts (kept by
    what they were drawn from), nor for its sections' templates to be compiled.

    The audiences: the programme office's view (names), the full view, and the view of
    each force lead's force (and whether their role may read names) among the
    collaboration's partner forces. A force lead's first view of a new edition computed it
    (2 to 7 s) until this drew it ahead too; forces without a lead have nobody to view
    them, so they are not drawn. Run at start and after publishing, in the background."""
    from ..analysis.publishing import Request, release
    from ..errors import CollablensError

    for name, policies in _audiences(store).items():
        for policy in policies:
            request = Request(name, output="dashboard", policy=policy, preview=False)
            try:
                board = _draw(release(store, request).findings, store)
            except (CollablensError, ValueError):
                break  # nothing published: nothing to draw
            for section in board.sections:  # compiles each section's template, once
                section.render(board.report)


def _audiences(store: Store) -> dict[str, list[Any]]:
    """Per collaboration, the disclosure policies of everyone who may view it, once each:
    the programme office's and the full view first, then those of the users who may see
    it (`audience.visible`), each by `audience.policy_for`, the policy their own pages
    apply (a force lead's is their force's)."""
    from dataclasses import replace

    from ..access.accounts import list_users
    from ..analysis.disclosure import Policy

    everyone = Policy.of(store)
    out = {name: [replace(everyone, see_names=True), everyone] for name in store.collaborations()}
    for user in list_users(store):
        policy = policy_for(store, user)
        for seen in visible(store, user):
            policies = out.setdefault(seen.name, [])
            if policy not in policies:
                policies.append(policy)
    return out


def _draw(findings: Any, store: Store) -> Dashboard:
    from .sections import report_sections
    from .view import present

    report = present(findings, store)
    report.charts = {k: chart_img(v, CHART_ALT.get(k, k)) for k, v in report.charts.items()}
    report.phone_charts = {
        k: chart_img(v, CHART_ALT.get(k, k)) for k, v in report.phone_charts.items()
    }
    sections = [
        s
        for s in report_sections(report)
        if s.id not in findings.hidden_sections and s.id not in NOT_ON_THE_DASHBOARD
    ]
    return Dashboard(report, sections, report.wave, explore(report))


def register(store: Store, name: str, user: User) -> Register:
    """A collaboration's register as the report's governance section shows it (None when
    nothing is registered), with champions' names only for those who may see names."""
    from ..govern.facts import governance_facts
    from . import charts
    from .html import environment

    facts = governance_facts(store, name)
    if facts is None:
        return Register(None)
    pictures, phone = {}, {}
    if any(f.contribution_share is not None for f in facts.fair):
        pictures["fairness"] = chart_img(charts.fairness(facts.fair), CHART_ALT["fairness"])
        phone["fairness"] = chart_img(
            charts.fairness(facts.fair, phone=True), CHART_ALT["fairness"]
        )
    if facts.milestones:
        pictures["milestones"] = chart_img(
            charts.milestones(facts.milestones, date.today()), CHART_ALT["milestones"]
        )
        phone["milestones"] = chart_img(
            charts.milestones(facts.milestones, date.today(), phone=True), CHART_ALT["milestones"]
        )
    r = SimpleNamespace(
        governance=facts,
        charts=pictures,
        phone_charts=phone,
        scorecard=[],
        framework=store.framework,
    )
    rendered = Markup(environment().get_template("sections/governance.html").render(r=r))
    from ..analysis.disclosure import ChampionNames, disclose
    from ..govern.milestones import load_champions

    named = disclose(ChampionNames(load_champions(store, name)), policy_for(store, user))
    return Register(rendered, named.entries)


def scores_csv(store: Store, name: str, user: User) -> bytes:
    """Every published score row `user` may see, as `collablens scores --export` writes
    it, recorded as a release."""
    from ..analysis.disclosure import ForAudience, disclose
    from .exporters import export as export_scores

    rel = release_for(store, name, user, None, "export", "scores.csv (web)")
    scores = disclose(ForAudience(rel.scores), policy_for(store, user))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.csv"
        export_scores(scores, out)
        return out.read_bytes()
