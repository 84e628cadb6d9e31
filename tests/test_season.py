"""A season, run as a programme office runs one: open a wave, import, preview, publish, take
late answers by link, publish a second edition only once it is safe, correct, reopen.

After every step, every output (the report, the deck, `scores` and its export, the
dashboard, the API and the web download) shows the same figures for the wave, and the
attacker of `test_editions` recovers no group of 1 to k-1 from everything published.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_editions import Attacker, _published
from webkit import answers, csrf_of

from collablens.access.accounts import ADMIN, FORCE_LEAD, VIEWER, add_user
from collablens.analysis import editions
from collablens.analysis.publishing import Request, publish_scores, release
from collablens.errors import NothingToShow
from collablens.reporting.deck import build_deck
from collablens.reporting.view import build_report
from collablens.store import Store
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.importer import import_responses
from collablens.surveys.instrument import response_columns
from collablens.vocabulary import SETTING_ANONYMITY_K
from collablens.web import create_app

K = 10
C = "North East"  # the attacker's collaboration (test_editions.C)
WAVE = "2026"
FORCES = ["Northmoor Police", "Eastdale", "Fellside"]
PASSWORD = "correct horse battery staple"
URL = "/c/" + quote(C, safe="")


def _sign_in(client: TestClient, name: str) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/home"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]


def _file(store: Store, path: Path, counts: dict[str, int], start: int) -> Path:
    rng = random.Random(start)
    cols = response_columns(store.framework)
    rows = []
    for force, n in counts.items():
        for i in range(n):
            row = dict.fromkeys(cols, "")
            row.update(answers(store, None, rng, i))
            row.update({"respondent_id": f"f{start}-{force[:3]}{i}", "force": force})
            rows.append(row)
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


def _plain(mean, n) -> tuple[float | None, int | None]:
    """A figure as (mean, n), hidden ones as (None, None) whatever the output wrote."""
    if mean is None or mean != mean:
        return None, None
    return round(float(mean), 9), int(n)


def _trust(rows: list[dict]) -> tuple[float | None, int | None]:
    row = next(r for r in rows if r["id"] == "trust")
    return _plain(row["mean"], row["n"])


class Season:
    def __init__(self, store: Store, tmp: Path) -> None:
        self.store, self.tmp = store, tmp
        self.app = create_app(store, run_jobs=False)
        self.admin = TestClient(self.app, raise_server_exceptions=False)
        self.viewer = TestClient(self.app, raise_server_exceptions=False)
        _sign_in(self.admin, "Ada Admin")
        _sign_in(self.viewer, "Vic Viewer")
        self.attacker = Attacker()

    def post(self, path: str, **data: str):
        form = self.admin.get(URL + "/waves").text
        return self.admin.post(URL + path, data={**data, "csrf": csrf_of(form)},
                               follow_redirects=False)  # fmt: skip

    def published(self) -> None:
        """What a publish just made public: the attacker reads all of it."""
        self.attacker.see(self.store, _published(self.store))

    def outputs_agree(self) -> tuple[float | None, int | None]:
        """Every output shows the published edition's figures: the same trust mean and n."""
        report = build_report(self.store, C, breakdowns=("force", "role"))
        _, deck, _, _ = build_deck(self.store, C)
        assert not report.preview and not deck.preview
        mean, n = _trust(report.scorecard)
        assert _trust(deck.scorecard) == (mean, n)
        api = self.viewer.get(f"/api/c/{quote(C, safe='')}/scores").json()
        got = next(f for f in api["factors"] if f["id"] == "trust")
        assert _plain(got["mean"], got["n"]) == (mean, n)
        if report.all_hidden:  # a correction may withhold every figure: refused unless asked
            with pytest.raises(NothingToShow):
                publish_scores(self.store, C, by="all", outputs=[self.tmp / "s.csv"])
        scores = publish_scores(
            self.store, C, by="all", outputs=[self.tmp / "s.csv"], allow_empty=True
        )
        row = scores.cells[scores.cells["factor"] == "trust"].iloc[0]
        assert _plain(row["mean"], row["n"]) == (mean, n)
        csv = pd.read_csv(pd.io.common.StringIO(self.viewer.get(URL + "/scores.csv").text),
                          dtype={"wave": str})  # fmt: skip
        hit = csv[(csv["wave"] == report.wave) & (csv["dimension"] == "all")
                  & (csv["factor"] == "trust")].iloc[0]  # fmt: skip
        assert _plain(hit["mean"], hit["n"]) == (mean, n)
        board = self.viewer.get(URL).text
        assert "Preview" not in board and f"wave {report.wave}" in board
        if report.n_respondents is None:
            assert "Too few people answered this wave to show how many" in board
        else:
            assert f"<b>{report.n_respondents:,}</b> people answered this wave" in board
        assert self.attacker.recovered() == []
        return mean, n


