"""The pack's charts as SVG, written out as text when the pack is generated.

The SVG is built from strings here (no plotting library), holds no script and no <style>, only
presentation attributes. Pages show it as an <img> with a data: URI (the CSP allows images from
data:, and an SVG loaded as an image can never run script), with a text alternative and the same
figures in a table beside it; the PDF shows the same image. The SVG also carries its own <title>
and <desc> for anyone who opens it on its own. The same figures always give the same bytes.
"""

import datetime
import math
from xml.sax.saxutils import escape, quoteattr

from actions.models import Status

# Distinguishable for common colour-vision deficiencies (Okabe-Ito); the table beside each
# chart carries the same numbers in words.
STATUS_COLOURS = {
    Status.NOT_STARTED: "#999999",
    Status.IN_PROGRESS: "#0072B2",
    Status.PROPOSED: "#CC79A7",
    Status.SUSTAINING: "#56B4E9",
    Status.CLOSED: "#009E73",
    Status.BLOCKED: "#D55E00",
    Status.REOPENED: "#E69F00",
}
CLOSED_COLOUR = "#009E73"
AVERAGE_COLOUR = "#0072B2"
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#949494"  # 3:1 against white
FONT = "DejaVu Sans, Arial, sans-serif"
FONT_SIZE = 13
# Text cannot be measured here: these are generous averages for DejaVu Sans at 13px.
CHAR_WIDTH = 7.5
CAPITAL_WIDTH = 9.5
WIDTH = 760
MARGIN = 12
MAX_LABEL = 40
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _n(value):
    """A coordinate with at most two decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x, y, content, anchor="start", transform=""):
    turn = f" transform={quoteattr(transform)}" if transform else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{turn}>{escape(content)}</text>'


def _line(x1, y1, x2, y2, colour=AXIS_COLOUR):
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"/>'


def _chart(title, description, height, body):
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_n(height)}" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" role="img" aria-labelledby="t d">'
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
        f'<rect width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>'
        f'<g font-family={quoteattr(FONT)} font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        + "".join(body)
        + "</g></svg>"
    )
    return {"title": title, "description": description, "svg": svg}


def _width(text):
    return sum(CAPITAL_WIDTH if char.isupper() else CHAR_WIDTH for char in text)


def _label(name):
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def _step(maximum):
    """The smallest 1, 2 or 5 times a power of ten that marks 0 to maximum in at most 8 steps."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if math.ceil(maximum / step) <= 8:
                return step
        power *= 10


def status_by_area(areas):
    """Stacked horizontal bars: each area's actions by status."""
    areas = [area for area in areas if area["actions"]]
    title = "Actions by status in each graded area"
    if not areas:
        return {"title": title, "description": "There are no actions to chart.", "svg": ""}
    counts = [{s["status"]: s["count"] for s in area["statuses"] if s["count"]} for area in areas]
    present = [status for status in Status if any(status.value in c for c in counts)]
    labels = [_label(area["area"]) for area in areas]

    row, bar = 32, 20
    left = MARGIN + max(_width(label) for label in labels) + 10
    right = WIDTH - 24
    top = MARGIN
    axis_y = top + row * len(areas)
    largest = max(sum(c.values()) for c in counts)
    step = _step(largest)
    axis_max = step * math.ceil(largest / step)
    scale = (right - left) / axis_max

    body = []
    for tick in range(0, axis_max + 1, step):
        x = left + tick * scale
        if tick:
            body.append(_line(x, top, x, axis_y, GRID_COLOUR))
        body.append(_line(x, axis_y, x, axis_y + 5))
        body.append(_text(x, axis_y + 20, str(tick), "middle"))
    rows = [top + index * row + (row - bar) / 2 for index in range(len(areas))]
    for y, label in zip(rows, labels, strict=True):
        body.append(_text(left - 8, y + bar / 2 + 4.5, label, "end"))
    # A white edge between segments keeps neighbouring colours apart.
    body.append('<g id="bars" stroke="#ffffff">')
    for y, area_counts in zip(rows, counts, strict=True):
        start = 0
        for status in present:
            count = area_counts.get(status.value, 0)
            if count:
                body.append(
                    f'<rect x="{_n(left + start * scale)}" y="{_n(y)}" '
                    f'width="{_n(count * scale)}" height="{bar}" fill="{STATUS_COLOURS[status]}"/>'
                )
                start += count
    body.append("</g>")
    body.append(_line(left, top, left, axis_y))
    body.append(_line(left, axis_y, right, axis_y))
    body.append(_text((left + right) / 2, axis_y + 42, "Number of actions", "middle"))

    # The legend wraps under the axis, one swatch and label per status shown.
    x, y = left, axis_y + 70
    body.append('<g id="legend">')
    for status in present:
        width = 20 + _width(status.label) + 20
        if x + width > WIDTH - MARGIN and x > left:
            x, y = left, y + 24
        body.append(
            f'<rect x="{_n(x)}" y="{_n(y - 11)}" width="14" height="14" '
            f'fill="{STATUS_COLOURS[status]}"/>'
        )
        body.append(_text(x + 20, y, status.label))
        x += width
    body.append("</g>")

    description = "; ".join(
        f"{area['area']}: "
        + ", ".join(f"{s['count']} {s['label'].lower()}" for s in area["statuses"] if s["count"])
        for area in areas
    )
    return _chart(title, description + ".", y + MARGIN, body)


