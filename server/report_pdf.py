"""The one-page PDF of a period (A4 or Letter), drawn with fpdf2: the only module that writes PDF.

fpdf2 is pure Python (docs/contributors.md says why it was chosen). Its built-in Helvetica knows only Latin-1,
so the page uses DejaVu Sans where the system has it (Debian's fonts-dejavu-core, which Chromium pulls in) and
falls back to Helvetica, writing characters it lacks as "?", so a machine without the font still makes a page.
"""

from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from server.domain.equipment import OBSERVATION, EquipmentChange, Side
from server.domain.languages import DEFAULT_LANGUAGE, N_
from server.domain.plans import STATUS_NAMES as PLAN_STATUS_NAMES
from server.domain.report import NOT_ADVICE, PeriodReport, hours_minutes
from server.domain.storage import PLACE_NAMES
from server.i18n import Texts, words

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAPER = {"a4": "A4", "letter": "Letter"}
MARGIN = 12.0  # mm
ROW = 3.45  # mm per line of the daily table: 31 days and its header fit with room for the rest
CHART_HEIGHT = 40.0
EQUIPMENT_SHOWN = 4  # the latest changes; the app lists every one
ACCENT = (27, 111, 106)
MUTED = (150, 170, 182)
INK = (20, 20, 20)
FOOTNOTE = (85, 85, 85)
DAY_COLUMNS = ((N_("Date"), 24), (N_("Sessions"), 15), (N_("Total"), 21), (N_("Left"), 19), (N_("Right"), 19),
               (N_("Pumping"), 22), (N_("Longest gap"), 24), (N_("Night 01–05"), 22), (N_("Of goal"), 18))
# What Helvetica's Latin-1 lacks, as near as it has: Babel's French figures ("1 500") use a narrow no-break space.
LATIN_1 = str.maketrans({"–": "-", "—": "-", "’": "'", "→": "->", "\u202f": "\u00a0", "…": "..."})


def render_report(report: PeriodReport, paper: str, font_dir: Path = FONT_DIR,
                  language: str = DEFAULT_LANGUAGE) -> bytes:
    """Draw the report on one page of the given paper ("a4" or "letter") in `language`; return the PDF's bytes."""
    page = _Page(PAPER[paper], font_dir, words(language))
    _ = page.said._
    page.set_title(_("Pumping report {first} to {last}", first=report.first.isoformat(), last=report.last.isoformat()))
    page.set_creation_date(report.made_at)
    _heading(page, report)
    _chart(page, report)
    _days(page, report)
    top = page.get_y() + 2
    half = (page.epw - 6) / 2
    left_end = _left_column(page, report, top, half)
    right_end = _equipment(page, report, top, half)
    page.set_xy(MARGIN, max(left_end, right_end) + 1.5)
    page.text_style(7, colour=FOOTNOTE)
    page.multi_cell(page.epw, 3.2, page.safe(_("{not_advice} Made with Pumpwell on {date}.", not_advice=_(NOT_ADVICE),
                                               date=_local(page, report.made_at, report))))
    return bytes(page.output())


