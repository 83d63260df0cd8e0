"""Initial placement: no overlaps (with periodic images), inside the column, dense starts still place."""

import logging

import numpy as np
import pytest

from sigdem.errors import InputError
from sigdem.deck.placement import place_spheres


def min_clearance(pos, d, side):
    """Smallest surface gap between any two spheres, periodic in x and y (brute force)."""
    delta = pos[:, None, :] - pos[None, :, :]
    delta[..., :2] -= side * np.round(delta[..., :2] / side)
    dist = np.sqrt((delta**2).sum(-1))
    gap = dist - (d[:, None] + d[None, :]) / 2
    np.fill_diagonal(gap, np.inf)
    return gap.min()


@pytest.mark.parametrize("fraction", [0.25, 0.35])
def test_polydisperse_spheres_do_not_overlap_and_stay_in_the_column(fraction):
    rng = np.random.default_rng(1)
    d = rng.lognormal(np.log(10.0), 0.4, 600).clip(3, 40)
    side = 120.0
    pl = place_spheres(d, side, side, seed=5, solid_fraction=fraction)
    gap = 0.01 * d.min()
    assert min_clearance(pl.positions_um, d, side) >= gap * (1 - 1e-9)
    z, r = pl.positions_um[:, 2], d / 2
    assert np.all(z - r >= gap * (1 - 1e-9)) and np.all(z + r <= pl.fill_height_um + 1e-9)
    assert np.all((pl.positions_um[:, :2] >= 0) & (pl.positions_um[:, :2] <= side))
    # the column holds the requested solid fraction (it grows only near the jamming limit)
    phi = np.pi / 6 * np.sum(d**3) / (side * side * (pl.fill_height_um - d.max()))
    assert phi == pytest.approx(fraction, rel=1e-9)


def test_equal_spheres_at_035_grow_the_column_instead_of_failing(caplog):
    """Random sequential addition of equal spheres jams near 0.38; in a short column the last
    ones find no room at 0.35. The column grows (with a warning) and no sphere overlaps."""
    d = np.full(500, 10.0)
    side = 60.0
    with caplog.at_level(logging.WARNING, logger="sigdem.deck.placement"):
        pl = place_spheres(d, side, side, seed=11, solid_fraction=0.35, max_attempts=2000)
    assert min_clearance(pl.positions_um, d, side) >= 0.1 * (1 - 1e-9)
    nominal = np.pi / 6 * np.sum(d**3) / (0.35 * side * side) + d.max()
    assert pl.fill_height_um > nominal
    assert "column grew" in caplog.text
    assert np.all(pl.positions_um[:, 2] + 5.0 <= pl.fill_height_um + 1e-9)


def test_box_narrower_than_two_largest_diameters_is_refused():
    with pytest.raises(InputError, match="box"):
        place_spheres(np.array([10.0, 30.0]), 50.0, 50.0, seed=0)


def test_solid_fraction_above_random_sequential_limit_is_refused():
    with pytest.raises(InputError, match="solid_fraction"):
        place_spheres(np.full(10, 5.0), 50.0, 50.0, seed=0, solid_fraction=0.4)
