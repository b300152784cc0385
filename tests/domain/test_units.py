"""Millilitres and US fluid ounces."""

from hypothesis import given
from hypothesis import strategies as st

from server.domain.units import format_number, format_volume, ml_to_oz, oz_to_ml, round_for_display


def test_one_ounce_is_exactly_the_defined_millilitres():
    assert oz_to_ml(1) == 29.5735295625
    assert ml_to_oz(29.5735295625) == 1


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_converting_there_and_back_keeps_the_volume(ml):
    assert abs(oz_to_ml(ml_to_oz(ml)) - ml) <= 1e-9 * max(ml, 1)


def test_display_rounds_ml_to_whole_and_oz_to_tenths():
    assert round_for_display(120.4, "ml") == 120
    assert round_for_display(120.0, "oz") == 4.1
    assert format_volume(120.0, "oz") == "4.1 oz"
    assert format_volume(119.6, "ml") == "120 mL"


def test_format_number_drops_trailing_zeros():
    assert format_number(4.0, 2) == "4"
    assert format_number(4.05678, 2) == "4.06"
    assert format_number(-0.0001, 2) == "0"