def _circle(x, y, colour):
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{colour}"/>'


def _square(x, y, colour):
    return f'<rect x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9" fill="{colour}"/>'


def progress_over_time(series):
    """Lines: percentage of actions closed and average percent complete at each month end."""
    title = "Progress over time"
    if not series:
        return {"title": title, "description": "There are no actions to chart.", "svg": ""}
    height = 300
    left, right = 64, WIDTH - 40
    top, axis_y = 44, height - 56

    # Points sit at their dates (the last one is the day the pack was made, not a month end),
    # kept clear of the axes.
    days = [datetime.date.fromisoformat(point["date"]).toordinal() for point in series]
    span = days[-1] - days[0]
    xs = [
        (left + right) / 2 if not span else left + 16 + (d - days[0]) / span * (right - left - 32)
        for d in days
    ]

    def y_of(percent):
        return axis_y - percent / 100 * (axis_y - top)

    body = []
    for tick in range(0, 101, 20):
        y = y_of(tick)
        if tick:
            body.append(_line(left, y, right, y, GRID_COLOUR))
        body.append(_line(left - 5, y, left, y))
        body.append(_text(left - 8, y + 4.5, str(tick), "end"))
    middle = (top + axis_y) / 2
    body.append(_text(20, middle, "Per cent", "middle", f"rotate(-90 20 {_n(middle)})"))
    # Label every nth point, n as small as leaves room for "Mmm YYYY" and a gap between labels
    # (months differ in length, hence the gap); skip the last point (the day the pack was made)
    # if it falls too close to the month end before it.
    label_width = 8 * CHAR_WIDTH
    spacing = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else label_width
    every = math.ceil((label_width + 12) / spacing)
    labelled = None
    for index, (x, point) in enumerate(zip(xs, series, strict=True)):
        body.append(_line(x, axis_y, x, axis_y + 5))
        if index % every == 0 and (labelled is None or x - labelled >= label_width):
            day = datetime.date.fromisoformat(point["date"])
            body.append(_text(x, axis_y + 20, f"{MONTHS[day.month - 1]} {day.year}", "middle"))
            labelled = x
    body.append(_line(left, top, left, axis_y))
    body.append(_line(left, axis_y, right, axis_y))

    for key, name, colour, marker, dashes in (
        ("closed_percent", "closed", CLOSED_COLOUR, _circle, ""),
        ("average_percent", "average", AVERAGE_COLOUR, _square, ' stroke-dasharray="7 4"'),
    ):
        points = [(x, y_of(point[key])) for x, point in zip(xs, series, strict=True)]
        body.extend(_plotted_line(name, points, colour, marker, dashes))

    # The legend sits above the plot, where no line can run through it.
    body.extend(
        _legend(
            left,
            [
                ("Actions closed (%)", CLOSED_COLOUR, _circle, ""),
                ("Average percent complete", AVERAGE_COLOUR, _square, ' stroke-dasharray="7 4"'),
            ],
        )
    )

    description = "; ".join(
        f"{point['date']}: {point['closed_percent']}% closed, "
        f"{point['average_percent']}% complete on average"
        for point in series
    )
    return _chart(title, description + ".", height, body)


