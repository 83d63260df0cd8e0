"""Cumulative and density plots of PSDs, grades and blends (volume basis, log size axis).

matplotlib is imported inside the function and drawn with the Agg canvas, so
importing sigdem.psd never needs a display and never touches pyplot state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sigdem.errors import InputError
from sigdem.psd.base import PSD
from sigdem.psd.blend import Blend, Grade

_POINTS = 400


def _named_items(items: object) -> list[tuple[str, PSD | Grade | Blend]]:
    if isinstance(items, (PSD, Grade, Blend)):
        items = [items]
    if isinstance(items, Mapping):
        pairs = [(str(k), v) for k, v in items.items()]
    elif isinstance(items, Sequence) and not isinstance(items, str):
        pairs = []
        for i, v in enumerate(items):
            label = v.name if isinstance(v, Grade) else ("blend" if isinstance(v, Blend) else f"psd {i + 1}")
            pairs.append((label, v))
    else:
        raise InputError("items", "allowed: a PSD, Grade or Blend, a sequence of them, or a label->item mapping")
    if not pairs or not all(isinstance(v, (PSD, Grade, Blend)) for _, v in pairs):
        raise InputError("items", "allowed: at least one PSD, Grade or Blend")
    return pairs


def _psd_of(item: PSD | Grade | Blend) -> PSD:
    return item.psd if isinstance(item, (Grade, Blend)) else item


def _size_range(psds: list[PSD]) -> tuple[float, float]:
    """Span from the 0.01 % to the 99.99 % volume point of all curves (µm)."""
    lo = min(float(p.weighted_quantile(np.array([1e-4]), 3)[0]) for p in psds)
    hi = max(float(p.weighted_quantile(np.array([1 - 1e-4]), 3)[0]) for p in psds)
    return lo / 1.5, hi * 1.5


def plot_psd(items: object, *, title: str | None = None, show_grades: bool = True):
    """Figure with the cumulative volume % passing and the volume density dQ3/dlog10(d).

    ``items``: a PSD, Grade or Blend, a sequence of them, or a mapping label -> item.
    With ``show_grades`` a blend also shows each grade's share of the density
    (dashed). Returns a ``matplotlib.figure.Figure`` (not shown).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    pairs = _named_items(items)
    lo, hi = _size_range([_psd_of(v) for _, v in pairs])
    d = np.geomspace(lo, hi, _POINTS)
    log_d = np.log10(d)
    fig = Figure(figsize=(9.0, 3.8), layout="constrained")
    FigureCanvasAgg(fig)
    ax_cum, ax_den = fig.subplots(1, 2)
    for label, item in pairs:
        cum = _psd_of(item).weighted_cdf(d, 3)
        line, = ax_cum.plot(d, 100.0 * cum, label=label)
        ax_den.plot(d, np.gradient(cum, log_d), color=line.get_color(), label=label)
        if show_grades and isinstance(item, Blend) and len(item.grades) > 1:
            for g, phi in zip(item.grades, item.volume_fractions):
                if phi > 0:
                    part = phi * np.gradient(g.psd.weighted_cdf(d, 3), log_d)
                    ax_den.plot(d, part, linestyle="--", linewidth=0.9, label=f"{label}: {g.name}")
    ax_cum.set_ylabel("cumulative volume passing (%)")
    ax_den.set_ylabel("volume density dQ3/dlog10(d)")
    for ax in (ax_cum, ax_den):
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(lo, hi)
        ax.set_xlabel("diameter (µm)")
        ax.grid(True, which="both", alpha=0.3)
    ax_cum.set_ylim(0.0, 100.0)
    ax_den.set_ylim(bottom=0.0)
    ax_den.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
