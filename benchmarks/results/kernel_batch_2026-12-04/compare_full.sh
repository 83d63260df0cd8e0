#!/bin/sh
# The 10k-particle dense settle bed of benchmarks/run.py (item 2, 2x2 tiles), 3000 steps, three ways:
# LAMMPS's pair granular, the plugin of e4891c7 (one contact at a time) and the batched plugin; each run
# appends a 17-significant-digit dump of every particle's x, v, f, omega, torque to the deck.
# usage: sh compare_full.sh <settle folder> <old plugin .so> <new plugin .so>
set -eu
BASE=$1; OLD=$2; NEW=$3
for round in 1 2; do
  for v in granular old new; do
    rm -rf run_$v; cp -r "$BASE" run_$v; cd run_$v; rm -f log.lammps settle_result.txt
    echo 'write_dump all custom full.dump id x y z vx vy vz fx fy fz omegax omegay omegaz tqx tqy tqz modify sort id format float %.17g' >> in.lmp
    case $v in
      granular) lmp -in in.lmp -log log.lammps -nocite -var min_steps 3000 -var max_steps 3000 > /dev/null ;;
      old) lmp -in in.lmp -log log.lammps -nocite -var pair_style granular/hmr -var load_plugin 1 -var kernel_plugin "$OLD" -var min_steps 3000 -var max_steps 3000 > /dev/null ;;
      new) lmp -in in.lmp -log log.lammps -nocite -var pair_style granular/hmr -var load_plugin 1 -var kernel_plugin "$NEW" -var min_steps 3000 -var max_steps 3000 > /dev/null ;;
    esac
    echo "round $round $v: $(grep -m1 'Loop time' log.lammps) | Pair $(grep -m1 '^Pair ' log.lammps | awk '{print $3}') s | load $(cut -d' ' -f1 /proc/loadavg)"
    cd ..
  done
  cmp run_granular/full.dump run_old/full.dump && echo "round $round: old plugin full.dump == pair granular's (17 digits, $(wc -l < run_granular/full.dump) lines)"
  cmp run_granular/full.dump run_new/full.dump && echo "round $round: batched plugin full.dump == pair granular's"
done
