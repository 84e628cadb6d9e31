"""Survey files in the web app: a refused export offers, on the page, what the
command line offers as options (declare the force, count unknowns as "Other"), and the
questionnaire is downloaded in the formats `collablens survey template` writes."""

from __future__ import annotations

import html
import io

from webkit import COLLAB, USERS, csrf_of, export_of_forces, sign_in

from collablens.access.accounts import ADMIN
from collablens.surveys.attributes import OTHER, list_forces

C = "/c/" + COLLAB.replace(" ", "%20")


def _upload(client, data: bytes, **form):
    token = csrf_of(client.get(C).text)
    return client.post(
        f"{C}/imports",
        data={"wave": "2027", "csrf": token, **form},
        files={"export": ("answers.csv", io.BytesIO(data), "text/csv")},
        follow_redirects=False,
    )


def test_a_refused_upload_offers_to_add_the_force_and_nothing_tells_of_a_command(web):
    admin = web.client()
    sign_in(admin, ADMIN)
    data = export_of_forces(web.store, ["Durham", "Cumbria", "Durham"])
    r = _upload(admin, data)
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert "'Cumbria' is not a declared force" in page
    assert "Add Cumbria as a partner" in page and 'name="unknown_as_other"' in page
    for said in ("collablens ", "--add", "--unknown-as-other", "Run "):
        assert said not in page, said
    assert "2027" not in [w for _, w in web.store.waves(COLLAB)], "nothing imported"
    # The button adds the force, and the same file then imports.
    token = csrf_of(r.text)
    added = admin.post(
        f"{C}/forces",
        data={"force": "Cumbria", "then": "import", "csrf": token},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"].startswith(C + "?note=")
    assert "Cumbria" in list_forces(web.store, COLLAB).declared
    assert _upload(admin, data).status_code == 303


def test_a_refused_upload_imports_again_counting_unknowns_as_other(web):
    admin = web.client()
    sign_in(admin, ADMIN)
    data = export_of_forces(web.store, ["Durham", "Northmoor Polce"])
    assert _upload(admin, data).status_code == 400
    r = _upload(admin, data, unknown_as_other="1")
    assert r.status_code == 303, r.text
    assert list_forces(web.store, COLLAB).respondents.get(OTHER) == 1
    assert "Northmoor Polce" not in list_forces(web.store, COLLAB).declared


def test_the_command_line_still_names_its_options(web, tmp_path):
    from collablens.surveys.importer import import_responses
    from collablens.surveys.readers import InputError

    path = tmp_path / "a.csv"
    path.write_bytes(export_of_forces(web.store, ["Cumbria"]))
    try:
        import_responses(web.store, path, COLLAB, "2027")
    except InputError as exc:
        said = str(exc)
    else:
        raise AssertionError("an unknown force was imported")
    assert "--unknown-as-other" in said and f'collablens forces -c "{COLLAB}" --add' in said
    assert USERS  # the accounts exist: this ran in the web workspace


def test_the_questionnaire_is_downloaded_from_the_links_page(web):
    from collablens.access.accounts import FORCE_LEAD, VIEWER

    lead = web.client()
    sign_in(lead, FORCE_LEAD)
    page = lead.get(f"{C}/links").text
    assert 'href="/questionnaire.md"' in page and 'href="/questionnaire.xlsx"' in page
    md = lead.get("/questionnaire.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    first_item = next(it for _, it in web.store.framework.items)
    assert first_item.text.split()[0] in md.text
    xlsx = lead.get("/questionnaire.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "questionnaire.xlsx" in xlsx.headers["content-disposition"]
    viewer = web.client()
    sign_in(viewer, VIEWER)
    assert viewer.get("/questionnaire.md").status_code == 403
