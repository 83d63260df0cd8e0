"""Tests of sigdem.io.dumps / sigdem.io.logs against fixtures written by LAMMPS itself.

The fixtures in tests/data/dumps come from make_fixtures.lmp there (36 granular spheres
poured on a floor, units micro). Wherever possible a parsed value is compared with a
number LAMMPS reported by another route: fix print / fix ave/time rows (count(all),
xcm(all,z), compute reduce sums), thermo output in the log, the data file from
write_data, or a quantity fixed by the script (region box, delete_atoms region).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigdem.io.dumps import (Box, Frame, iter_dump, read_data_atoms, read_data_box, read_dump,
                          read_last_frame)
from sigdem.errors import ParseError
from sigdem.io.logs import log_tail, read_log_thermo, read_table

D = Path(__file__).parent / "data" / "dumps"

# facts fixed by make_fixtures.lmp
BOX_LO, BOX_HI = (0.0, 0.0, 0.0), (8.0, 8.0, 16.0)  # region box block 0 8 0 8 0 16
N_ATOMS = 36                                         # create_atoms ... random 36
DUMP_STEPS = [0, 150, 300]                           # dump every 150, run 300
DELETE_Z = 5.0                                       # region top ... 5.0 INF; delete_atoms
GRAVITY = 1.0                                        # fix gravity 1.0 vector 0 0 -1
ATOM_COLUMNS = ["id", "type", "radius", "x", "y", "z", "vx", "vy", "vz", "fx", "fy", "fz",
                "c_stress[1]", "c_stress[2]", "c_stress[3]", "c_coord"]
LOCAL_COLUMNS = ["c_pp[1]", "c_pp[2]", "c_pl[1]", "c_pl[2]", "c_pl[3]", "c_pl[4]", "c_pl[5]"]


@pytest.fixture(scope="module")
def printed() -> pd.DataFrame:
    return read_table(D / "print.txt")


def print_row(printed: pd.DataFrame, step: int, natoms: int) -> pd.Series:
    """The first fix print row at ``step`` with ``natoms`` atoms (the in-run one)."""
    rows = printed[(printed["step"] == step) & (printed["natoms"] == natoms)]
    assert len(rows) >= 1, f"no fix print row for step {step}"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def atoms() -> list[Frame]:
    return read_dump(D / "atoms.dump")


@pytest.fixture(scope="module")
def contacts() -> list[Frame]:
    return read_dump(D / "contacts.dump", int_columns=["c_pp[1]", "c_pp[2]"])


@pytest.fixture(scope="module")
def density() -> float:
    dens = read_data_atoms(D / "data.sphere")["density"].unique()
    assert len(dens) == 1
    return float(dens[0])


def min_image(d: np.ndarray, box: Box) -> np.ndarray:
    d = d.copy()
    for k in range(3):
        if box.boundary[k] == "pp":
            L = box.lengths[k]
            d[..., k] -= L * np.round(d[..., k] / L)
    return d


# ----------------------------------------------------------------------------- atom dumps

def test_atom_frames_header_driven(atoms):
    assert [f.timestep for f in atoms] == DUMP_STEPS
    for f in atoms:
        assert f.kind == "atoms"
        assert list(f.data.columns) == ATOM_COLUMNS
        assert f.data["id"].tolist() == sorted(f.data["id"])          # sorted by id
        assert set(f.data["id"]) == set(range(1, N_ATOMS + 1))
        assert f.data["id"].dtype == np.int64 and f.data["type"].dtype == np.int64
        for c in ATOM_COLUMNS[2:]:
            assert f.data[c].dtype == np.float64, c
        assert (f.data["radius"] == 1.0).all()                         # set type 1 diameter 2.0
    # the file itself is not in id order, so the sort is real
    raw_ids = [int(ln.split()[0]) for ln in (D / "atoms.dump").read_text().splitlines()[9:45]]
    assert raw_ids != sorted(raw_ids)
    assert atoms[0].data["id"].tolist() == sorted(raw_ids)


def test_atom_frames_match_lammps_reductions(atoms, printed):
    for f in atoms:
        row = print_row(printed, f.timestep, N_ATOMS)
        d = f.data
        assert len(d) == row["natoms"]                                          # count(all)
        assert d["z"].mean() == pytest.approx(row["zcm"], rel=1e-8)   # xcm(all,z); equal masses
        scale = d["fz"].abs().sum()
        assert d["fz"].sum() == pytest.approx(row["fzsum"], abs=1e-8 * scale + 1e-9)  # sum fz
        assert d["c_coord"].sum() == row["ncontacts"]                 # reduce sum c_coord
        for k, col in enumerate(("sxx", "syy", "szz"), start=1):
            s = d[f"c_stress[{k}]"]
            assert s.sum() == pytest.approx(row[col], abs=1e-8 * s.abs().sum() + 1e-9)


def test_box_from_dump_matches_region(atoms):
    for f in atoms:
        assert f.box == Box(lo=BOX_LO, hi=BOX_HI, boundary=("pp", "pp", "ff"), tilt=None)
        assert f.box.lengths == (8.0, 8.0, 16.0)
        assert f.box.volume == 1024.0 and not f.box.triclinic


def test_gzip_and_plain_identical(atoms):
    gz = read_dump(D / "atoms.dump.gz")   # written by LAMMPS' dump custom/gz
    assert len(gz) == len(atoms)
    for a, b in zip(atoms, gz):
        assert (a.timestep, a.box, a.kind, a.time) == (b.timestep, b.box, b.kind, b.time)
        pd.testing.assert_frame_equal(a.data, b.data)


def test_kinetic_energy_matches_log_thermo(atoms, density):
    thermo = read_log_thermo(D / "pour.log")[0].set_index("Step")
    for f in atoms:
        d = f.data
        mass = density * 4.0 / 3.0 * math.pi * d["radius"] ** 3
        ke = 0.5 * (mass * (d["vx"] ** 2 + d["vy"] ** 2 + d["vz"] ** 2)).sum()
        assert ke == pytest.approx(thermo.loc[f.timestep, "KinEng"], rel=1e-6)


def test_atom_count_changes_between_frames(printed):
    frames = read_dump(D / "changing.dump")
    assert [f.timestep for f in frames] == DUMP_STEPS + [450]
    before, after = frames[2].data, frames[3].data
    deleted = set(before.loc[before["z"] >= DELETE_Z, "id"])
    assert deleted                                          # the script did delete atoms
    assert set(after["id"]) == set(before["id"]) - deleted
    assert len(after) == N_ATOMS - len(deleted) == print_row(printed, 450, len(after))["natoms"]
    assert list(after.columns) == ["id", "type", "x", "y", "z"]


def test_read_last_frame(atoms):
    for name in ("atoms.dump", "atoms.dump.gz"):
        last = read_last_frame(D / name)
        assert last.timestep == atoms[-1].timestep
        pd.testing.assert_frame_equal(last.data, atoms[-1].data)
    last = read_last_frame(D / "changing.dump")
    assert (last.timestep, len(last.data)) == (450, 28)


def test_triclinic_time_units_and_text_column():
    (f,) = read_dump(D / "triclinic.dump")    # write_dump ... modify element C time yes units yes
    assert f.timestep == 510 and f.time == pytest.approx(0.51)    # 510 steps of 1e-3
    assert f.box.tilt == (-1.5, 0.0, 0.0)                         # change_box xy final -1.5
    assert f.box.lo == BOX_LO and f.box.hi == BOX_HI              # not the bounding box
    assert f.box.volume == 1024.0 and f.box.triclinic
    assert (f.data["element"] == "C").all()
    assert f.data["x"].dtype == np.float64 and f.data["id"].dtype == np.int64
    last_block = read_log_thermo(D / "pour.log")[-1]
    assert len(f.data) == last_block["Atoms"].iloc[-1]            # thermo 'atoms' at step 510
    assert read_last_frame(D / "triclinic.dump").time == f.time


# ----------------------------------------------------------------------------- local dumps

def test_local_frames(contacts, printed):
    assert [f.timestep for f in contacts] == DUMP_STEPS
    first = contacts[0]
    assert first.kind == "local" and len(first.data) == 0          # no contacts at step 0
    assert list(first.data.columns) == LOCAL_COLUMNS
    for f in contacts:
        assert list(f.data.columns) == LOCAL_COLUMNS
        # one entry per pair; compute contact/atom counts each pair twice
        assert 2 * len(f.data) == print_row(printed, f.timestep, N_ATOMS)["ncontacts"]
        assert f.data["c_pp[1]"].dtype == np.int64
        assert f.data["c_pl[1]"].dtype == np.float64
    plain = read_dump(D / "contacts.dump")                          # ids of c_ columns stay float
    assert plain[1].data["c_pp[1]"].dtype == np.float64


def test_contact_atom_ignores_wall_and_matches_pair_list(atoms, contacts, printed, density):
    wall_touching = 0
    for a, c in zip(atoms, contacts):
        d = a.data.set_index("id")
        ids = pd.concat([c.data["c_pp[1]"], c.data["c_pp[2]"]])
        per_atom = ids.value_counts().reindex(d.index, fill_value=0)
        assert (per_atom == d["c_coord"]).all()
        on_floor = d["z"] < d["radius"]
        wall_touching += int(on_floor.sum())
        if a.timestep == 300:   # the floor pushes: sum fz differs from the weight alone
            weight = -GRAVITY * (density * 4 / 3 * math.pi * d["radius"] ** 3).sum()
            assert print_row(printed, 300, N_ATOMS)["fzsum"] > weight + 100
    assert wall_touching > 0     # so the equality above shows wall contacts are not counted


def test_pair_local_geometry(atoms, contacts):
    for a, c in zip(atoms, contacts):
        d = a.data.set_index("id")
        if len(c.data) == 0:
            continue
        i, j = c.data["c_pp[1]"].to_numpy(), c.data["c_pp[2]"].to_numpy()
        xyz = d[["x", "y", "z"]]
        sep = min_image(xyz.loc[i].to_numpy() - xyz.loc[j].to_numpy(), a.box)
        dist = np.linalg.norm(sep, axis=1)
        assert (dist < d.loc[i, "radius"].to_numpy() + d.loc[j, "radius"].to_numpy()).all()
        t = c.data[["c_pl[2]", "c_pl[3]", "c_pl[4]"]].to_numpy()      # p1 p2 p3
        np.testing.assert_allclose(np.linalg.norm(t, axis=1), c.data["c_pl[5]"], rtol=1e-8)
        n = sep / dist[:, None]
        assert (np.abs((t * n).sum(axis=1)) <= 1e-6 * np.linalg.norm(t, axis=1)).all()


def test_pair_local_forces_balance_atom_forces(density):
    """At a run 0 frame the per-atom forces equal gravity plus the listed contact forces.

    pair/local 'force' is the signed normal force on patom1 along (x1 - x2)/r and p1..p3
    the tangential force on patom1, so any column mix-up or sign slip breaks this.
    """
    (a,) = read_dump(D / "balance_atoms.dump")
    (c,) = read_dump(D / "balance_contacts.dump", int_columns=["c_pp[1]", "c_pp[2]"])
    assert a.timestep == c.timestep == 300 and len(c.data) > 0
    d = a.data.set_index("id")
    total = pd.DataFrame(0.0, index=d.index, columns=["fx", "fy", "fz"])
    for _, r in c.data.iterrows():
        i, j = int(r["c_pp[1]"]), int(r["c_pp[2]"])
        sep = min_image(d.loc[i, ["x", "y", "z"]].to_numpy(float)
                        - d.loc[j, ["x", "y", "z"]].to_numpy(float), a.box)
        tangential = r[["c_pl[2]", "c_pl[3]", "c_pl[4]"]].to_numpy(float)
        f = r["c_pl[1]"] * sep / np.linalg.norm(sep) + tangential
        total.loc[i] += f
        total.loc[j] -= f
    mass = density * 4 / 3 * math.pi * d["radius"] ** 3
    total["fz"] -= GRAVITY * mass
    free = d["z"] > d["radius"]                 # the wall force is not in the dumps
    assert free.sum() > 20
    err = (d.loc[free, ["fx", "fy", "fz"]] - total.loc[free]).abs().to_numpy().max()
    assert err < 1e-6 * d[["fx", "fy", "fz"]].abs().to_numpy().max()


def test_time_items_in_every_frame(tmp_path):
    """dump_modify time yes writes ITEM: TIME before each ITEM: TIMESTEP."""
    text = (D / "changing.dump").read_text()
    for step in (450, 300, 150, 0):
        stamp = f"ITEM: TIMESTEP\n{step}\n"
        text = text.replace(stamp, f"ITEM: TIME\n{step * 1e-3}\n" + stamp)
    (tmp_path / "t.dump").write_text(text)
    assert [f.time for f in read_dump(tmp_path / "t.dump")] == [0.0, 0.15, 0.3, 0.45]
    last = read_last_frame(tmp_path / "t.dump")
    assert (last.timestep, last.time) == (450, 0.45)
    pd.testing.assert_frame_equal(last.data, read_dump(D / "changing.dump")[-1].data)


def test_custom_local_label(tmp_path):
    text = (D / "contacts.dump").read_text().replace("ENTRIES", "CONTACTS")
    (tmp_path / "c.dump").write_text(text)
    frames = read_dump(tmp_path / "c.dump")
    assert [f.kind for f in frames] == ["local"] * 3
    pd.testing.assert_frame_equal(frames[2].data, read_dump(D / "contacts.dump")[2].data)


# ----------------------------------------------------------------------------- malformed dumps

def test_truncated_fixture():
    path = D / "truncated.dump"            # head -n 60 of changing.dump: frame 2 starts at line 46
    got = []
    with pytest.raises(ParseError) as ei:
        for f in iter_dump(path):
            got.append(f)
    assert [f.timestep for f in got] == [0]
    msg = str(ei.value)
    for part in ("truncated.dump", "line 46", "line 60", "timestep 150"):
        assert part in msg
    with pytest.raises(ParseError, match="line 46"):
        read_dump(path)
    with pytest.raises(ParseError, match="line 46"):
        read_last_frame(path)
    kept = read_last_frame(path, allow_truncated=True)
    assert kept.timestep == 0
    pd.testing.assert_frame_equal(kept.data, read_dump(D / "changing.dump")[0].data)


def _atoms_lines() -> list[str]:
    return (D / "atoms.dump").read_text().splitlines(keepends=True)


def _edit(lines: list[str], line_no: int, new: str | None) -> list[str]:
    out = list(lines)
    if new is None:
        del out[line_no - 1]
    else:
        out[line_no - 1] = new
    return out


def _set_token(line: str, k: int, value: str) -> str:
    words = line.split()
    words[k] = value
    return " ".join(words) + "\n"


L = _atoms_lines()
MALFORMED = {
    # name: (file lines, line number the error must name, text it must contain)
    "empty": ([], None, "empty"),
    "blank": (["\n", "  \n"], None, "empty"),
    "no ITEM header": (L[1:], 1, "missing ITEM header"),
    "garbage first line": (["hello\n"] + L, 1, "missing ITEM header"),
    "non-numeric value": (_edit(L, 20, _set_token(L[19], 3, "abc")), 20, "'abc'"),
    "non-numeric timestep": (_edit(L, 2, "abc\n"), 2, "timestep"),
    "declares too many": (_edit(L, 4, "37\n"), 46, "count mismatch"),
    "declares too few": (_edit(L, 4, "35\n"), 45, "count mismatch"),
    "short row": (_edit(L, 30, " ".join(L[29].split()[:-1]) + "\n"), 30, "expected 16 values"),
    "long row": (_edit(L, 31, L[30].rstrip("\n") + " 7\n"), 31, "expected 16 values"),
    "fractional id": (_edit(L, 12, _set_token(L[11], 0, "3.5")), 12, "integers"),
    "missing box line": (_edit(L, 6, None), 8, "BOX BOUNDS"),  # ITEM: ATOMS read as a bound
    "cut in header": (L[:49], 46, "truncated"),
    "cut mid-line": (L[:60] + [L[60][:10]], 54, "truncated"),
    "cut in the last row": (L[:44] + [L[44][:-3]], 1, "truncated"),
    "cut in ITEM line": (L[:45] + ["ITEM: TIMES"], 46, "truncated"),
}


def test_every_cut_is_truncation_or_frame_boundary(tmp_path):
    """Cutting atoms.dump at any byte gives either whole frames or a 'truncated' error."""
    data = (D / "atoms.dump").read_bytes()
    frame_ends = [i + 1 for i in range(len(data)) if data[i:i + 1] == b"\n"
                  and data[i + 1:i + 15] == b"ITEM: TIMESTEP"] + [len(data)]
    path = tmp_path / "cut.dump"
    for cut in list(range(1, 400, 7)) + list(range(400, len(data), 53)) + frame_ends:
        path.write_bytes(data[:cut])
        complete = sum(end <= cut for end in frame_ends)
        if cut in frame_ends:
            assert len(read_dump(path)) == complete
            assert read_last_frame(path).timestep == DUMP_STEPS[complete - 1]
            continue
        with pytest.raises(ParseError, match="truncated"):
            read_dump(path)
        with pytest.raises(ParseError, match="truncated"):
            read_last_frame(path)
        if complete:
            assert read_last_frame(path, allow_truncated=True).timestep == DUMP_STEPS[complete - 1]
        if cut % 3 == 0:   # the streaming path for .gz files agrees
            gz = tmp_path / "cut.dump.gz"
            gz.write_bytes(gzip.compress(data[:cut]))
            with pytest.raises(ParseError, match="truncated"):
                read_last_frame(gz)
            if complete:
                kept = read_last_frame(gz, allow_truncated=True)
                assert kept.timestep == DUMP_STEPS[complete - 1]



@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_dump(tmp_path, case):
    lines, line_no, text = MALFORMED[case]
    path = tmp_path / "bad.dump"
    path.write_text("".join(lines))
    with pytest.raises(ParseError) as ei:
        read_dump(path)
    msg = str(ei.value)
    assert "bad.dump" in msg and text in msg
    if line_no is not None:
        assert f"line {line_no}:" in msg or f"line {line_no} " in msg, msg


@pytest.mark.parametrize("lines, line_no", [
    ([], None),
    (_edit(L, 100, _set_token(L[99], 5, "1.2.3")), 100),     # in the last frame
    (L + ["1 2 3\n"], len(L) + 1),                            # garbage after the last frame
    (L[:120], 91),                                            # last frame (line 91-) cut short
])
def test_read_last_frame_malformed(tmp_path, lines, line_no):
    """read_last_frame checks the last frame and what follows it (not the earlier frames)."""
    path = tmp_path / "bad.dump"
    path.write_text("".join(lines))
    with pytest.raises(ParseError) as ei:
        read_last_frame(path)
    assert "bad.dump" in str(ei.value)
    if line_no is not None:
        assert f"line {line_no}" in str(ei.value)


def test_malformed_gzip(tmp_path):
    path = tmp_path / "bad.dump.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("".join(L[:60]))
    with pytest.raises(ParseError, match="line 46"):
        read_dump(path)
    assert read_last_frame(path, allow_truncated=True).timestep == 0


def test_nan_values_and_integer_fields(tmp_path):
    lines = list(L[:45])
    lines[8] = "ITEM: ATOMS id type ix proc x v_a\n"
    for k in range(9, 45):
        lines[k] = f"{45 - k} 1 {k % 3 - 1} 0 {k * 0.5} {k}\n"
    lines[20] = "25 1 0 0 -nan inf\n"
    path = tmp_path / "nan.dump"
    path.write_text("".join(lines))
    (f,) = read_dump(path)
    d = f.data
    assert d["id"].tolist() == list(range(1, 37))
    assert d["ix"].dtype == np.int64 and d["proc"].dtype == np.int64    # known integer fields
    assert d["v_a"].dtype == np.float64
    assert d["x"].isna().sum() == 1 and d.loc[d["id"] == 25, "x"].isna().all()
    assert np.isinf(d.loc[d["id"] == 25, "v_a"]).all()
    with pytest.raises(ParseError, match="line 21: column 'v_a' must hold integers, found 'inf'"):
        read_dump(path, int_columns=["v_a"])


def test_large_frame_parses_in_id_order(tmp_path):
    """A 30k-atom frame in shuffled id order parses completely and sorted (its speed is benchmarks/bench_psd's
    business, not an assert here)."""
    n = 30_000
    rng = np.random.default_rng(7)
    ids = rng.permutation(n) + 1
    vals = rng.normal(size=(n, 14)) * 100
    body = "\n".join(f"{i} 1 " + " ".join(f"{v:.10g}" for v in row) for i, row in zip(ids, vals))
    header = "".join(L[:8]).replace("36", str(n), 1) + L[8]
    path = tmp_path / "big.dump"
    path.write_text(header + body + "\n")
    (f,) = read_dump(path)
    assert len(f.data) == n and f.data["id"].tolist() == list(range(1, n + 1))
    k = int(np.flatnonzero(ids == 123)[0])
    np.testing.assert_allclose(f.data.iloc[122, 2:].to_numpy(float), vals[k], rtol=1e-9)


# ----------------------------------------------------------------------------- data files

def test_data_file_matches_dump(atoms):
    box = read_data_box(D / "data.sphere")
    assert (box.lo, box.hi, box.tilt) == (BOX_LO, BOX_HI, None)
    df = read_data_atoms(D / "data.sphere")   # write_data at step 300, after the last dump frame
    assert list(df.columns) == "id type diameter density x y z ix iy iz".split()
    assert df["id"].dtype == np.int64 and df["ix"].dtype == np.int64
    assert (df["diameter"] == 2.0).all() and (df["density"] == 2.26).all()
    last = atoms[-1].data
    assert df["id"].tolist() == last["id"].tolist()
    np.testing.assert_allclose(df[["x", "y", "z"]], last[["x", "y", "z"]], atol=1e-8)
    np.testing.assert_allclose(df["diameter"], 2 * last["radius"])


def test_data_file_sections_any_order(tmp_path):
    text = (D / "data.sphere").read_text()
    head, rest = text.split("Atoms # sphere", 1)
    atoms_part, vel_part = rest.split("Velocities", 1)
    rows = atoms_part.strip().splitlines()
    rows[3] += "   # a comment after a row"
    shuffled = (head.replace("36 atoms", "36 atoms  # count") + "Velocities" + vel_part.rstrip()
                + "\n\n# a comment line\nAtoms # sphere\n\n" + "\n".join(rows[:10]) + "\n\n"
                + "\n".join(rows[10:]) + "\n")
    (tmp_path / "shuffled.data").write_text(shuffled)
    pd.testing.assert_frame_equal(read_data_atoms(tmp_path / "shuffled.data"),
                                  read_data_atoms(D / "data.sphere"))
    assert read_data_box(tmp_path / "shuffled.data") == read_data_box(D / "data.sphere")
    for declared in ("37 atoms", "35 atoms"):
        (tmp_path / "bad.data").write_text(shuffled.replace("36 atoms", declared))
        with pytest.raises(ParseError, match="bad.data, line [0-9]+: count mismatch"):
            read_data_atoms(tmp_path / "bad.data")
    (tmp_path / "atomic.data").write_text(text.replace("Atoms # sphere", "Atoms # atomic"))
    with pytest.raises(ParseError, match="atomic"):
        read_data_atoms(tmp_path / "atomic.data")


def test_data_file_triclinic_box(tmp_path):
    text = (D / "data.sphere").read_text()
    text = text.replace("0 16 zlo zhi", "0 16 zlo zhi\n-1.5 0 0 xy xz yz")
    (tmp_path / "tri.data").write_text(text)
    assert read_data_box(tmp_path / "tri.data").tilt == (-1.5, 0.0, 0.0)


# ----------------------------------------------------------------------------- tables

def test_fix_print_table(printed):
    assert list(printed.columns) == "step natoms zcm fzsum ncontacts sxx syy szz".split()
    # fix print every 50 over run 300, run 0, run 150, run 60 (it also prints at setup)
    assert len(printed) == 7 + 1 + 4 + 2
    assert printed["step"].dtype == np.int64
    assert printed["step"].tolist() == [0, 50, 100, 150, 200, 250, 300, 300, 300,
                                        350, 400, 450, 450, 500]


def test_fix_ave_time_table_matches_fix_print(printed):
    ave = read_table(D / "avetime.txt")
    assert list(ave.columns) == ["TimeStep", "c_sf[3]", "v_zc", "c_ncoord", "v_n"]
    assert ave["TimeStep"].dtype == np.int64
    assert ave["TimeStep"].tolist() == [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500]
    for _, r in ave.iterrows():
        p = print_row(printed, int(r["TimeStep"]), int(r["v_n"]))
        assert r["c_sf[3]"] == pytest.approx(p["fzsum"], rel=1e-12, abs=1e-9)
        assert r["v_zc"] == pytest.approx(p["zcm"], rel=1e-12)
        assert r["c_ncoord"] == p["ncontacts"]


def test_vector_mode_table_rejected():
    with pytest.raises(ParseError, match=r"avevector.txt, line 2: block-style"):
        read_table(D / "avevector.txt")


def test_table_edge_cases(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("# Fix print output for fix pr\n# step ke pwall\n")
    t = read_table(p)
    assert list(t.columns) == ["step", "ke", "pwall"] and len(t) == 0
    p.write_text("step ke\n0 1.5\n10 2.5\n")               # a title without '#'
    assert read_table(p)["ke"].tolist() == [1.5, 2.5]
    p.write_text("")
    with pytest.raises(ParseError, match="empty"):
        read_table(p)
    p.write_text("# step ke\n0 1.5\n10 2.5 3\n")
    with pytest.raises(ParseError, match="line 3"):
        read_table(p)
    p.write_text("# step ke\n0 1.5\n10 x\n")
    with pytest.raises(ParseError, match="line 3.*'x'"):
        read_table(p)
    p.write_text("0 1.5\n")
    with pytest.raises(ParseError, match="line 1"):
        read_table(p)
    gz = tmp_path / "print.txt.gz"
    gz.write_bytes(gzip.compress((D / "print.txt").read_bytes()))
    pd.testing.assert_frame_equal(read_table(gz), read_table(D / "print.txt"))


# ----------------------------------------------------------------------------- logs

def test_log_thermo_blocks(printed):
    blocks = read_log_thermo(D / "pour.log")
    # run 300 / thermo 50, run 0, run 150 / thermo 50, run 60 / thermo 10: each n/every + 1 rows
    assert [len(b) for b in blocks] == [300 // 50 + 1, 1, 150 // 50 + 1, 60 // 10 + 1]
    for b in blocks:
        assert list(b.columns) == ["Step", "Atoms", "KinEng", "c_sf[3]", "c_ncoord", "v_zc"]
        assert b["Step"].dtype == np.int64 and b["Atoms"].dtype == np.int64
    assert blocks[0]["Step"].tolist() == list(range(0, 301, 50))
    assert blocks[3]["Step"].tolist() == list(range(450, 511, 10))
    for _, r in blocks[0].iterrows():
        p = print_row(printed, int(r["Step"]), int(r["Atoms"]))
        assert r["c_sf[3]"] == pytest.approx(p["fzsum"], rel=1e-7, abs=1e-3)
        assert r["v_zc"] == pytest.approx(p["zcm"], rel=1e-7)


def test_log_thermo_header_without_step(tmp_path):
    """A thermo_style whose first keyword is not step is found after 'Per MPI rank memory'."""
    text = (D / "pour.log").read_text().replace("   Step        Atoms", "   Time        Atoms")
    (tmp_path / "t.log").write_text(text)
    blocks = read_log_thermo(tmp_path / "t.log")
    assert [len(b) for b in blocks] == [7, 1, 4, 7]
    assert list(blocks[0].columns)[:2] == ["Time", "Atoms"]


def test_log_thermo_skips_interleaved_warnings():
    text = (D / "pour.log").read_text()
    assert "WARNING: Lost atoms" in text      # LAMMPS printed it between two thermo rows
    last = read_log_thermo(D / "pour.log")[-1]
    assert last["Atoms"].tolist()[:4] == [28] * 4 and last["Atoms"].iloc[-1] == 22
    assert last["Step"].tolist() == list(range(450, 511, 10))


def test_log_thermo_truncated(tmp_path):
    text = (D / "pour.log").read_text()
    cut = text.index("\n       500 ") + 16                    # killed while writing step 500
    (tmp_path / "killed.log").write_text(text[:cut])
    blocks = read_log_thermo(tmp_path / "killed.log")
    assert [len(b) for b in blocks] == [7, 1, 4, 5]
    assert blocks[-1]["Step"].tolist() == [450, 460, 470, 480, 490]
    row500 = text.index("\n       500 ") + 1
    cut = text.index("\n", row500) - 3                         # inside the row's last number
    assert len(text[row500:cut].split()) == 6
    (tmp_path / "killed2.log").write_text(text[:cut])
    assert read_log_thermo(tmp_path / "killed2.log")[-1]["Step"].iloc[-1] == 490
    header_end = text.index("\n", text.rindex("   Step  ")) + 1  # killed right after the header
    (tmp_path / "early.log").write_text(text[:header_end])
    blocks = read_log_thermo(tmp_path / "early.log")
    assert [len(b) for b in blocks] == [7, 1, 4, 0] and list(blocks[-1].columns)[0] == "Step"
    (tmp_path / "empty.log").write_text("")
    assert read_log_thermo(tmp_path / "empty.log") == []


def test_log_tail(tmp_path):
    text = (D / "pour.log").read_text()
    lines = text.splitlines()
    assert log_tail(D / "pour.log", 3) == "\n".join(lines[-3:])
    assert log_tail(D / "pour.log") == "\n".join(lines[-20:])
    assert log_tail(D / "pour.log", 10_000) == "\n".join(lines)
    assert log_tail(D / "pour.log", 0) == ""
    assert log_tail(tmp_path / "missing.log") == ""
    big = [f"line {k} " + "x" * (k % 97) for k in range(20_000)]    # several 64 KiB blocks
    (tmp_path / "big.log").write_text("\n".join(big))                  # no final newline
    assert log_tail(tmp_path / "big.log", 1500) == "\n".join(big[-1500:])
    with gzip.open(tmp_path / "pour.log.gz", "wt") as fh:
        fh.write(text)
    assert log_tail(tmp_path / "pour.log.gz", 5) == "\n".join(lines[-5:])


def test_reexports():
    import sigdem.io.dumps as dumps
    assert dumps.read_table is read_table and dumps.log_tail is log_tail
    assert dumps.read_log_thermo is read_log_thermo
