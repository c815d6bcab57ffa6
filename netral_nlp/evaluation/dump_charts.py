"""The report's charts, drawn with Plotly (the ``report`` extra) and embedded as ``<div>``s;
the page carries the plotly.js bundle of the installed package once, inline."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import MissingDependencyError
from ..quantify.estimate import PrevalenceEstimate
from ..quantify.histogram import ScoreHistogram

if TYPE_CHECKING:
    import plotly.graph_objects as go

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def plotly_modules() -> tuple[Any, Any]:
    """``(plotly.graph_objects, plotly.io)``, or a clear error naming the extra."""
    try:
        import plotly.graph_objects as go
        import plotly.io as pio
    except ImportError as exc:
        raise MissingDependencyError("the HTML report", "report", "plotly") from exc
    return go, pio


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def to_div(fig: "go.Figure", div_id: str) -> str:
    _, pio = plotly_modules()
    height = fig.layout.height or 450
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id, config=PLOT_CONFIG,
                       default_width="100%", default_height=f"{height}px")


def _layout(fig: "go.Figure", title: str, height: int) -> "go.Figure":
    fig.update_layout(title={"text": title, "x": 0}, height=height, template="plotly_white",
                      font={"family": FONT, "size": 13}, margin={"l": 10, "r": 10, "t": 50, "b": 40},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def _pct(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None else 100 * v for v in values]


def shares_figure(est: PrevalenceEstimate) -> "go.Figure":
    """Estimated share per topic with its interval, next to the share of flagged rows."""
    go, _ = plotly_modules()
    topics = [t.topic for t in est.topics]
    share = _pct([t.share for t in est.topics])
    plus = [None if t.share is None else 100 * (t.high - t.share) for t in est.topics]  # type: ignore[operator]
    minus = [None if t.share is None else 100 * (t.share - t.low) for t in est.topics]  # type: ignore[operator]
    fig = go.Figure()
    fig.add_bar(y=topics, x=share, orientation="h", name=f"estimated share ({est.method}, {est.level:.0%} interval)",
                marker_color=COLOURS[0], error_x={"type": "data", "array": plus, "arrayminus": minus, "thickness": 1.5},
                hovertemplate="%{y}: %{x:.2f} %<extra></extra>")
    fig.add_scatter(y=topics, x=_pct([t.flagged_share for t in est.topics]), mode="markers", name="share flagged",
                    marker={"symbol": "diamond", "size": 11, "color": COLOURS[1]},
                    hovertemplate="%{y}: %{x:.2f} % flagged<extra></extra>")
    fig.update_xaxes(title="% of rows", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Topic shares", 120 + 55 * len(topics))


def breakdown_figure(title: str, keys: Sequence[str], estimates: Sequence[PrevalenceEstimate], lines: bool) -> "go.Figure":
    """Estimated share per topic for each period (lines) or group (grouped bars), with intervals."""
    go, _ = plotly_modules()
    fig = go.Figure()
    topics = [t.topic for t in estimates[0].topics] if estimates else []
    for i, topic in enumerate(topics):
        rows = [e[topic] for e in estimates]
        share = _pct([r.share for r in rows])
        err = {"type": "data", "thickness": 1.2,
               "array": [None if r.share is None else 100 * (r.high - r.share) for r in rows],  # type: ignore[operator]
               "arrayminus": [None if r.share is None else 100 * (r.share - r.low) for r in rows]}  # type: ignore[operator]
        colour = COLOURS[i % len(COLOURS)]
        hover = "%{x}: %{y:.2f} %<extra>" + topic + "</extra>"
        if lines:
            fig.add_scatter(x=list(keys), y=share, mode="lines+markers", name=topic, line={"color": colour},
                            error_y=err, hovertemplate=hover)
        else:
            fig.add_bar(x=list(keys), y=share, name=topic, marker_color=colour, error_y=err, hovertemplate=hover)
    fig.update_yaxes(title="estimated % of rows", rangemode="tozero")
    if not lines:
        fig.update_layout(barmode="group")
    return _layout(fig, title, 460)


def rows_figure(title: str, keys: Sequence[str], rows: Sequence[int], lines: bool) -> "go.Figure":
    """Rows per period or group."""
    go, _ = plotly_modules()
    fig = go.Figure()
    if lines:
        fig.add_scatter(x=list(keys), y=list(rows), mode="lines", fill="tozeroy", name="rows",
                        line={"color": "#7f7f7f"})
    else:
        fig.add_bar(x=list(keys), y=list(rows), name="rows", marker_color="#7f7f7f")
    fig.update_yaxes(title="rows", rangemode="tozero")
    return _layout(fig, title, 240)


def histograms_figure(hist: ScoreHistogram, thresholds: Sequence[float]) -> "go.Figure":
    """Per topic, how the rows' scores are spread (log scale), with the topic's threshold."""
    go, _ = plotly_modules()
    from plotly.subplots import make_subplots

    cols = 3
    rows = math.ceil(len(hist.topics) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=hist.topics, horizontal_spacing=0.06,
                        vertical_spacing=0.16)
    centres = (np.arange(hist.n_bins) + 0.5) / hist.n_bins
    for i, topic in enumerate(hist.topics):
        r, c = i // cols + 1, i % cols + 1
        counts = hist.counts[i]
        colour = [COLOURS[1] if x >= thresholds[i] else COLOURS[0] for x in centres]
        fig.add_bar(x=centres, y=counts, marker_color=colour, showlegend=False, row=r, col=c, width=1 / hist.n_bins,
                    hovertemplate="score %{x:.3f}: %{y:,} rows<extra>" + topic + "</extra>")
        fig.add_vline(x=thresholds[i], line_dash="dash", line_color="#444", row=r, col=c)
        fig.update_yaxes(type="log", row=r, col=c)
        fig.update_xaxes(range=[0, 1], row=r, col=c)
    return _layout(fig, "Score distributions (red: at or above the topic's threshold)", 260 * rows + 60)


__all__ = ["plotly_js", "to_div", "shares_figure", "breakdown_figure", "rows_figure", "histograms_figure",
           "plotly_modules"]
