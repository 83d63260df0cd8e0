"""Regenerate the CSV fixtures of tests/test_psd_csv.py (run from this folder).

All tables describe one volume-basis log-normal, VMD = 15 µm, gsd = 1.5, on a
2**(1/4) size series from 1 to 128 µm, rounded to 4 decimals as an instrument
export would be. number_edges.csv is the number-basis log-normal with number
median CMD = 5 µm, gsd = 1.5 on the same classes. The tests compare what is
read against these generating distributions, never against stored results.
"""

import numpy as np
from scipy.special import ndtr

EDGES = 2.0 ** (np.arange(0, 29) / 4.0)  # 1 .. 128 µm


def class_percent(median_um: float, gsd: float) -> np.ndarray:
    z = np.log(EDGES / median_um) / np.log(gsd)
    return 100.0 * np.diff(ndtr(z))


def main() -> None:
    pct = class_percent(15.0, 1.5)
    pct = pct / pct.sum() * 100.0
    with open("lognormal_edges.csv", "w") as fh:
        fh.write("# volume-basis log-normal VMD 15 um, gsd 1.5\nd_low_um,d_high_um,percent\n")
        for lo, hi, p in zip(EDGES[:-1], EDGES[1:], pct):
            fh.write(f"{lo:.4f},{hi:.4f},{p:.4f}\n")
    with open("lognormal_midpoints.csv", "w") as fh:
        fh.write("d_mid_um,percent\n")
        for m, p in zip(np.sqrt(EDGES[:-1] * EDGES[1:]), pct):
            fh.write(f"{m:.4f},{p:.4f}\n")
    cum = np.concatenate([[0.0], np.cumsum(pct)])
    with open("lognormal_cumulative.csv", "w") as fh:
        fh.write("d_um,cum_percent\n")
        for d, c in zip(EDGES, cum):
            fh.write(f"{d:.4f},{c:.4f}\n")
    num = class_percent(5.0, 1.5)
    num = num / num.sum() * 100.0
    with open("number_edges.csv", "w") as fh:
        fh.write("D_LOW_UM,D_HIGH_UM,PERCENT\n")
        for lo, hi, p in zip(EDGES[:-1], EDGES[1:], num):
            fh.write(f"{lo:.4f},{hi:.4f},{p:.4f}\n")


if __name__ == "__main__":
    main()
