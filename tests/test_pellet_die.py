"""Pellet dies: the periodic default (pinned: job ids and rendered decks unchanged) and the cylindrical die with
its own wall friction (die-wall effects; real LAMMPS on small beds)."""

from __future__ import annotations

import hashlib
import pytest

from sigdem.deck import RunRecord
from sigdem.model.contact import MdrContact
from sigdem.psd import blend_from_fractions, graphite_grade
from sigdem.run import runners
from sigdem.studies.pellet import PelletStudy

BLEND = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
SMALL = dict(side_um=50.0, fill_height_um=40.0, replicates=1, speed_m_s=0.5, window_steps=500, relax_steps=5000)


def fake_settled(deck, root):
    """Render a settle deck and fake its finished outputs (the settled bed = its start positions), so that the
    pellet deck on it renders without running LAMMPS."""
    folder = runners.render(deck, root)
    bed = deck.bed
    lines = ["ITEM: TIMESTEP", "0", "ITEM: NUMBER OF ATOMS", str(bed.n), "ITEM: BOX BOUNDS pp pp ff",
             f"0 {bed.side_x_um}", f"0 {bed.side_y_um}", f"0 {bed.height_um}", "ITEM: ATOMS id type radius mass x y z"]
    for i in range(bed.n):
        x, y, z = bed.positions_um[i]
        lines.append(f"{i + 1} {bed.grade_index[i] + 1} {bed.diameters_um[i] / 2} {bed.masses_pg[i]} {x} {y} {z}")
    folder.fn("settled.dump").write_text("\n".join(lines) + "\n")
    folder.fn("settled.restart").write_text("fake")
    folder.set_state("done")
    return folder


def digest(folder, names=("in.lmp",)) -> str:
    h = hashlib.sha256()
    for name in names:
        text = folder.fn(name).read_text()
        h.update("\n".join(ln for ln in text.splitlines() if not ln.startswith("# in.lmp -- written by")).encode())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("contact,expected", [
    (None, ("settle", "cfff49821e306905", "5c6a5cb6e2023082", "pellet", "dab7128b28eeaacd", "ef8fcc3ba74d7182")),
    (MdrContact(), ("settle", "cfff49821e306905", "5c6a5cb6e2023082", "pellet_mdr", "fe8223ec49dbd3a4",
                    "f944ba6c14e1da8a")),
])
def test_periodic_default_job_ids_and_decks_are_unchanged(tmp_path, contact, expected):
    """Computed before the die option existed: the default (periodic) die leaves every id and deck as it was."""
    study = PelletStudy(BLEND, target_pressures_mpa=(100.0, 300.0), contact=contact, **SMALL)
    settle = fake_settled(study.settle_deck(0), tmp_path)
    pellet = runners.render(study.pellet_deck(settle), tmp_path)
    got = (RunRecord.read(settle).stage.name, settle.job, digest(settle, ("in.lmp", "particles.data")),
           RunRecord.read(pellet).stage.name, pellet.job, digest(pellet, ("in.lmp", "pellet_press.lmp")))
    assert got == expected
