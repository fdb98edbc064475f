import pytest
from django.test import override_settings

from baodao.lib import crypto
from baodao.lib.errors import Conflict, Invalid
from baodao.lib.idnumber import check_digit
from baodao.members.models import Member
from tests import factories
from tests.factories import ID_NUMBERS


@pytest.fixture
def fresh_keys():
    """Forget the derived keys before and after a test that changes the key settings."""
    crypto._fernet.cache_clear()
    crypto._lookup_key.cache_clear()
    yield
    crypto._fernet.cache_clear()
    crypto._lookup_key.cache_clear()


def test_it_round_trips_a_value():
    token = crypto.encrypt("440524188001010014")
    assert token != "440524188001010014"
    assert "440524188001010014" not in token
    assert crypto.decrypt(token) == "440524188001010014"


def test_it_encrypts_the_same_value_differently_each_time():
    assert crypto.encrypt("440524188001010014") != crypto.encrypt("440524188001010014")


def test_it_hashes_deterministically_and_irreversibly():
    a = crypto.lookup_hash("440524188001010014")
    assert a == crypto.lookup_hash("440524188001010014")
    assert a != crypto.lookup_hash("440106199003071231")
    assert len(a) == 64
    assert "440524" not in a


def test_it_keys_the_lookup_hash(fresh_keys):
    with override_settings(LOOKUP_HASH_KEY="key-one"):
        crypto._lookup_key.cache_clear()
        one = crypto.lookup_hash("440524188001010014")
    with override_settings(LOOKUP_HASH_KEY="key-two"):
        crypto._lookup_key.cache_clear()
        two = crypto.lookup_hash("440524188001010014")
    crypto._lookup_key.cache_clear()
    derived = crypto.lookup_hash("440524188001010014")
    assert len({one, two, derived}) == 3


def test_it_derives_a_different_lookup_key_from_another_secret(fresh_keys):
    before = crypto.lookup_hash("440524188001010014")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        crypto._lookup_key.cache_clear()
        after = crypto.lookup_hash("440524188001010014")
    assert before != after


def test_it_cannot_decrypt_with_another_key(fresh_keys):
    from cryptography.fernet import Fernet, InvalidToken

    token = crypto.encrypt("440524188001010014")
    with override_settings(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        crypto._fernet.cache_clear()
        with pytest.raises(InvalidToken):
            crypto.decrypt(token)


def _row_values(member: Member) -> list[str]:
    row = Member.objects.filter(pk=member.pk).values().get()
    return [str(v) for v in row.values()]


def test_it_never_stores_the_plain_id_number(w):
    for m in w.members.values():
        plain = m.id_number()
        assert plain in ID_NUMBERS
        values = _row_values(m)
        assert not any(plain in v for v in values)
        # Not even the birth-date part or the tail beyond the masked four.
        assert not any(plain[6:14] in v for v in values)


def test_it_stores_the_masked_form_and_the_keyed_hash(w):
    m = Member.objects.get(pk=w.members["member"].pk)
    assert m.id_number_masked == "110***********002X"
    assert m.id_number_hash == crypto.lookup_hash("11010519491231002X")
    assert m.id_number() == "11010519491231002X"


def test_it_stores_a_lowercase_x_in_its_normal_form(w):
    m = factories.member(w.units["U3"], id_number=" 110105 194912310038 ")
    assert m.id_number() == "110105194912310038"
    x_number = next(n for n in (f"44010619850101{i:03d}" for i in range(1000)) if check_digit(n) == "X") + "X"
    m2 = factories.member(w.units["U3"], id_number=x_number.lower())
    assert m2.id_number() == x_number
    assert m2.id_number_hash == crypto.lookup_hash(x_number)


def test_it_refuses_a_duplicate_id_number(w):
    with pytest.raises(Conflict) as exc:
        factories.member(w.units["U3"], id_number=ID_NUMBERS[1])
    assert exc.value.status == 409
    assert "身份证" in exc.value.detail
    assert Member.objects.filter(unit=w.units["U3"]).count() == 0


@pytest.mark.parametrize(
    "variant", ["11010519491231002x", " 110105 19491231002X ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_it_refuses_a_duplicate_written_differently(w, variant):
    with pytest.raises(Conflict):
        factories.member(w.units["U3"], id_number=variant)


def test_it_refuses_an_invalid_id_number(w):
    with pytest.raises(Invalid) as exc:
        factories.member(w.units["U3"], id_number="110105194912310021")
    assert "id_number" in exc.value.fields


def test_it_allows_many_members_without_an_id_number(w):
    a = factories.member(w.units["U3"])
    b = factories.member(w.units["U3"])
    assert a.id_number_hash is None and b.id_number_hash is None
    assert a.id_number() == ""
