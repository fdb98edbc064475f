"""导出 Excel / 导出 CSV on the list pages: the links carry the page's filters, and each export holds what its
page shows — with the page's own access check."""

import html
import re

import pytest

from tests.exports.conftest import names, rows_of


def links(response) -> list[str]:
    page = response.content.decode()
    assert "导出 Excel" in page and "导出 CSV" in page
    return [html.unescape(h) for h in re.findall(r'href="([^"]*/export/\?[^"]*)"', page)]


@pytest.mark.parametrize(
    ("role", "page", "export"),
    [
        (
            "community_admin",
            "/community/C1/members/?grid=C1G2",
            "/community/C1/members/export/?format=xlsx&grid=C1G2",
        ),
        (
            "community_admin",
            "/community/C1/registrations/?status=confirmed",
            "/community/C1/registrations/export/?format=xlsx&status=confirmed",
        ),
        (
            "unit_admin",
            "/unit/U1/members/?status=pending",
            "/unit/U1/members/export/?format=xlsx&status=pending",
        ),
        ("district_admin", "/coverage/D1/?by=community", "/coverage/D1/export/?format=xlsx&by=community"),
    ],
)
def test_the_list_pages_offer_both_formats_with_their_filters(people, as_user, role, page, export):
    r = as_user(people.users[role]).get(page)
    assert r.status_code == 200
    found = links(r)
    assert found == [export, export.replace("format=xlsx", "format=csv")]


def test_the_community_members_export_holds_the_pages_members(people, as_user):
    client = as_user(people.users["community_admin"])
    assert names(client.get("/community/C1/members/export/", {"format": "csv"})) == {"李明"}
    r = client.get(
        "/community/C1/members/export/", {"format": "xlsx", "grid": "", "skill": "it", "page": "2"}
    )
    assert r.status_code == 200 and names(r) == set()


def test_the_unit_export_holds_its_members_on_record_with_the_status_filter(people, as_user):
    client = as_user(people.users["unit_admin"])
    r = client.get("/unit/U1/members/export/", {"format": "csv", "status": "unregistered"})
    rows = rows_of(r)[1:]
    assert {row[0] for row in rows} == {"'" + n for n in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)")}
    assert {row[9] for row in rows} == {"未报到"}


def test_the_registrations_export_holds_the_communitys_registrations(people, as_user):
    client = as_user(people.users["other_community_admin"])
    r = client.get("/community/C2/registrations/export/", {"format": "csv", "status": "pending"})
    assert names(r) == {"王芳"}


def test_the_coverage_export_follows_the_pages_grouping(people, as_user):
    r = as_user(people.users["street_admin"]).get(
        "/coverage/S1/export/", {"format": "csv", "by": "community"}
    )
    assert [row[0] for row in rows_of(r)[1:]] == ["C2", "C1"]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("other_community_admin", "/community/C1/members/export/"),
        ("unit_admin", "/community/C1/registrations/export/"),
        ("other_unit_admin", "/unit/U1/members/export/"),
        ("far_district_admin", "/unit/U1/members/export/"),
        ("community_admin", "/coverage/S1/export/"),
        ("far_district_admin", "/coverage/D1/export/"),
    ],
)
def test_an_export_is_not_found_where_its_page_is_not(people, as_user, role, url):
    assert as_user(people.users[role]).get(url, {"format": "csv"}).status_code == 404


def test_it_refuses_a_bad_format(people, as_user):
    r = as_user(people.users["unit_admin"]).get("/unit/U1/members/export/", {"format": "pdf"})
    assert r.status_code == 400


def test_it_sends_anonymous_visitors_to_sign_in(people, client):
    r = client.get("/unit/U1/members/export/", {"format": "csv"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_refuses_a_bad_filter(people, as_user):
    r = as_user(people.users["community_admin"]).get("/community/C1/members/export/", {"skill": "juggling"})
    assert r.status_code == 400
