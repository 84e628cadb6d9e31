"""Report sections: each a template fragment, shown in order when it has something to say.

Sections live in `collablens.plugins.sections`. A built-in is registered by being declared
here (a `Section` record at the top of this module; `collablens.default_plugins`). A plugin
ships its own fragment in its own package and registers it through the same hook::

    @hookimpl
    def register_sections(register):
        register("costs", Section("costs", "What it costs", order=75,
                                  template="sections/costs.html", package="my_plugin"))

The fragment sees the report as ``r``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markupsafe import Markup


def _always(_report: Any) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    order: int
    template: str
    package: str = "collablens.reporting"
    shown: Callable[[Any], bool] = _always

    def render(self, report: Any) -> Markup:
        from markupsafe import Markup

        from .html import environment

        html = environment(self.package).get_template(self.template).render(r=report)
        return Markup(html)


def _has_chart(name: str) -> Callable[[Any], bool]:
    def shown(report: Any) -> bool:
        return bool(report.charts.get(name))

    return shown


def _has_part(attribute: str) -> Callable[[Any], bool]:
    """Shown where the report has this part (interviews, governance): a workspace may have none."""

    def shown(report: Any) -> bool:
        return getattr(report, attribute, None) is not None

    return shown


SUMMARY = Section("summary", "Summary", 10, "sections/summary.html")
SCORECARD = Section("scorecard", "Factor scorecard", 20, "sections/scorecard.html")
FORCES = Section(
    "forces", "Forces side by side", 30, "sections/forces.html", shown=_has_chart("forces")
)
QUADRANT = Section(
    "quadrant",
    "Inhibitors against facilitators",
    40,
    "sections/quadrant.html",
    shown=_has_chart("quadrant"),
)
TREND = Section("trend", "Trend across waves", 50, "sections/trend.html", shown=_has_chart("trend"))
GAPS = Section("gaps", "Partner gaps", 60, "sections/gaps.html")
COMMENTS = Section("comments", "What staff said", 70, "sections/comments.html")
INTERVIEWS = Section(
    "interviews",
    "What interviews said",
    75,
    "sections/interviews.html",
    shown=_has_part("interviews"),
)
GOVERNANCE = Section(
    "governance",
    "Governance",
    78,
    "sections/governance.html",
    shown=_has_part("governance"),
)
ACTIONS = Section("actions", "Recommended actions", 80, "sections/actions.html")
WORKSHOP = Section("workshop", "Questions for a workshop", 90, "sections/workshop.html")
RELIABILITY = Section(
    "reliability", "Reliability and response counts", 100, "sections/reliability.html"
)
METHOD = Section("method", "Method note", 110, "sections/method.html")


def report_sections(report: Any) -> list[Section]:
    """The registered sections that have something to show for this report, in order."""
    from .. import plugins

    chosen = [s for _, s in plugins.sections.items() if s.shown(report)]
    return sorted(chosen, key=lambda s: (s.order, s.id))
