"""Geometry of the daily volume chart drawn on the server as SVG (the template only places shapes); its words are
Texts, written in the reader's language where they are shown."""

import math
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from server.domain.languages import Counted, Figure, LocalTime, Text, volume_figure
from server.domain.units import DISPLAY_PLACES, in_unit

# A drawing about as wide as a phone's screen: a phone shows it near 1:1, so its labels can be
# sized in CSS to render at 14 px or more there (share.css), and a desk screen scales it up.
WIDTH = 360
HEIGHT = 200
LEFT = 92  # room for the volume axis labels ("1500 mL") at a phone's label size
RIGHT = 8
TOP = 12
BOTTOM = 40  # room for the date labels, clear of the "0 mL" beside the axis
MAX_DATE_LABELS = 4  # "Nov 24" at a phone's label size needs a quarter of the plot


class Bar(NamedTuple):
    """One day's bar: position, size, whether it reached the goal, and its spoken label."""

    x: float
    y: float
    width: float
    height: float
    met_goal: bool
    label: str


class Tick(NamedTuple):
    """A labelled position on an axis."""

    position: float
    label: str


class Chart(NamedTuple):
    """Everything the template needs to draw the chart."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    goal_y: float | None
    goal_label: str
    description: str


def daily_volume_chart(days: Sequence[tuple[date, float]], goal_ml: float | None, unit: str) -> Chart:
    """Lay out one bar per day (volume in the user's unit) against a dashed goal line."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    highest = max([in_unit(ml, unit) for _, ml in days] + [in_unit(goal_ml or 0.0, unit), 0.0])
    step = _nice_step(highest / 4 if highest else 1.0)
    top_value = step * max(1, math.ceil(highest / step))

    def y_of(ml: float) -> float:
        """Place a volume on the vertical axis."""
        return round(bottom - plot_height * in_unit(ml, unit) / top_value, 1)

    slot = plot_width / max(len(days), 1)
    bars = []
    for index, (day, ml) in enumerate(days):
        y = y_of(ml)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=y,
                width=round(slot * 0.7, 1),
                height=round(bottom - y, 1),
                met_goal=bool(goal_ml) and ml >= goal_ml,
                label=Text("{date}: {volume}", date=day.isoformat(), volume=volume_figure(ml, unit)),
            )
        )
    y_ticks = [
        Tick(round(bottom - plot_height * (i * step) / top_value, 1), _tick_label(i * step, unit))
        for i in range(int(round(top_value / step)) + 1)
    ]
    every = max(1, math.ceil(len(days) / MAX_DATE_LABELS))
    x_ticks = [
        Tick(round(LEFT + index * slot + slot / 2, 1), LocalTime(day, "short"))
        for index, (day, _) in enumerate(days)
        if index % every == 0
    ]
    met = sum(bar.met_goal for bar in bars)
    goal_label = Text("Goal {goal}", goal=volume_figure(goal_ml, unit)) if goal_ml else ""
    if goal_ml:
        # English has always written the goal here in lower case, "goal 1000 ml".
        goal = Figure(in_unit(goal_ml, unit), DISPLAY_PLACES[unit], " ml" if unit == "ml" else " oz")
        description = Counted("Daily volume for {count} day; goal reached on {met} of them (goal {goal}).",
                              "Daily volume for {count} days; goal reached on {met} of them (goal {goal}).",
                              len(days), met=met, goal=goal)
    else:
        description = Counted("Daily volume for {count} day.", "Daily volume for {count} days.", len(days))
    return Chart(
        WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, bottom, bars, y_ticks, x_ticks,
        y_of(goal_ml) if goal_ml else None, goal_label, description,
    )  # fmt: skip


def _nice_step(raw: float) -> float:
    """Round an axis step up to 1, 2, 2.5 or 5 times a power of ten."""
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _tick_label(value: float, unit: str) -> Figure:
    """Write an axis value in the chart's unit."""
    return Figure(value, 3, " mL" if unit == "ml" else " oz")
