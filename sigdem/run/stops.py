"""Press runs that LAMMPS stopped after some of their records: which stops keep those records.

A press stage (calender, pellet) writes a record line (``held.txt``, ``targets.txt``) and its dumps once a state is
reached, then goes on (lift, next target). When LAMMPS then stops on one of :data:`PRESS_STOPS`, the states
recorded before the stop do not depend on what came after them, and rerunning the folder would stop the same way
(the run is deterministic): the studies keep such a folder and analyse what it recorded, saying so. Any other
failure (a timeout, a Ctrl-C, a crash without these words) leaves the folder failed, to be run again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sigdem.deck import Deck
from sigdem.errors import EngineError
from sigdem.io.folder import RunFolder
from sigdem.io.logs import log_tail, read_table
from sigdem.run.claim import claim
from sigdem.run.runners import CHILD_OUTPUT, Runner, folder_of, run

#: What LAMMPS says when mdr's unloading branch leaves its range: the transformed elastic displacement of a heavily
#: yielded contact grows past its contact ellipse (sqrt and acos of negative numbers). Seen as the wall starts to
#: lift from 1.75 g/cc on a representative WD-SiG bed, at 0.4 and at 0.1 m/s alike.
MDR_UNLOAD_NAN = "F_MDR is NaN"
#: What mdr's contact-penalty screening says (Error::one, so on the rank that finds it) when two particles that touch
#: are in no neighbour list: seen once, pressing a WD-SiG cell (8,863 particles, 91 um) at 70 MPa, solid fraction 0.85
#: (benchmarks/results/pellet_fig4b_kn_2026-12-05/wdsig/third_bed_lmp_output_tail.txt). Likely the apparent radii
#: growing while the dense bed barely moves (LAMMPS rebuilds its size-based lists on displacement only); not yet checked.
MDR_MISSED_CONTACT = "not reflected in the neighbor lists"
#: LAMMPS errors that end a press run after recorded states, and their tag in the studies' replicate tables: mdr's
#: unloading branch leaving its range, mdr's screening finding a contact outside the neighbour lists (the states
#: recorded before it were held well before it: ~20,000 steps and 30 MPa earlier where it was seen), or a particle of
#: the bed's top thrown out of the box (the same release of stored energy as the NaN; seen on a WD-SiG bed of 4
#: largest diameters lifted at 0.1 m/s from 1.75 g/cc).
PRESS_STOPS = {MDR_UNLOAD_NAN: "mdr_nan", MDR_MISSED_CONTACT: "mdr_neighbor", "Lost atoms": "lost_atoms"}


def stop_tag(text: str) -> str | None:
    """The tag of the first of :data:`PRESS_STOPS` whose words ``text`` (a log or output tail) holds; else None."""
    return next((tag for words, tag in PRESS_STOPS.items() if words in text), None)


def press_stop(folder: RunFolder, record: str) -> tuple[str, int] | None:
    """(tag of :data:`PRESS_STOPS`, rows of ``record``) when ``folder`` failed on one of those errors after writing
    at least one row of its record file ``record``; else None."""
    if folder.state != "failed" or not folder.fn(record).exists() or not folder.fn("log.lammps").exists():
        return None
    rows = len(read_table(folder.fn(record)))
    if rows < 1:
        return None
    tail = log_tail(folder.fn("log.lammps"), 3)
    if folder.fn(CHILD_OUTPUT).exists():  # an error on a rank other than 0 is only in the child's output
        tail += "\n".join(folder.fn(CHILD_OUTPUT).read_text(errors="replace").splitlines()[-20:])
    tag = stop_tag(tail)
    return None if tag is None else (tag, rows)


def run_or_keep(deck: Deck, root: Path | str, runner: Runner | None, stopped: Callable[[RunFolder], bool], *,
                progress: bool = False) -> tuple[RunFolder, bool]:
    """(folder, kept): run ``deck`` (or reuse it when done), unless its folder is a stop the study keeps
    (``stopped``, e.g. built on :func:`press_stop`); a run that fails into such a stop is kept too (kept = True).
    Checked under the folder's claim: another process may be running it right now. Collecting writes nothing."""
    folder = folder_of(deck, root)
    if getattr(runner, "collect_only", False):
        return (folder, True) if stopped(folder) else (run(deck, root, runner), False)
    with claim(folder):
        if not stopped(folder):
            try:
                return run(deck, root, runner, progress=progress), False
            except EngineError:
                if not stopped(folder):
                    raise
    return folder, True
