"""No page tells a web user to run a command: every page of the route table, in every
role, says the web's way (a link, a button, who can do it) where the command line names a
command or an option. The command line keeps its words (`errors.Fix`)."""

from __future__ import annotations

import html
import re

import pytest
from test_web_access import _path, _routes
from webkit import COLLAB, sign_in

from collablens import jobs
from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD, VIEWER
from collablens.text.coding import review_queue


def _commands() -> list[str]:
    """The command line's own commands and groups, by name."""
    from collablens.cli import app

    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name or "" for g in app.registered_groups]
    return sorted({n for n in names if n}, key=len, reverse=True)


#: What sends a reader to a terminal: a command, an option, a backticked command.
COMMAND = re.compile(
    rf"collablens (?:{'|'.join(map(re.escape, _commands()))})\b|\s--[a-z]|`[^`]+`|\b[Rr]un <code>"
)
#: Pages that are not for reading (files, JSON, the API's own reference).
NOT_PAGES = ("/report.css", "/api/", "/file", ".csv", ".xlsx", ".md")


def _main(page: str) -> str:
    """The page's own words: what is in <main>, tags and the API docs' code aside."""
    body = page.split('<main id="main"', 1)[-1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("who", [ADMIN, FORCE_LEAD, ANALYST, VIEWER])
def test_no_page_names_a_command(web, who):
    job_id = jobs.enqueue(web.store, "code", COLLAB, "Ada Admin")
    segment_id = review_queue(web.store, COLLAB, 1)[0].segment_id
    client = web.client()
    sign_in(client, who)
    seen = 0
    for method, path, _ in _routes(web.app):
        if method != "GET" or any(p in path for p in NOT_PAGES) or path.startswith("/s/"):
            continue
        r = client.get(_path(path, web, job_id, segment_id))
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        said = _main(r.text)
        found = COMMAND.search(said)
        assert found is None, (
            f"{who} GET {path}: {said[max(0, found.start() - 80) : found.end() + 80]!r}"
        )
        seen += 1
    assert seen >= 4, "the pages were read"


def test_a_reader_who_cannot_review_is_not_told_to(web):
    """The dashboard's 'waiting for review' says who does it to a viewer, and links to the
    review page for an analyst."""
    from collablens.reporting.view import Steps
    from collablens.web.pages.dashboard import _steps

    viewer = web.client()
    sign_in(viewer, VIEWER)
    url = "/c/" + COLLAB.replace(" ", "%20")
    from collablens.access.accounts import get_user

    for role, name in ((VIEWER, "Vic Viewer"), (FORCE_LEAD, "Fred Lead")):
        user = get_user(web.store, name)
        assert user is not None and user.role == role
        steps = _steps(user, url)
        assert isinstance(steps, Steps) and "/review" not in steps.review
        assert "analysts" in steps.review
    analyst = get_user(web.store, "Ana Lyst")
    assert analyst is not None and f'href="{url}/review"' in _steps(analyst, url).review
