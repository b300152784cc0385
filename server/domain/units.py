"""Volume units: millilitres are stored; US fluid ounces are only for display and export."""

ML_PER_US_FL_OZ = 29.5735295625  # exact by definition (1 US fl oz = 1/128 US gallon)
UNITS = ("ml", "oz")

# Decimal places shown to a person: whole millilitres, hundredths of an ounce. Amounts are stored in mL to
# 0.01, which moves an ounce figure by under 0.0002 oz, so an amount entered in quarter (or hundredth) ounces
# reads back exactly as entered; tenths would show 1.25 oz as "1.3" and 4.75 as "4.7". frontend/js/format.js
# rounds the same way.
DISPLAY_PLACES = {"ml": 0, "oz": 2}
# Decimal places written to an export: enough to sum columns without visible drift.
EXPORT_PLACES = {"ml": 1, "oz": 2}


def ml_to_oz(ml: float) -> float:
    """Convert millilitres to US fluid ounces."""
    return ml / ML_PER_US_FL_OZ


def oz_to_ml(oz: float) -> float:
    """Convert US fluid ounces to millilitres."""
    return oz * ML_PER_US_FL_OZ


def in_unit(ml: float, unit: str) -> float:
    """Express a volume stored in millilitres in the given unit ("ml" or "oz")."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return ml if unit == "ml" else ml_to_oz(ml)


def format_number(value: float, places: int) -> str:
    """Write a number with at most `places` decimals and no trailing zeros ("12.5", "120")."""
    text = f"{round(value, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_volume(ml: float, unit: str) -> str:
    """Write a volume for display with its unit, e.g. "120 mL" or "4.06 oz"."""
    label = "mL" if unit == "ml" else "oz"
    return f"{format_number(in_unit(ml, unit), DISPLAY_PLACES[unit])} {label}"


def format_rate(ml_per_min: float, unit: str) -> str:
    """Write a flow for display, e.g. "3.6 mL/min" or "0.12 oz/min" (a tenth of a mL: 3.6 is not 4)."""
    label = "mL" if unit == "ml" else "oz"
    return f"{format_number(in_unit(ml_per_min, unit), 1 if unit == 'ml' else 2)} {label}/min"