def test_a_season(any_store: Store, tmp_path: Path):
    store = any_store
    store.set_setting(SETTING_ANONYMITY_K, str(K))
    set_forces(store, C, FORCES)
    add_user(store, "Ada Admin", ADMIN, PASSWORD)
    add_user(store, "Vic Viewer", VIEWER, PASSWORD)
    add_user(store, "Fred Lead", FORCE_LEAD, PASSWORD, "Eastdale")
    s = Season(store, tmp_path)

    # 1. Open: a survey link opens the wave; an export is imported into it.
    link = online.create_link(store, C, WAVE, "Northmoor Police")
    assert editions.state(store, C, WAVE) == "open"
    counts = {"Northmoor Police": 30, "Eastdale": 25, "Fellside": 20}
    import_responses(store, _file(store, tmp_path / "a.csv", counts, 1), C, WAVE)

    # 2. Preview: the programme office sees the live figures, marked; nobody else does.
    board = s.admin.get(URL).text
    assert "Preview: not published." in board
    assert "Nothing of North East has been published yet" in s.viewer.get(URL).text
    assert s.viewer.get(f"/api/c/{quote(C, safe='')}/scores").status_code == 404
    assert "Waves" in board and s.viewer.get(URL + "/waves").status_code == 403

    # 3. Publish from the Waves page, with a reason.
    done = s.post(f"/waves/{WAVE}/publish", reason="survey closed")
    assert done.status_code == 303, done.text[:500]
    s.published()
    first = s.outputs_agree()
    listing = s.admin.get(URL + "/waves").text
    assert "edition 1 of 2026" in listing and "survey closed" in listing

    # 4. Late answers by link: refused while published, taken once reopened with a reason.
    rng = random.Random(5)
    with pytest.raises(online.ClosedLink):
        online.submit(store, link.token, "late0", answers(store, None, rng, 0))
    assert s.post(f"/waves/{WAVE}/reopen", reason="").status_code == 400
    assert s.post(f"/waves/{WAVE}/reopen", reason="late answers").status_code == 303
    for i in range(4):
        assert online.submit(
            store, link.token, f"late{i}", answers(store, None, rng, i), at=60.0 * i
        )
    assert s.outputs_agree() == first  # late answers change nothing anyone sees

    # 5. A second edition now would give the 4 away: refused, in plain words.
    refused = s.post(f"/waves/{WAVE}/publish")
    assert refused.status_code == 400
    text = " ".join(re.sub(r"<[^>]+>", " ", refused.text).split())
    assert "6 more answers from Northmoor Police" in text and "or a correction" in text
    assert s.outputs_agree() == first

    # 6. Six more answers: the second edition is safe, and is published.
    for i in range(4, 10):
        assert online.submit(
            store, link.token, f"late{i}", answers(store, None, rng, i), at=60.0 * i
        )
    assert s.post(f"/waves/{WAVE}/publish", reason="late answers in").status_code == 303
    s.published()
    second = s.outputs_agree()
    assert second[1] == first[1] + 10  # type: ignore[operator]

    # 7. A correction (a mistyped answer found): reopened, published as a correction.
    assert s.post(f"/waves/{WAVE}/reopen", reason="a mistyped row").status_code == 303
    for i in range(10, 12):
        assert online.submit(
            store, link.token, f"late{i}", answers(store, None, rng, i), at=60.0 * i
        )
    corrected = s.post(f"/waves/{WAVE}/publish", reason="two rows", correction="yes")
    assert corrected.status_code == 303
    s.published()
    s.outputs_agree()

    # 8. Reopen for the record: the history says who did what and why.
    assert s.post(f"/waves/{WAVE}/reopen", reason="end of season check").status_code == 303
    s.outputs_agree()
    actions = [(e["action"], e["actor"]) for e in editions.history(store, C)]
    assert ("corrected", "Ada Admin") in actions and actions[-1] == ("reopened", "Ada Admin")
    shown = release(store, Request(C, output="api", preview=False))
    assert shown.findings.editions[-1].startswith("correction 3 of 2026")
