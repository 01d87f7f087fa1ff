"""Charts of the corpus statistics: one PNG per breakdown, and an HTML report with them embedded.

Bar charts put the volume (upheld and overturned stacked) beside the overturn rate, because a rate
over ten decisions and a rate over ten thousand should not look alike; the year chart is a timeline.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402

from imr.cases.clock import california_now  # noqa: E402
from imr.corpus.stats import CorpusStats, Dimension, Row  # noqa: E402

TEMPLATES = Path(__file__).parent / "templates"
UPHELD = "#4c72b0"
OVERTURNED = "#dd8452"


@dataclass(slots=True)
class Chart:
    name: str
    title: str
    path: Path


def draw(dimension: Dimension, rows: list[Row], overall: Row | None = None) -> plt.Figure:
    """One breakdown as a figure (the caller saves and closes it); `overall` draws the corpus-wide rate."""
    if dimension.chart == "timeline":
        return _timeline(dimension, rows)
    return _bars(dimension, rows, overall)


def _bars(dimension: Dimension, rows: list[Row], overall: Row | None) -> plt.Figure:
    shown = list(reversed(rows))  # largest at the top
    labels = [_short(row.value) for row in shown]
    height = max(2.5, 0.38 * len(shown) + 1.2)
    figure, (volume, rate) = plt.subplots(1, 2, figsize=(11, height), sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    positions = range(len(shown))
    volume.barh(positions, [r.upheld for r in shown], height=0.7, color=UPHELD, label="Upheld")
    volume.barh(
        positions, [r.overturned for r in shown], height=0.7, left=[r.upheld for r in shown], color=OVERTURNED, label="Overturned"
    )
    volume.set_yticks(list(positions), labels)
    volume.set_xlabel("decisions")
    volume.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=8)
    for position, row in zip(positions, shown):
        volume.text(row.upheld + row.overturned, position, f" {row.decisions:,}", va="center", fontsize=8)
    overturn = [_overturned_percent(r) or 0.0 for r in shown]
    rate.barh(positions, overturn, height=0.7, color=OVERTURNED)
    rate.set_xlim(0, max(overturn + [10]) * 1.25)
    rate.set_xlabel("overturned (%)")
    for position, value in zip(positions, overturn):
        rate.text(value, position, f" {value:.0f}%", va="center", fontsize=8)
    average = _overturned_percent(overall) if overall is not None else None
    if average is not None:
        # the corpus-wide rate, so a reader sees at a glance which values stand out
        rate.axvline(average, color="black", linestyle="--", linewidth=1)
        rate.text(average, len(shown) - 0.4, f" all: {average:.0f}%", fontsize=8, va="bottom")
    for axis in (volume, rate):
        axis.spines[["top", "right"]].set_visible(False)
    figure.suptitle(dimension.label, x=0.01, ha="left", fontsize=12)
    figure.tight_layout()
    return figure


def _timeline(dimension: Dimension, rows: list[Row]) -> plt.Figure:
    figure, volume = plt.subplots(figsize=(9, 3.8))
    labels = [row.value for row in rows]
    volume.bar(labels, [r.upheld for r in rows], color=UPHELD, label="Upheld")
    volume.bar(labels, [r.overturned for r in rows], bottom=[r.upheld for r in rows], color=OVERTURNED, label="Overturned")
    volume.set_ylabel("decisions")
    volume.spines[["top", "right"]].set_visible(False)
    rate = volume.twinx()
    # a period without decisions has no rate: NaN leaves a gap in the line rather than a false 0 %
    percents = [percent if (percent := _overturned_percent(r)) is not None else float("nan") for r in rows]
    rate.plot(labels, percents, color="black", marker="o", label="overturned (%)")
    rate.set_ylabel("overturned (%)")
    rate.set_ylim(bottom=0)
    lines, labels = rate.get_legend_handles_labels()
    bars, names = volume.get_legend_handles_labels()
    volume.legend(bars + lines, names + labels, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False, fontsize=8)
    figure.suptitle(dimension.label, x=0.01, ha="left", fontsize=12)
    figure.tight_layout()
    return figure


def _overturned_percent(row: Row) -> float | None:
    decided = row.upheld + row.overturned
    return 100 * row.overturned / decided if decided else None


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def save_charts(stats: CorpusStats, folder: Path) -> list[Chart]:
    """One PNG per breakdown that has rows, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = []
    for name, rows in stats.breakdowns.items():
        if not rows:
            continue
        dimension = stats.dimensions[name]
        figure = draw(dimension, rows, stats.overall)
        path = folder / f"corpus-{name}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        charts.append(Chart(name, dimension.label, path))
    return charts


def html_report(stats: CorpusStats, charts: list[Chart], path: Path) -> Path:
    """A self-contained HTML page: the headline figures, each chart (embedded) and its table."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    images = {chart.name: base64.b64encode(chart.path.read_bytes()).decode("ascii") for chart in charts}
    page = environment.get_template("corpus_report.html.j2").render(
        stats=stats, charts=charts, images=images, generated=california_now().strftime("%Y-%m-%d %H:%M %Z")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
