import pytest

from baodao.accounts.models import Role
from baodao.registration.services import registration_apply, unit_registration_apply
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() creates a dozen accounts; the production hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anon():
    """A client without credentials (a separate one: `api_as` adds credentials to `api`)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def pending(w):
    """The world's member has applied to C1 (grid C1G1) and waits for the community."""
    return registration_apply(
        member=w.members["member"], community=w.r("C1"), grid=w.r("C1G1"), address="3栋2单元502"
    )


@pytest.fixture
def tenants(w):
    """Objects in three places further and further from the world's roles, keyed by place:

    - "neighbour": community C2 / unit U2 (same street S1): the other member, registered there, and U2's
      unit registration with C2;
    - "street": community C3 / unit U3 (street S2, same district): a member with a pending application and
      U3's unit registration with C3;
    - "far": community C4 / unit U4 (district D2): a registered member and U4's unit registration with C4.
    """
    u3_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"], name="实验中学党办")
    u4_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U4"], name="供电局党办")
    c3_admin = factories.user(Role.COMMUNITY_ADMIN, region_=w.r("C3"), name="江景社区书记")

    neighbour = w.members["other_member"]
    neighbour_reg = factories.registered(
        neighbour, w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"]
    )
    street = factories.member(w.units["U3"], community=w.r("C3"), grid=w.r("C3G1"), name="赵老师")
    street_reg = registration_apply(member=street, community=w.r("C3"), grid=w.r("C3G1"))
    far = factories.member(w.units["U4"], community=w.r("C4"), grid=w.r("C4G1"), name="孙电工")
    far_reg = factories.registered(far, w.r("C4"), w.r("C4G1"), by=w.users["far_community_admin"])

    def unit_reg(admin, unit, community):
        return unit_registration_apply(actor=admin, unit=unit, community=community, commitments="共建承诺")

    w.users["c3_admin"] = c3_admin
    return {
        "neighbour": {
            "member": neighbour,
            "registration": neighbour_reg,
            "unit": w.units["U2"],
            "unit_registration": unit_reg(w.users["other_unit_admin"], w.units["U2"], w.r("C2")),
        },
        "street": {
            "member": street,
            "registration": street_reg,
            "unit": w.units["U3"],
            "unit_registration": unit_reg(u3_admin, w.units["U3"], w.r("C3")),
        },
        "far": {
            "member": far,
            "registration": far_reg,
            "unit": w.units["U4"],
            "unit_registration": unit_reg(u4_admin, w.units["U4"], w.r("C4")),
        },
    }
