import pytest

from baodao.accounts.models import Role
from baodao.registration.services import registration_apply, unit_registration_apply
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() creates a dozen accounts; the production hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pending(w):
    """The world's member has applied to C1 (grid C1G1) and waits for the community."""
    return registration_apply(
        member=w.members["member"], community=w.r("C1"), grid=w.r("C1G1"), address="3栋2单元502"
    )


@pytest.fixture
def places(w, pending):
    """Something to find in every community of the world, keyed by community code: a pending registration
    and a pending unit registration (C1: the world's member and U1; C2: the other member and U2; C3 and
    C4: new members of U3 and U4)."""
    admins = {
        "U1": w.users["unit_admin"],
        "U2": w.users["other_unit_admin"],
        "U3": factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"], name="实验中学党办"),
        "U4": factories.user(Role.UNIT_ADMIN, unit_=w.units["U4"], name="供电局党办"),
    }
    result = {"C1": {"registration": pending}}
    result["C2"] = {
        "registration": registration_apply(
            member=w.members["other_member"], community=w.r("C2"), grid=w.r("C2G1"), address="8栋101"
        )
    }
    for code, unit_code, name in (("C3", "U3", "赵老师"), ("C4", "U4", "孙电工")):
        m = factories.member(w.units[unit_code], community=w.r(code), grid=w.r(f"{code}G1"), name=name)
        result[code] = {
            "registration": registration_apply(member=m, community=w.r(code), grid=w.r(f"{code}G1"))
        }
    for code, unit_code in (("C1", "U1"), ("C2", "U2"), ("C3", "U3"), ("C4", "U4")):
        result[code]["unit_registration"] = unit_registration_apply(
            actor=admins[unit_code], unit=w.units[unit_code], community=w.r(code), commitments="共建承诺"
        )
    return result
