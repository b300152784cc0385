"""Daily volume chart geometry."""

from datetime import date, timedelta

from server.domain.chart import daily_volume_chart


def days(*volumes: float) -> list[tuple[date, float]]:
    """Give consecutive days with these volumes in mL."""
    return [(date(2026, 3, 1) + timedelta(days=i), ml) for i, ml in enumerate(volumes)]


def test_bars_reaching_the_goal_are_marked_and_goal_line_sits_at_its_height():
    chart = daily_volume_chart(days(750, 375, 0), 750, "ml")
    full, half, empty = chart.bars
    assert full.met_goal and not half.met_goal and not empty.met_goal
    assert half.height * 2 == full.height
    assert empty.height == 0
    assert chart.goal_y == full.y
    assert chart.goal_label == "Goal 750 mL"
    assert "goal reached on 1 of them" in chart.description


def test_axis_covers_the_highest_day_and_labels_in_the_users_unit():
    chart = daily_volume_chart(days(1000, 500), 750, "oz")
    assert chart.bars[0].y >= chart.plot_top
    assert chart.y_ticks[0].label == "0 oz"
    assert chart.bars[0].label == "2026-03-01: 33.81 oz"


def test_long_ranges_label_at_most_ten_dates_and_no_goal_draws_no_line():
    chart = daily_volume_chart(days(*([500] * 90)), None, "ml")
    assert len(chart.x_ticks) <= 10
    assert chart.goal_y is None
    assert not any(bar.met_goal for bar in chart.bars)


def test_empty_range_draws_an_empty_chart():
    chart = daily_volume_chart([], None, "ml")
    assert chart.bars == [] and chart.y_ticks
