"""Phone and ID numbers never appear in full in any page, for anyone but the person itself — except in the
one answer to an audited "查看完整信息"."""

import pytest

from baodao.audit.models import Action, AuditEvent
from tests import factories

PAGES = [
    "/",
    "/me/",
    "/me/apply/",
    "/me/profile/",
    "/me/end/",
    "/community/C1/registrations/",
    "/community/C1/registrations/?status=confirmed",
    "/community/C1/members/",
    "/community/C1/members/?skill=legal",
    "/community/C1/unit-registrations/",
    "/community/C2/registrations/",
    "/community/C2/members/",
    "/grid/C1G1/members/",
    "/grid/C2G1/members/",
    "/unit/U1/members/",
    "/unit/U2/members/",
    "/unit/U1/unit-registrations/",
    "/coverage/D1/",
    "/coverage/S1/?by=community",
    "/c/C1/",
    "/c/C2/",
    "/members/{member}/",
    "/members/{other_member}/",
]
ROLES = [
    "district_admin",
    "street_admin",
    "community_admin",
    "grid_worker",
    "unit_admin",
    "member",
    "resident",
    "other_community_admin",
    "other_unit_admin",
    "other_member",
    None,
]


@pytest.fixture
def secrets(w):
    """The full phone and ID number of each member, with both members registered."""
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    factories.registered(
        w.members["other_member"], w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"]
    )
    return {
        "member": [w.users["member"].phone, factories.ID_NUMBERS[0]],
        "other_member": [w.users["other_member"].phone, factories.ID_NUMBERS[1]],
    }


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_it_never_shows_anothers_full_phone_or_id(client, as_user, w, secrets, role):
    if role:
        client = as_user(w.users[role])
    pks = {key: w.members[key].pk for key in ("member", "other_member")}
    for url in PAGES:
        html = client.get(url.format(**pks), follow=True).text
        for owner, values in secrets.items():
            if owner == role:
                continue
            for value in values:
                assert value not in html, f"{role} sees {owner}'s {value} on {url}"


def test_it_shows_the_full_values_only_in_the_audited_answer(as_user, w, secrets):
    client = as_user(w.users["district_admin"])
    pk = w.members["member"].pk
    r = client.post(f"/members/{pk}/unmask/")
    assert all(value in r.text for value in secrets["member"])
    assert AuditEvent.objects.filter(action=Action.UNMASKED, target_id=str(pk)).count() == 1
    assert not any(value in client.get(f"/members/{pk}/").text for value in secrets["member"])
