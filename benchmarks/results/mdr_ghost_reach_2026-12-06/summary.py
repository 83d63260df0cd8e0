"""Ratios of rounds.txt: per case (bed, ranks) and round, the wall time of every run section added up, each section
timed per step and counted at the step counts of LAMMPS's mdr on the new deck (a run whose section took other step
counts, as vector math's cell release does as its bed moves otherwise, is compared per particle-step, section by
section); stock / plugin on the new decks (hmr: LAMMPS's bits, vec: vector math) and previous deck / new deck for one
kernel.
    python summary.py rounds.txt
"""
import re
import statistics
import sys
from collections import defaultdict

times = defaultdict(list)   # (bed, np, kernel, deck) -> [seconds per round]
ghosts = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) np(\d) (granular|hmr|vec) (new|prev): (.*)ghosts (.*)", line)
    if m:
        bed, np_, k, deck, secs, g = m.groups()
        times[bed, int(np_), k, deck].append([(float(s), int(n)) for s, n in re.findall(r"([\d.]+) s / (\d+) steps", secs)])
        ghosts[bed, int(np_), deck] = g.split()



def cost(sections, reference):
    """Seconds of a run's sections at the reference run's step counts (per-step time x reference steps)."""
    assert len(sections) == len(reference)
    return sum(s / n * m for (s, n), (_, m) in zip(sections, reference))


cases = sorted({(b, n) for b, n, _, _ in times}, key=lambda c: (c[1], c[0]))
rows = [("stock / hmr (new decks)", "granular", "new", "hmr", "new"),
        ("stock / vec (new decks)", "granular", "new", "vec", "new"),
        ("stock: previous / new deck", "granular", "prev", "granular", "new"),
        ("vec: previous / new deck", "vec", "prev", "vec", "new"),
        ("previous decks: stock / vec", "granular", "prev", "vec", "prev")]
print(f"{'case':10s} {'ratio':30s} {'per round':22s} median")
for bed, np_ in cases:
    for name, ka, da, kb, db in rows:
        ref = times[bed, np_, "granular", "new"]
        r = [cost(x, g) / cost(y, g) for x, y, g in zip(times[bed, np_, ka, da], times[bed, np_, kb, db], ref)]
        if r:
            print(f"{bed + ' np' + str(np_):10s} {name:30s} {' '.join(f'{x:.3f}' for x in r):22s} {statistics.median(r):.3f}")
    for deck in ("prev", "new"):
        print(f"{bed + ' np' + str(np_):10s} {'ghosts per rank, ' + deck + ' deck':30s} {' '.join(ghosts.get((bed, np_, deck), []))}")
    ref = times[bed, np_, "granular", "new"]
    t = {k: statistics.median(cost(x, g) for x, g in zip(times[bed, np_, k, "new"], ref)) for k in ("granular", "hmr", "vec")}
    print(f"{bed + ' np' + str(np_):10s} {'median seconds (new decks)':30s} " + " ".join(f"{k} {v:.1f}" for k, v in t.items()))
