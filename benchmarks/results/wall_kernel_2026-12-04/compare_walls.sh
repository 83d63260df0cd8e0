#!/bin/sh
# The peer calender of benchmarks/run.py (item 1/6: 2,500 particles of the paper blend, 52,273 steps, settled with
# the granular/hmr kernel) run twice per round from the same rendered folder: with LAMMPS's wall fixes
# (wall_kernel=granular) and with the plugin's (wall_kernel=hmr). Each run appends a 17-significant-digit dump of
# every particle's x, v, f, omega, torque and both walls' per-atom contact arrays to the deck.
# usage: sh compare_walls.sh <rendered calender folder> <plugin .so>
set -eu
BASE=$1; SO=$2
for round in 1 2; do
  for k in granular hmr; do
    rm -rf run_$k; cp -r "$BASE" run_$k; cd run_$k
    rm -f log.lammps targets.txt held.txt unloaded.* target_* thermo.txt
    echo 'write_dump all custom full.dump id x y z vx vy vz fx fy fz omegax omegay omegaz tqx tqy tqz f_floor[1] f_floor[2] f_floor[3] f_floor[4] f_floor[5] f_floor[6] f_floor[7] f_floor[8] f_top[1] f_top[2] f_top[3] f_top[4] f_top[5] f_top[6] f_top[7] f_top[8] modify sort id format float %.17g' >> in.lmp
    lmp -in in.lmp -log log.lammps -nocite -var load_plugin 1 -var kernel_plugin "$SO" -var wall_kernel $k > /dev/null
    echo "round $round walls $k: loop $(grep 'Loop time' log.lammps | awk '{s+=$4} END{printf "%.2f", s}') s, Modify $(awk '/^Modify +\|/{s+=$3} END{printf "%.2f", s}' log.lammps) s, Pair $(awk '/^Pair +\|/{s+=$3} END{printf "%.2f", s}' log.lammps) s | load $(cut -d' ' -f1 /proc/loadavg)"
    cd ..
  done
  cmp run_granular/full.dump run_hmr/full.dump && echo "round $round: full.dump identical (17 digits, $(wc -l < run_hmr/full.dump) lines)"
  for f in targets.txt held.txt unloaded.txt unloaded.dump target_1.dump target_3_contacts.dump thermo.txt; do
    cmp -s run_granular/$f run_hmr/$f || echo "round $round: $f DIFFERS"; done
done
