"""Plots return a matplotlib Figure with cumulative and density panels (Agg, nothing shown)."""

import io

import numpy as np
import pytest

from sigdem.errors import InputError
from sigdem.plots.psd import plot_psd
from sigdem.psd import Blend, LogNormalPSD, paper_grades


def test_plot_grades_and_blend():
    large, middle, small = paper_grades()
    blend = Blend((large, small), (0.5, 0.5))
    fig = plot_psd([large, small, blend], title="grades")
    cum, den = fig.axes
    assert cum.get_xscale() == "log" and den.get_xscale() == "log"
    assert len(cum.lines) == 3 and len(den.lines) == 5  # blend adds one dashed line per grade
    y = cum.lines[2].get_ydata()
    assert y[0] == pytest.approx(0.0, abs=0.1) and y[-1] == pytest.approx(100.0, abs=0.1)
    x = cum.lines[2].get_xdata()
    assert float(np.interp(50.0, y, x)) == pytest.approx(float(blend.psd.quantile(0.5)), rel=0.01)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


def test_plot_mapping_labels_and_bad_items():
    fig = plot_psd({"a": LogNormalPSD(10.0, 1.5)})
    assert fig.axes[0].lines[0].get_label() == "a"
    with pytest.raises(InputError):
        plot_psd([])
    with pytest.raises(InputError):
        plot_psd(["not a psd"])
