"""Unit names in the circular's PDF: short ones whole; long ones cut with their code, so that two long names
with the same beginning stay apart."""

from baodao.circulars.pdf import NAME_FITS, _fitted_name


def test_a_short_name_is_printed_whole():
    assert _fitted_name("区税务局", "U1") == "区税务局"
    assert _fitted_name("区" * NAME_FITS, "U1") == "区" * NAME_FITS


def test_long_names_alike_at_the_start_stay_apart():
    first = _fitted_name("中国共产党某某区发展和改革委员会机关委员会", "DH-FGW")
    second = _fitted_name("中国共产党某某区发展和改革委员会机关第二委员会", "DH-FGW2")
    assert first != second
    assert first.endswith("…（DH-FGW）") and first.startswith("中国共产党某某区")
    assert len(first) <= NAME_FITS + 3
