"""A published edition is viewed, not recomputed: once its findings and charts are made in
a process, a dashboard or API view of it reads neither the answers nor the edition's frozen
snapshot, and draws no chart (issue 25: every view used to recompute the findings and
redraw the charts, 1.9 s at 10,000 respondents and 42 s at a million).

What is counted goes through real hooks: SQLAlchemy's `before_cursor_execute` event for
every statement sent to the database, and matplotlib's `Figure.savefig` for every chart."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from matplotlib.figure import Figure
from sqlalchemy import delete, event
from webkit import COLLAB, sign_in

from collablens.access.accounts import ADMIN, FORCE_LEAD
from collablens.store.tables import codings, comments, respondents

NAME = quote(COLLAB, safe="")
VIEWS = [f"/c/{NAME}", f"/api/c/{NAME}/scores", f"/api/c/{NAME}/comments"]


class Watch:
    """Statements sent to the workspace and charts drawn while it is on."""

    def __init__(self, engine, monkeypatch) -> None:
        self.statements: list[str] = []
        self.charts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        self.engine = engine
        draw = Figure.savefig

        def counted(figure, *args, **kwargs):
            self.charts += 1
            return draw(figure, *args, **kwargs)

        monkeypatch.setattr(Figure, "savefig", counted)

    def _statement(self, conn, cursor, statement, *args) -> None:
        self.statements.append(" ".join(statement.lower().split()))

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def reads_answers(self) -> list[str]:
        """Statements that read answers, comments or an edition's frozen snapshot."""
        return [
            s
            for s in self.statements
            if s.startswith("select")
            and (
                "from respondents" in s
                or "join respondents" in s
                or "from comments" in s
                or "join comments" in s
                or ".snapshot" in s
            )
        ]


@pytest.mark.parametrize("role", [ADMIN, FORCE_LEAD])
def test_a_second_view_of_a_published_edition_recomputes_nothing(web, monkeypatch, role):
    client = web.client()
    sign_in(client, role)
    first = {url: client.get(url) for url in VIEWS}
    assert all(r.status_code == 200 for r in first.values()), {
        u: r.status_code for u, r in first.items()
    }
    watch = Watch(web.store.engine, monkeypatch)
    try:
        again = {url: client.get(url) for url in VIEWS}
    finally:
        watch.stop()
    assert all(r.status_code == 200 for r in again.values())
    assert watch.charts == 0
    assert watch.reads_answers() == []
    assert again[VIEWS[1]].json() == first[VIEWS[1]].json()
    assert again[VIEWS[2]].json() == first[VIEWS[2]].json()


def test_a_published_edition_is_shown_with_the_answers_gone(web):
    """The answers tables emptied after a first view: the published figures stand."""
    client = web.client()
    sign_in(client, ADMIN)
    scores = client.get(VIEWS[1]).json()
    said = client.get(VIEWS[2]).json()
    assert scores["respondents"] and any(f["mentions"] for f in said)
    with web.store.begin() as conn:
        conn.execute(delete(codings))
        conn.execute(delete(comments))
        conn.execute(delete(respondents))
    assert client.get(VIEWS[1]).json() == scores
    assert client.get(VIEWS[2]).json() == said
    page = client.get(VIEWS[0])
    assert page.status_code == 200
    assert f"<b>{scores['respondents']}</b> people answered this wave" in page.text
