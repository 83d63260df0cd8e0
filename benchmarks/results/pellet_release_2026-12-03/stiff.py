"""Unloading stiffness of mdr contacts at a held pellet state, from LAMMPS's mdr formulas (read, re-derived):
per side, on unloading from deltamax, deltae1D = A/2 - (dmax - d)/(1 + 2 dR/A), so dF/dd = 2 Eeff a / (1 + 2 dR/A).
Usage: python stiff.py target.dump contacts.dump E nu Y dt"""
import sys
import numpy as np

bed, con, E, nu, Y, dt = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:7])
Eeff, G = E / (1 - nu**2), E / (2 * (1 + nu))
a = np.loadtxt(bed, skiprows=9, usecols=(0, 2, 3))
idx = {int(i): k for k, i in enumerate(a[:, 0])}
rad, mass = a[:, 1], a[:, 2]
c = np.loadtxt(con, skiprows=9, usecols=(0, 1, 2, 3))
i = np.array([idx[int(t)] for t in c[:, 0]]); j = np.array([idx[int(t)] for t in c[:, 1]])
ri, rj, dist = rad[i], rad[j], c[:, 2]
dmax = ri + rj - dist
ok = dmax > 0
i, j, ri, rj, dmax = i[ok], j[ok], ri[ok], rj[ok], dmax[ok]


def side(R, Ro, dm):
    """One side of the rigid flat: (e = A/2 + dR, k = dF/dd on unloading, denom, a, zR)."""
    pY = Y * (1.75 * np.exp(-4.4 * dm / R) + 1.0)
    amax = np.sqrt(np.maximum(2 * dm * R - dm**2, 0))
    A = 4 * pY / Eeff * amax
    Fmax = np.pi * pY * amax**2
    zR = R - (dm - A / 2)
    s = np.sqrt(amax**2 + zR**2)
    dR = (2 * amax**2 * (nu - 1) - (2 * nu - 1) * zR * (s - zR)) * Fmax / (2 * np.pi * amax**2 * G * s)
    den = 1 + 2 * dR / A
    return A / 2 + dR, 2 * Eeff * amax / den, den, amax, zR


# partition of the pair overlap between the two sides (LAMMPS mdr: geometric split, each side capped at 0.75 R)
den_ = 1.0 / (2.0 * (dmax - ri - rj))
g_i = dmax * (dmax - 2 * rj) * den_
g_i = np.where(g_i / ri > 0.75, 0.75 * ri, g_i)
g_i = np.where((dmax - g_i) / rj > 0.75, dmax - 0.75 * rj, g_i)
g_j = dmax - g_i
ei, ki, di, ai, zi = side(ri, ri, g_i)
ej, kj, dj, aj, zj = side(rj, rj, g_j)
# pair: F = (F_i + F_j)/2, dd_s/dd = e_s/(e_i + e_j)
kpair = 0.5 * (ki * ei + kj * ej) / (ei + ej)
kflat = 0.5 * (2 * Eeff * ai * ei + 2 * Eeff * aj * ej) / (ei + ej)   # the same without the 1/denom factor
print(f"contacts {ok.sum()}  side flattening d/R: max {max((g_i/ri).max(), (g_j/rj).max()):.3f}")
dens = np.concatenate([di, dj])
print("1/denom (unloading amplification) percentiles 50/90/99/max:",
      np.round(np.percentile(1 / dens, [50, 90, 99, 100]), 2), " denom<=0:", int((dens <= 0).sum()))
n = len(rad)
# Gershgorin bound of the largest eigenvalue of M^-1/2 K M^-1/2 (normal springs only)
for name, k in (("unloading", kpair), ("flat punch (no 1/denom)", kflat)):
    row = np.zeros(n)
    np.add.at(row, i, k / mass[i] + k / np.sqrt(mass[i] * mass[j]))
    np.add.at(row, j, k / mass[j] + k / np.sqrt(mass[i] * mass[j]))
    w = np.sqrt(row.max())
    single = np.sqrt(k * (1 / mass[i] + 1 / mass[j])).max()
    print(f"{name:24s}: omega_max <= {w:.4g}/us -> dt_crit >= {2 / w:.3g} us ({2 / w / dt:.2f} x dt); "
          f"stiffest single pair 2/omega = {2 / single:.3g} us ({2 / single / dt:.2f} x dt)")