SERIES_LINES = (
    # key, legend, colour, marker, dashes
    ("open", "Open", "#0072B2", _square, ""),
    ("closed", "Closed", CLOSED_COLOUR, _circle, ' stroke-dasharray="7 4"'),
    ("overdue", "Overdue", "#D55E00", _circle, ' stroke-dasharray="2 3"'),
)


def meeting_series(inspection, points):
    """Lines across meetings: one inspection's open, closed and overdue actions at each meeting,
    from each meeting's published pack and then this one. Meetings are evenly spaced."""
    title = f"{inspection}: actions at each meeting"
    if len(points) < 2:
        return {
            "title": title,
            "description": "No earlier published paper reported this inspection, so there is "
            "no series yet.",
            "svg": "",
        }
    height = 300
    left, right = 64, WIDTH - 40
    top, axis_y = 44, height - 56
    largest = max(max(point[key] for key, *_ in SERIES_LINES) for point in points) or 1
    step = _step(largest)
    axis_max = step * math.ceil(largest / step)

    def y_of(count):
        return axis_y - count / axis_max * (axis_y - top)

    gap = (right - left - 32) / (len(points) - 1)
    xs = [left + 16 + index * gap for index in range(len(points))]
    body = []
    for tick in range(0, axis_max + 1, step):
        y = y_of(tick)
        if tick:
            body.append(_line(left, y, right, y, GRID_COLOUR))
        body.append(_line(left - 5, y, left, y))
        body.append(_text(left - 8, y + 4.5, str(tick), "end"))
    middle = (top + axis_y) / 2
    body.append(_text(20, middle, "Actions", "middle", f"rotate(-90 20 {_n(middle)})"))
    label_width = 8 * CHAR_WIDTH
    every = math.ceil((label_width + 12) / gap) if gap else 1
    for index, (x, point) in enumerate(zip(xs, points, strict=True)):
        body.append(_line(x, axis_y, x, axis_y + 5))
        if index % every == 0 or index == len(points) - 1:
            day = datetime.date.fromisoformat(point["date"])
            body.append(_text(x, axis_y + 20, f"{MONTHS[day.month - 1]} {day.year}", "middle"))
    body.append(_line(left, top, left, axis_y))
    body.append(_line(left, axis_y, right, axis_y))
    for key, _name, colour, marker, dashes in SERIES_LINES:
        line = [(x, y_of(point[key])) for x, point in zip(xs, points, strict=True)]
        body.extend(_plotted_line(key, line, colour, marker, dashes))
    body.extend(_legend(left, [line[1:] for line in SERIES_LINES]))
    description = "; ".join(
        f"{point['meeting']} ({point['date']}): {point['open']} open, {point['closed']} closed, "
        f"{point['overdue']} overdue, {point['percent_complete']}% complete on average"
        for point in points
    )
    return _chart(title, description + ".", height, body)


def _legend(left, entries):
    """A line chart's legend above the plot: (name, colour, marker, dash attribute) each."""
    parts = ['<g id="legend">']
    x = left
    for name, colour, marker, dashes in entries:
        parts.append(
            f'<line x1="{_n(x)}" y1="14" x2="{_n(x + 30)}" y2="14" stroke="{colour}" '
            f'stroke-width="2"{dashes}/>'
        )
        parts.append(marker(x + 15, 14, colour))
        parts.append(_text(x + 38, 18.5, name))
        x += 38 + _width(name) + 24
    parts.append("</g>")
    return parts


def _plotted_line(group_id, points, colour, marker, dashes):
    """One data line of a line chart: the polyline and a marker at each point, as one group."""
    path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return [
        f'<g id="{group_id}">',
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>',
        *(marker(x, y, colour) for x, y in points),
        "</g>",
    ]
