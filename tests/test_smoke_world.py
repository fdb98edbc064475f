from baodao.members.selectors import members_visible_to
from baodao.registration.selectors import unit_coverage
from tests import factories


def test_it_builds_the_world_and_scopes_members(w):
    m = w.members["member"]
    assert set(members_visible_to(w.users["community_admin"])) == {m}
    assert set(members_visible_to(w.users["other_community_admin"])) == {w.members["other_member"]}
    assert set(members_visible_to(w.users["far_community_admin"])) == set()
    assert set(members_visible_to(w.users["street_admin"])) == {m, w.members["other_member"]}
    factories.registered(m, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    cov = unit_coverage(w.units["U1"])
    assert (cov.members, cov.registered, cov.rate, cov.below_threshold) == (1, 1, 1.0, False)
