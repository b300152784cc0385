"""Millilitres and US fluid ounces."""

from hypothesis import given
from hypothesis import strategies as st

from server.domain.units import format_number, format_volume, ml_to_oz, oz_to_ml


def test_one_ounce_is_exactly_the_defined_millilitres():
    assert oz_to_ml(1) == 29.5735295625
    assert ml_to_oz(29.5735295625) == 1


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_converting_there_and_back_keeps_the_volume(ml):
    assert abs(oz_to_ml(ml_to_oz(ml)) - ml) <= 1e-9 * max(ml, 1)


def test_display_rounds_ml_to_whole_and_oz_to_hundredths():
    assert format_volume(120.0, "oz") == "4.06 oz"
    assert format_volume(119.6, "ml") == "120 mL"


def test_format_number_drops_trailing_zeros():
    assert format_number(4.0, 2) == "4"
    assert format_number(4.05678, 2) == "4.06"
    assert format_number(-0.0001, 2) == "0"


def stored_ml(oz: float) -> float:
    """Return the mL the app stores for an amount entered in oz (the form sends mL to 0.01)."""
    return round(oz_to_ml(oz), 2)


def test_quarter_ounces_read_back_as_entered():
    assert format_volume(stored_ml(1.25), "oz") == "1.25 oz"
    assert format_volume(stored_ml(4.75), "oz") == "4.75 oz"
    assert format_volume(stored_ml(2.25), "oz") == "2.25 oz"
    assert format_volume(stored_ml(4), "oz") == "4 oz"


@given(st.integers(min_value=0, max_value=100_000))
def test_any_amount_in_hundredths_of_an_ounce_reads_back_as_entered(hundredths):
    oz = hundredths / 100
    assert format_volume(stored_ml(oz), "oz") == f"{format_number(oz, 2)} oz"
