"""Cross-tenant matrix for the pages: every role against another community's and another unit's pages
and objects. Out of scope is always "not found" (404), never "forbidden": a page does not reveal what
exists."""

import pytest

#: role -> the places just outside its reach: a community (with a grid), a unit, a street or district and
#: a member living elsewhere.
OUT_OF_REACH = {
    "district_admin": {"community": "C4", "unit": "U4", "region": "D2", "member": "C4"},
    "street_admin": {"community": "C3", "unit": "U3", "region": "S2", "member": "C3"},
    "community_admin": {"community": "C2", "unit": "U2", "region": "S1", "member": "C2"},
    "grid_worker": {"community": "C2", "unit": "U2", "region": "S1", "member": "C2"},
    "unit_admin": {"community": "C2", "unit": "U2", "region": "S1", "member": "C2"},
    "member": {"community": "C2", "unit": "U2", "region": "S1", "member": "C2"},
    "resident": {"community": "C2", "unit": "U2", "region": "S1", "member": "C2"},
    "other_community_admin": {"community": "C1", "unit": "U1", "region": "S1", "member": "C1"},
    "far_community_admin": {"community": "C1", "unit": "U1", "region": "D1", "member": "C1"},
    "other_unit_admin": {"community": "C1", "unit": "U1", "region": "S1", "member": "C1"},
}

PAGES = [
    ("get", "/community/{community}/registrations/"),
    ("get", "/community/{community}/members/"),
    ("get", "/community/{community}/unit-registrations/"),
    ("get", "/grid/{community}G1/members/"),
    ("get", "/unit/{unit}/members/"),
    ("get", "/unit/{unit}/unit-registrations/"),
    ("post", "/unit/{unit}/unit-registrations/"),
    ("get", "/coverage/{region}/"),
    ("get", "/coverage/{region}/?by=community"),
    ("get", "/members/{member_pk}/"),
    ("post", "/members/{member_pk}/unmask/"),
    ("post", "/registrations/{registration_pk}/confirm/"),
    ("post", "/registrations/{registration_pk}/reject/"),
    ("post", "/unit-registrations/{unit_registration_pk}/confirm/"),
    ("post", "/unit-registrations/{unit_registration_pk}/reject/"),
]


@pytest.mark.parametrize("method,pattern", PAGES, ids=[f"{m} {p}" for m, p in PAGES])
@pytest.mark.parametrize("role", sorted(OUT_OF_REACH))
def test_it_does_not_find_what_lies_outside_a_roles_reach(as_user, w, places, role, method, pattern):
    reach = OUT_OF_REACH[role]
    there = places[reach["member"]]
    url = pattern.format(
        **reach,
        member_pk=there["registration"].member_id,
        registration_pk=there["registration"].pk,
        unit_registration_pk=places[reach["community"]]["unit_registration"].pk,
    )
    client = as_user(w.users[role])
    data = {"reason": "越权尝试", "community": reach["community"], "commitments": "越权尝试"}
    r = client.get(url) if method == "get" else client.post(url, data)
    assert r.status_code == 404, f"{role} {method} {url} → {r.status_code}"
    assert "找不到这个页面" in r.text
    there["registration"].refresh_from_db()
    assert there["registration"].status == "pending"


@pytest.mark.parametrize(
    "role,url",
    [
        ("district_admin", "/coverage/D1/"),
        ("street_admin", "/community/C2/registrations/"),
        ("street_admin", "/unit/U2/members/"),
        ("community_admin", "/community/C1/members/"),
        ("community_admin", "/grid/C1G2/members/"),
        ("grid_worker", "/grid/C1G1/members/"),
        ("unit_admin", "/unit/U1/members/"),
        ("member", "/me/"),
        ("resident", "/c/C1/"),
        ("other_community_admin", "/community/C2/registrations/"),
        ("far_community_admin", "/community/C4/registrations/"),
        ("other_unit_admin", "/unit/U2/members/"),
    ],
)
def test_it_finds_what_lies_inside_a_roles_reach(as_user, w, places, role, url):
    assert as_user(w.users[role]).get(url).status_code == 200