class _Page(FPDF):
    """An fpdf2 page with one font family, no automatic page break, text the font can write, and a language."""

    def __init__(self, paper: str, font_dir: Path, said: Texts):
        super().__init__(orientation="P", unit="mm", format=paper)
        self.said = said
        self.set_margins(MARGIN, MARGIN, MARGIN)
        # One page by design: the layout is measured to fit, so nothing may spill onto a second.
        self.set_auto_page_break(False)
        self.set_lang(said.language)
        self.set_creator("Pumpwell")
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
        self.family_name = "DejaVu" if self.unicode else "Helvetica"
        self.add_page()

    def text_style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        """Set the size, weight and colour of the text that follows."""
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*colour)

    def safe(self, text: str) -> str:
        """Return text the current font can write: all of it in DejaVu, Latin-1 (else "?") in Helvetica."""
        if self.unicode:
            return text
        return text.translate(LATIN_1).encode("latin-1", "replace").decode("latin-1")

    def line_of(self, width: float, height: float, text: str, align: str = "L") -> None:
        """Write one line of text in a cell and move to the next line, cut short if it would overflow."""
        text = self.safe(text)
        while text and self.get_string_width(text) > width - 1:
            text = text[:-2] + "…" if self.unicode else text[:-4] + "..."
        self.cell(width, height, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _heading(page: _Page, report: PeriodReport) -> None:
    """Title the page with the period, the zone, the unit and the goal."""
    said, _ = page.said, page.said._
    page.text_style(15, bold=True)
    page.line_of(page.epw, 7, _("Pumping report: {first} to {last}", first=_date(page, report.first),
                                last=_date(page, report.last)))
    page.text_style(8.5)
    goal = report.goal
    unit_name = "mL" if report.unit == "ml" else "US fl oz"
    page.line_of(page.epw, 4.2, _(
        "{days} local days · time zone {zone} · volumes in {unit} · goal {volume} and {sessions} sessions a day",
        days=(report.last - report.first).days + 1, zone=report.time_zone.key, unit=unit_name,
        volume=said.volume(goal.daily_volume_ml, report.unit), sessions=goal.sessions_per_day))
    page.ln(1.5)


def _section(page: _Page, title: str, width: float | None = None) -> None:
    """Write a section's heading (a text marked N_, written in the page's language)."""
    page.text_style(10, bold=True, colour=ACCENT)
    page.line_of(width or page.epw, 5, page.said._(title))


def _chart(page: _Page, report: PeriodReport) -> None:
    """Draw the daily volume as bars against the dashed goal line, with its axes and a sentence that says it."""
    said = page.said
    _section(page, N_("Daily volume against the goal"))
    chart = report.chart
    axis = 16.0
    left, top = MARGIN + axis, page.get_y() + 1.5
    width, height = page.epw - axis, CHART_HEIGHT

    def y_of(position: float) -> float:
        """Place a position of the domain's drawing (plot_top..plot_bottom) on the page."""
        return top + height * (position - chart.plot_top) / (chart.plot_bottom - chart.plot_top)

    page.set_line_width(0.15)
    page.text_style(6.5, colour=INK)
    for tick in chart.y_ticks:
        page.set_draw_color(225, 225, 225)
        page.line(left, y_of(tick.position), left + width, y_of(tick.position))
        page.set_xy(MARGIN, y_of(tick.position) - 1.5)
        page.cell(axis - 1.5, 3, page.safe(said.say(tick.label)), align="R")
    slot = width / max(len(chart.bars), 1)
    for index, bar in enumerate(chart.bars):
        page.set_fill_color(*(ACCENT if bar.met_goal else MUTED))
        if bar.height > 0:
            top_of_bar = y_of(bar.y)
            page.rect(left + index * slot + slot * 0.15, top_of_bar, slot * 0.7, y_of(bar.y + bar.height) - top_of_bar,
                      style="F")
    every = max(1, -(-len(report.days) // 8))
    for index, day in enumerate(report.days):
        if index % every == 0:
            page.set_xy(left + index * slot + slot / 2 - 8, top + height + 0.8)
            page.cell(16, 3, page.safe(said.date(day.date, "short")), align="C")
    if chart.goal_y is not None:
        page.set_draw_color(*INK)
        page.set_line_width(0.35)
        with page.local_context():
            page.set_dash_pattern(dash=1.2, gap=0.8)
            page.line(left, y_of(chart.goal_y), left + width, y_of(chart.goal_y))
        page.set_xy(left + width - 22, y_of(chart.goal_y) - 3.6)
        page.set_fill_color(255, 255, 255)
        page.cell(22, 3, page.safe(said.say(chart.goal_label)), align="R", fill=True)
    page.set_xy(MARGIN, top + height + 4.5)
    page.text_style(7.5)
    page.line_of(page.epw, 3.6, said._("{description} Dark bars reached the goal; the dashed line is the goal.",
                                       description=said.say(chart.description)))
    page.ln(1)


def _days(page: _Page, report: PeriodReport) -> None:
    """Write the daily table, one row per local day, oldest first as a chart reads."""
    said = page.said
    _section(page, N_("Days"))
    scale = page.epw / sum(width for _, width in DAY_COLUMNS)
    widths = [width * scale for _, width in DAY_COLUMNS]
    page.text_style(7.5, bold=True)
    page.set_fill_color(236, 242, 241)
    _row(page, widths, [said._(name) for name, _ in DAY_COLUMNS], fill=True)
    page.text_style(7.5)
    unit = report.unit
    for index, day in enumerate(report.days):
        page.set_fill_color(246, 248, 248)
        _row(page, widths, [
            said.date(day.date, "day"), str(day.sessions), said.volume(day.total_ml, unit),
            said.volume(day.left_ml, unit), said.volume(day.right_ml, unit), hours_minutes(day.pumping_min),
            hours_minutes(day.longest_gap_min), str(day.night_sessions), f"{round(100 * day.volume_progress)} %",
        ], fill=index % 2 == 1)


def _row(page: _Page, widths: list[float], cells: list[str], fill: bool) -> None:
    """Write one table row: the first cell to the left, figures to the right."""
    y = page.get_y()
    x = MARGIN
    for index, (width, text) in enumerate(zip(widths, cells, strict=True)):
        page.set_xy(x, y)
        page.cell(width, ROW, page.safe(text), align="L" if index == 0 else "R", fill=fill)
        x += width
    page.set_xy(MARGIN, y + ROW)


def _left_column(page: _Page, report: PeriodReport, top: float, width: float) -> float:
    """Write the longest gaps, the plan and the stash in the left column; return where it ends."""
    said, _ = page.said, page.said._
    page.set_xy(MARGIN, top)
    _section(page, N_("Longest gaps"), width)
    page.text_style(8)
    for gap in report.gaps:
        page.line_of(width, 3.6, _("{length}: {start} to {end}", length=hours_minutes(gap.minutes),
                                   start=_local(page, gap.since, report), end=_local(page, gap.until, report)))
    if not report.gaps:
        page.line_of(width, 3.6, _("No gap between two sessions in these days."))
    page.ln(1)
    _section(page, N_("Plan adherence"), width)
    page.text_style(8)
    plan = report.plan
    if plan is None:
        page.line_of(width, 3.6, _("No plan ran in these days."))
    else:
        adherence = "–" if plan.adherence is None else f"{round(100 * plan.adherence)} %"
        page.line_of(width, 3.6, _("{name} ({status}), {start} to {end}", name=said.say(plan.name),
                                   status=_(PLAN_STATUS_NAMES.get(plan.status, plan.status)),
                                   start=_date(page, plan.starts_at.astimezone(report.time_zone)),
                                   end=_date(page, plan.ends_at.astimezone(report.time_zone))))
        page.line_of(width, 3.6, _("Adherence {adherence}: {done} blocks done, {missed} missed, {upcoming} to come",
                                   adherence=adherence, done=plan.done, missed=plan.missed, upcoming=plan.upcoming))
        page.text_style(7.5, colour=INK)
        page.line_of(width, 3.6, _("Evidence: {evidence}", evidence=said.say(plan.evidence)))
    page.ln(1)
    if report.stash is not None:
        _section(page, N_("Milk stash"), width)
        page.text_style(8)
        stash, unit = report.stash, report.unit
        page.line_of(width, 3.6, said._n("{count} container, {volume} in date", "{count} containers, {volume} in date",
                                         stash.containers, volume=said.volume(stash.ml, unit)))
        places = ", ".join(_("{place} {volume}", place=_(PLACE_NAMES[place]), volume=said.volume(ml, unit))
                           for place, ml in stash.by_place.items() if ml)
        page.line_of(width, 3.6, places or _("Nothing stored."))
        if stash.expired_containers:
            page.line_of(width, 3.6, _("{count} expired ({volume})", count=stash.expired_containers,
                                       volume=said.volume(stash.expired_ml, unit)))
    return page.get_y()


def _equipment(page: _Page, report: PeriodReport, top: float, width: float) -> float:
    """Write the latest equipment changes with the medians on each side, as observations; return where it ends."""
    _ = page.said._
    x = MARGIN + width + 6
    page.set_xy(x, top)
    _section(page, N_("Equipment changes"), width)
    page.text_style(8)
    changes = report.equipment
    if not changes:
        page.line_of(width, 3.6, _("No change of pump or flange size logged in these days."))
    for change in changes[-EQUIPMENT_SHOWN:]:
        page.set_x(x)
        page.text_style(8, bold=True)
        page.line_of(width, 3.6, f"{_date(page, change.at.astimezone(report.time_zone))}: {_what(page, change)}")
        page.text_style(7.5)
        page.line_of(width, 3.4, _("Before (medians): {side}", side=_side(page, change.before, report.unit)))
        page.line_of(width, 3.4, _("After (medians): {side}", side=_side(page, change.after, report.unit)))
    if len(changes) > EQUIPMENT_SHOWN:
        page.line_of(width, 3.4, _("and {count} earlier changes (listed in the app).",
                                   count=len(changes) - EQUIPMENT_SHOWN))
    page.text_style(7, colour=INK)
    page.set_x(x)
    page.multi_cell(width, 3.1, page.safe(_(OBSERVATION)), new_x=XPos.LEFT, new_y=YPos.NEXT)
    return page.get_y()


def _what(page: _Page, change: EquipmentChange) -> str:
    """Say what a change changed, from what to what."""
    _ = page.said._
    parts = []
    if "pump" in change.changed:
        parts.append(_("pump {before} → {after}", before=change.before.equipment.pump or "?",
                       after=change.after.equipment.pump or "?"))
    if "flange_mm" in change.changed:
        parts.append(_("flange {before} → {after}", before=_mm(page, change.before.equipment.flange_mm),
                       after=_mm(page, change.after.equipment.flange_mm)))
    return "; ".join(parts)


def _side(page: _Page, side: Side, unit: str) -> str:
    """Write one side's medians and counts."""
    said, _ = page.said, page.said._
    per_session = "–" if side.median_ml_per_session is None else said.volume(side.median_ml_per_session, unit)
    per_min = "–" if side.median_ml_per_min is None else said.rate(side.median_ml_per_min, unit)
    if side.measured < side.sessions:
        counted = _("{sessions} sessions, {measured} with a volume", sessions=side.sessions, measured=side.measured)
    else:
        counted = _("{sessions} sessions", sessions=side.sessions)
    return _("{volume} a session · {rate} · {counted}", volume=per_session, rate=per_min, counted=counted)


def _mm(page: _Page, value: float | None) -> str:
    """Write a flange size."""
    return "?" if value is None else f"{page.said.number(value, 1)} mm"


def _date(page: _Page, day) -> str:
    """Write a date as Mon 03 Nov 2026."""
    return page.said.date(day, "long")


def _local(page: _Page, moment: datetime, report: PeriodReport) -> str:
    """Write a moment as local date and time."""
    return page.said.date(moment.astimezone(report.time_zone), "moment")
