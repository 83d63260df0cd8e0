"""Pairs touching through two periodic images: hand-built cases with known answers and a brute-force reference."""

from itertools import product

import numpy as np
import pandas as pd
import pytest

from sigdem.analysis.periodic_images import DoubleImageContacts
from sigdem.errors import InputError
from sigdem.io.dumps import Box

CELL = ("pp", "pp", "pp")


def atoms(rows):
    return pd.DataFrame(rows, columns=["id", "x", "y", "z", "radius"])


def box(lz, boundary=CELL, side=100.0):
    return Box(lo=(0.0, 0.0, 0.0), hi=(side, side, lz), boundary=boundary)


def test_a_pair_stacked_in_a_thin_cell_touches_through_both_images():
    # radius sum 10 in a 15 µm period: 7 apart through one image, 8 through the other
    c = DoubleImageContacts().compute(atoms([[1, 50, 50, 2.0, 5.0], [2, 50, 50, 9.0, 5.0]]), box(15.0))
    assert c.n_pairs == 1
    assert c.pairs.to_dict("records") == [{"id1": 1, "id2": 2, "images": 2}]


def test_offset_sideways_the_pair_touches_through_one_image_only():
    # 9.9 µm through the nearer image, sqrt(7^2 + 8^2) = 10.6 µm through the other
    c = DoubleImageContacts().compute(atoms([[1, 50, 50, 2.0, 5.0], [2, 57, 50, 9.0, 5.0]]), box(15.0))
    assert c.n_pairs == 0 and c.pairs.empty


def test_a_particle_wider_than_the_period_touches_itself():
    c = DoubleImageContacts().compute(atoms([[7, 50, 50, 3.0, 8.0]]), box(15.0))
    assert c.n_pairs == 1
    assert c.pairs.to_dict("records") == [{"id1": 7, "id2": 7, "images": 2}]   # above and below


def test_walls_have_no_images():
    stacked = atoms([[1, 50, 50, 2.0, 5.0], [2, 50, 50, 9.0, 5.0], [3, 20, 20, 3.0, 8.0]])
    assert DoubleImageContacts().compute(stacked, box(15.0, ("pp", "pp", "fm"))).n_pairs == 0


def brute_force(x, r, length):
    n, count = len(r), 0
    shifts = np.array(list(product((-1, 0, 1), repeat=3)), float) * length
    for a in range(n):
        for b in range(a, n):
            d = x[b] + shifts - x[a]
            touching = (d ** 2).sum(1) < (r[a] + r[b]) ** 2
            if a == b:
                touching[13] = False
                count += int(touching.any())
            else:
                count += int(touching.sum() >= 2)
    return count


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_counts_what_checking_every_image_of_every_pair_counts(seed):
    rng = np.random.default_rng(seed)
    n, length = 120, np.array([60.0, 45.0, 22.0])
    x = rng.uniform(0.0, 1.0, (n, 3)) * length
    r = rng.uniform(2.0, 9.0, n)
    frame = pd.DataFrame({"id": np.arange(1, n + 1), "x": x[:, 0], "y": x[:, 1], "z": x[:, 2], "radius": r})
    expected = brute_force(x, r, length)
    assert expected > 0   # the case is not empty
    assert DoubleImageContacts().compute(frame, Box((0.0, 0.0, 0.0), tuple(length), CELL)).n_pairs == expected


def test_positions_outside_the_box_are_its_periodic_images():
    inside = atoms([[1, 50, 50, 2.0, 5.0], [2, 50, 50, 9.0, 5.0]])
    outside = atoms([[1, 150, -50, 17.0, 5.0], [2, 50, 250, -6.0, 5.0]])
    assert DoubleImageContacts().compute(outside, box(15.0)).n_pairs == \
        DoubleImageContacts().compute(inside, box(15.0)).n_pairs == 1


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="atoms.*radius"):
        DoubleImageContacts().compute(pd.DataFrame({"id": [1], "x": [0.0], "y": [0.0], "z": [0.0]}), box(15.0))
