from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.lib import idnumber
from tests.factories import ID_NUMBERS


def with_check(first17: str) -> str:
    return first17 + idnumber.check_digit(first17)


@pytest.mark.parametrize("value", ID_NUMBERS)
def test_it_accepts_valid_numbers(value):
    assert idnumber.is_valid(value)


def test_it_computes_the_gb11643_check_digit():
    # The standard's own worked example: 11010519491231002 → X.
    assert idnumber.check_digit("11010519491231002") == "X"
    assert idnumber.check_digit("44052418800101001") == "4"


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check digit (X expected)
        "440524188001010015",  # wrong check digit (4 expected)
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19 characters
        "1101051949123100X2",  # X in the middle
        "",
        "abcdefghijklmnopqr",
    ],
)
def test_it_rejects_bad_checksums_and_shapes(value):
    assert not idnumber.is_valid(value)


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # 30 February
        "19901301",  # month 13
        "19900001",  # month 0
        "19900100",  # day 0
        "19000229",  # 1900 was not a leap year
        "00000101",  # year 0
    ],
)
def test_it_rejects_impossible_birth_dates_even_with_a_correct_check_digit(birth):
    assert not idnumber.is_valid(with_check(f"440106{birth}123"))


def test_it_accepts_a_real_leap_day():
    assert idnumber.is_valid(with_check("44010620000229123"))


def test_it_rejects_a_birth_date_in_the_future():
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert not idnumber.is_valid(with_check(f"440106{tomorrow:%Y%m%d}123"))
    today = timezone.localdate()
    assert idnumber.is_valid(with_check(f"440106{today:%Y%m%d}123"))


def test_it_accepts_a_lowercase_x_and_surrounding_spaces():
    assert idnumber.is_valid("11010519491231002x")
    assert idnumber.is_valid("  110105 19491231 002x ")
    assert idnumber.normalise(" 11010519491231002x ") == "11010519491231002X"


def test_it_normalises_full_width_digits_to_ascii():
    # Chinese input methods often type full-width digits; they must not yield a second, different number
    # (its lookup hash would differ and the duplicate check would miss it).
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert idnumber.normalise(full_width) == "11010519491231002X"
    assert idnumber.is_valid(full_width)


def test_it_rejects_digits_of_other_scripts():
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "11010519491231002") + "X"
    assert not idnumber.is_valid(arabic_indic)


def test_it_masks_an_id_number_to_three_and_four():
    assert idnumber.mask("440524188001010014") == "440***********0014"
    assert idnumber.mask("11010519491231002x") == "110***********002X"
    masked = idnumber.mask("440106199003071231")
    assert masked == "440***********1231"
    assert len(masked) == 18
    assert masked.count("*") == 11


def test_it_masks_short_values_completely():
    assert idnumber.mask("1234567") == "*******"
    assert idnumber.mask("") == ""


def test_it_masks_phone_numbers():
    assert idnumber.mask_phone("13812345678") == "138****5678"
    assert idnumber.mask_phone("123456") == "******"
