"""Pairs of particles touching through two periodic images at once, in LAMMPS text dumps of a periodic cell.

    python double_images.py target_1.dump [target_2.dump ...]

LAMMPS keeps a granular contact's history per neighbour pair while the neighbour lists stand, but carries it over a
rebuild (and a restart) by the partner's atom ID (fix NEIGH_HISTORY, post_neighbor: the first stored partner with
that ID): two contacts of the same two particles through different periodic images then both get one history. That
needs the cell's period in some direction below twice the pair's radius sum. Per dump: the box, twice the largest
pair's radius sum (4 r_max) and the number of such pairs (a particle touching its own image counts once).
"""
import sys

import numpy as np


def load(path):
    lines = open(path).read().split("\n")
    b = next(i for i, line in enumerate(lines) if line.startswith("ITEM: BOX"))
    box = np.array([[float(v) for v in lines[b + 1 + d].split()[:2]] for d in range(3)])
    a = next(i for i, line in enumerate(lines) if line.startswith("ITEM: ATOMS"))
    names = lines[a].split()[2:]
    data = np.array([[float(v) for v in line.split()] for line in lines[a + 1:] if line.strip()])
    return box, names, data


def double_image_pairs(x, r, period):
    shifts = np.array([(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)], float) * period
    count = 0
    for a in range(len(r)):
        d = x[None, :, :] + shifts[:, None, :] - x[a]
        touch = (d ** 2).sum(-1) < ((r[a] + r) ** 2)[None, :]
        touch[13, a] = False                     # the particle itself, unshifted
        images = touch.sum(0)
        count += int((images[a + 1:] >= 2).sum()) + int(images[a] >= 1)
    return count


for path in sys.argv[1:]:
    box, names, data = load(path)
    period = box[:, 1] - box[:, 0]
    x = data[:, [names.index("x"), names.index("y"), names.index("z")]]
    r = data[:, names.index("radius")]
    print(f"{path}: box {' x '.join(f'{p:.2f}' for p in period)} um, 4 r_max {4 * r.max():.2f} um, "
          f"{len(r)} particles, pairs touching through two images: {double_image_pairs(x, r, period)}")
