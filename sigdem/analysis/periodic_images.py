"""Pairs of particles that touch through two periodic images at once.

LAMMPS keeps a granular contact's history (mdr's plastic state, the tangential spring) per neighbour-list entry while
the lists stand, but carries it over a rebuild or a restart by the partner's atom ID: fix NEIGH_HISTORY's
post_neighbor() gives a new entry the first stored history whose partner has that ID. Two contacts of the same two
particles through different periodic images then both get one of their two histories at every rebuild. That takes a
period shorter than twice the pair's radius sum: a thin pellet cell at high pressure gets there (the default SiG
cell is 36.7 µm high at its last targets, 1.2 of its largest diameter). This counts such pairs in a snapshot, so that
a result can say where its contact histories are shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from sigdem.analysis.base import Compute
from sigdem.errors import InputError
from sigdem.io.dumps import Box


@dataclass
class DoubleImageContacts(Compute):
    """Pairs of particles touching through more than one periodic image (and particles touching their own image).

    After ``compute(atoms, box)`` (atoms: DataFrame with id, x, y, z, radius; box: the snapshot's box, whose
    ``boundary`` flags say which axes are periodic, ``'pp'``): ``n_pairs`` (int, a particle touching its own image
    counted once) and ``pairs`` (DataFrame id1 <= id2, ``images``: through how many images they touch). Touching is
    LAMMPS's test for a granular pair, centre distance < radius sum.
    """

    RESULTS: ClassVar[tuple[str, ...]] = ("n_pairs", "pairs")

    def compute(self, atoms: pd.DataFrame, box: Box) -> "DoubleImageContacts":
        missing = {"id", "x", "y", "z", "radius"} - set(atoms.columns)
        if missing:
            raise InputError("atoms", f"lacks the columns {sorted(missing)}: needs id, x, y, z, radius")
        periodic = np.array([flag == "pp" for flag in box.boundary])
        length = np.array(box.lengths, dtype=float)
        ids = atoms["id"].to_numpy()
        r = atoms["radius"].to_numpy(dtype=float)
        x = atoms[["x", "y", "z"]].to_numpy(dtype=float) - np.array(box.lo)
        empty = pd.DataFrame({"id1": pd.Series(dtype=ids.dtype), "id2": pd.Series(dtype=ids.dtype),
                              "images": pd.Series(dtype=int)})
        if len(r) == 0 or not periodic.any():
            self._store(n_pairs=0, pairs=empty)
            return self
        reach = 2.0 * float(r.max())
        # a torus of the box's lengths along the periodic axes; along the others one long enough never to wrap
        x[:, periodic] = np.mod(x[:, periodic], length[periodic])
        x[:, periodic] = np.where(x[:, periodic] >= length[periodic], 0.0, x[:, periodic])
        size = length.copy()
        for axis in np.flatnonzero(~periodic):
            x[:, axis] -= x[:, axis].min()
            size[axis] = x[:, axis].max() + 4.0 * reach + 1.0
        pairs = cKDTree(x, boxsize=size).query_pairs(reach, output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        d = x[j] - x[i]
        d[:, periodic] -= length[periodic] * np.round(d[:, periodic] / length[periodic])   # the nearest image
        rsum2 = (r[i] + r[j]) ** 2
        touch = (d ** 2).sum(-1) < rsum2
        i, j, d, rsum2 = i[touch], j[touch], d[touch], rsum2[touch]
        # another image of j touching i is nearer than twice the radius sum, so it lies along periodic axes shorter
        # than twice the largest one
        short = periodic & (length < 2.0 * reach)
        shifts = np.array([s for s in product((-1, 0, 1), repeat=3)
                           if any(s) and all(s[a] == 0 or short[a] for a in range(3))], dtype=float).reshape(-1, 3)
        shifts *= length
        # through how many images a pair touches (the nearest one, and the others); a particle and its own images
        images = 1 + (((d[:, None, :] + shifts[None, :, :]) ** 2).sum(-1) < rsum2[:, None]).sum(axis=1)
        self_images = ((shifts ** 2).sum(-1)[None, :] < (2.0 * r[:, None]) ** 2).sum(axis=1)
        a, b = ids[i], ids[j]
        found = pd.DataFrame({"id1": np.concatenate([np.minimum(a, b)[images >= 2], ids[self_images > 0]]),
                              "id2": np.concatenate([np.maximum(a, b)[images >= 2], ids[self_images > 0]]),
                              "images": np.concatenate([images[images >= 2], self_images[self_images > 0]])})
        found = found.sort_values(["id1", "id2"], ignore_index=True) if len(found) else empty
        self._store(n_pairs=int(len(found)), pairs=found)
        return self
