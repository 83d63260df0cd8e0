"""Initial positions: random sequential addition of spheres without overlap.

Particles are placed largest first (so large ones always fit) at random points of a box
periodic in x and y, floor at z = 0. The box height follows from a target solid fraction of
the loose, gas-like initial state (default 0.25, well below random sequential addition's
jamming limit of ~0.38 for equal spheres, so few attempts are rejected).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.inputs import check_range

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Placement:
    """Positions (µm, shape (n, 3), in the order of the input diameters) and the fill height."""

    positions_um: np.ndarray
    fill_height_um: float


def place_spheres(
    diameters_um: np.ndarray,
    side_x_um: float,
    side_y_um: float,
    *,
    seed: int,
    solid_fraction: float = 0.25,
    gap_um: float | None = None,
    max_attempts: int = 20_000,
    die_radius_um: float | None = None,
) -> Placement:
    """Place spheres without overlap (with a clearance ``gap_um``) in a periodic-xy column, or, with
    ``die_radius_um``, inside a cylindrical die of that radius centred in the (non-periodic) box: every centre
    then lies at most R - radius - gap from the axis, and the column's solid fraction counts the die area pi R².

    Near the jamming limit of random sequential addition (~0.38 for equal spheres, less in a
    short column) the last spheres may find no room: after every ``max_attempts / 10`` failed
    attempts for one sphere the column grows by 5 % (a warning says by how much), so a dense
    start never fails where a slightly looser one would do.

    ``gap_um`` defaults to 1 % of the smallest diameter. Raises InputError when a particle
    cannot be placed (box too narrow for the largest particle, or fraction too high).
    """
    d = np.asarray(diameters_um, dtype=float)
    if d.ndim != 1 or d.size == 0 or not np.all(d > 0):
        raise InputError("diameters_um", "must be a non-empty list of positive diameters (µm)")
    check_range("solid_fraction", solid_fraction, 0.0, 0.35, lo_open=True)
    if min(side_x_um, side_y_um) < 2.0 * d.max():
        raise InputError("box", f"side {min(side_x_um, side_y_um):g} µm is below 2 x the largest diameter {d.max():g} µm")
    gap = 0.01 * d.min() if gap_um is None else gap_um
    volume = math.pi / 6.0 * float(np.sum(d**3))
    periodic = die_radius_um is None
    if not periodic:
        check_range("die_radius_um", die_radius_um, 0.0, min(side_x_um, side_y_um) / 2.0, lo_open=True)
        if die_radius_um < d.max() + gap:
            raise InputError("die_radius_um", f"{die_radius_um:g} µm is below the largest diameter {d.max():g} µm")
    area = side_x_um * side_y_um if periodic else math.pi * die_radius_um**2
    height = volume / (solid_fraction * area) + d.max()
    rng = np.random.default_rng(seed)
    order = np.argsort(-d, kind="stable")
    radii = d / 2.0
    cell = float(d.max() + gap)
    ncx, ncy = max(1, int(side_x_um // cell)), max(1, int(side_y_um // cell))
    cx, cy = side_x_um / ncx, side_y_um / ncy
    grid: dict[tuple[int, int, int], list[int]] = {}
    pos = np.zeros((d.size, 3))
    placed_pos = np.zeros((d.size, 3))
    placed_r = np.zeros(d.size)
    n_placed = 0
    attempts_total = 0
    grow_every = max(1, max_attempts // 10)
    height0 = height
    for idx in order:
        r = radii[idx]
        for attempt in range(max_attempts):
            if attempt and attempt % grow_every == 0:
                height *= 1.05  # near the jamming limit: give the remaining particles 5 % more column
            if periodic:
                p = np.array([rng.uniform(0, side_x_um), rng.uniform(0, side_y_um), rng.uniform(r + gap, height - r)])
            else:  # uniform over the disc the centre may take
                rho = (die_radius_um - r - gap) * math.sqrt(rng.uniform(0.0, 1.0))
                phi = rng.uniform(0.0, 2.0 * math.pi)
                p = np.array([side_x_um / 2.0 + rho * math.cos(phi), side_y_um / 2.0 + rho * math.sin(phi),
                              rng.uniform(r + gap, height - r)])
            i, j, k = int(p[0] // cx) % ncx, int(p[1] // cy) % ncy, int(p[2] // cell)
            cand = [
                q
                for di in (-1, 0, 1)
                for dj in (-1, 0, 1)
                for dk in (-1, 0, 1)
                for q in grid.get(((i + di) % ncx, (j + dj) % ncy, k + dk), ())
            ]
            if cand:
                c = np.fromiter(cand, dtype=np.intp, count=len(cand))
                delta = placed_pos[c] - p
                if periodic:
                    delta[:, 0] -= side_x_um * np.round(delta[:, 0] / side_x_um)
                    delta[:, 1] -= side_y_um * np.round(delta[:, 1] / side_y_um)
                if np.any(np.einsum("ij,ij->i", delta, delta) < (placed_r[c] + r + gap) ** 2):
                    continue
            break
        else:
            raise InputError(
                "solid_fraction",
                f"could not place particle {idx} (d = {d[idx]:g} µm) after {max_attempts} attempts; lower the initial solid fraction",
            )
        attempts_total += attempt + 1
        pos[idx] = p
        placed_pos[n_placed] = p
        placed_r[n_placed] = r
        grid.setdefault((i, j, k), []).append(n_placed)
        n_placed += 1
    log.info("placed %d spheres in a %.4g x %.4g x %.4g µm column (%.2f attempts each)",
             d.size, side_x_um, side_y_um, height, attempts_total / d.size)
    if height > height0:
        log.warning("solid fraction %g was too dense to place every sphere: the column grew from %.4g to %.4g µm "
                    "(initial fraction %.3g)", solid_fraction, height0, height, solid_fraction * height0 / height)
    return Placement(positions_um=pos, fill_height_um=float(height))
