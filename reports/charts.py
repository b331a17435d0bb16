"""The pack's charts as SVG, drawn with matplotlib when the pack is generated.

matplotlib's SVG output holds no script. Pages show it as an <img> with a data: URI (the CSP
allows images from data:, and an SVG loaded as an image can never run script or need inline
styles), with a text alternative and the same figures in a table beside it. The SVG also
carries its own <title> and <desc> for anyone who opens it on its own.
"""

import datetime
import io
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from actions.models import Status

# Fixed ids and no timestamp, so the same figures always give the same SVG.
matplotlib.rcParams["svg.hashsalt"] = "opcc-briefing-pack"
matplotlib.rcParams["font.family"] = "DejaVu Sans"

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


def _svg(figure, title, description):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end].replace("<svg", '<svg role="img" aria-labelledby="t d"', 1)
    accessible = (
        f'{opening}><title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
    )
    return {
        "title": title,
        "description": description,
        "svg": svg[:start] + accessible + svg[end + 1 :],
    }


def status_by_area(areas):
    """Stacked horizontal bars: each area's actions by status."""
    areas = [area for area in areas if area["actions"]]
    title = "Actions by status in each graded area"
    if not areas:
        return {"title": title, "description": "There are no actions to chart.", "svg": ""}
    height = 1.2 + 0.45 * len(areas)
    figure = Figure(figsize=(8, height + 0.8), layout="constrained")
    axes = figure.subplots()
    labels = [area["area"][:40] for area in areas][::-1]
    left = [0] * len(areas)
    for status in Status:
        counts = [
            next(s["count"] for s in area["statuses"] if s["status"] == status.value)
            for area in areas
        ][::-1]
        if not any(counts):
            continue
        axes.barh(labels, counts, left=left, color=STATUS_COLOURS[status], label=status.label)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_xlabel("Number of actions")
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.legend(loc="outside lower center", ncols=4)
    axes.spines[["top", "right"]].set_visible(False)
    description = "; ".join(
        f"{area['area']}: "
        + ", ".join(f"{s['count']} {s['label'].lower()}" for s in area["statuses"] if s["count"])
        for area in areas
    )
    return _svg(figure, title, description + ".")


def progress_over_time(series):
    """Lines: percentage of actions closed and average percent complete at each month end."""
    title = "Progress over time"
    if not series:
        return {"title": title, "description": "There are no actions to chart.", "svg": ""}
    figure = Figure(figsize=(8, 3.2), layout="constrained")
    axes = figure.subplots()
    dates = [datetime.date.fromisoformat(point["date"]) for point in series]
    axes.plot(
        dates,
        [point["closed_percent"] for point in series],
        marker="o",
        color="#009E73",
        label="Actions closed (%)",
    )
    axes.plot(
        dates,
        [point["average_percent"] for point in series],
        marker="s",
        linestyle="--",
        color="#0072B2",
        label="Average percent complete",
    )
    axes.set_ylim(0, 100)
    axes.set_ylabel("Per cent")
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes.legend(loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    description = "; ".join(
        f"{point['date']}: {point['closed_percent']}% closed, "
        f"{point['average_percent']}% complete on average"
        for point in series
    )
    return _svg(figure, title, description + ".")
