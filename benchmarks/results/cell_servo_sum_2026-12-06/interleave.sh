#!/bin/bash
# The one-pass servo force alone, interleaved against drift: the same kernel on the new deck (stress_sum plugin) and
# on the previous one (stress_sum lammps), alternately, <rounds> times; each run the ab.sh schedule cut short: the
# resettle, at most 10,000 servo steps towards the first target, 10,000 held, the release at 2 m/s.
#   bash interleave.sh <finished pellet_cell_mdr folder> <granular|hmr> <rounds> <python of the venv> <work folder>
set -eu
SRC=$1; K=$2; ROUNDS=$3; PY=$4; WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
P=$(sed -n 's/^variable pressures *index *\([^ ]*\).*/\1/p' "$SRC/in.lmp" | head -1)   # the first target
for r in $(seq "$ROUNDS"); do
  for sum in plugin lammps; do
    d=$WORK/${K}_$sum; rm -rf "$d"; mkdir -p "$d"
    cp "$SRC/start.restart" "$d/"
    (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$SRC/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$REPO/lammps_inputs/pellet_cell_mdr.lmp") > "$d/in.lmp"
    cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
    ( cd "$d"
      LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" -in in.lmp -var load_plugin 1 -var kernel_plugin "$PLUGIN" -var mdr_kernel "$K" \
        -var stress_sum $sum -var mdr_split lammps -var n_targets 1 -var pressures "$P" -var release_each 0 \
        -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -var max_target_steps 10000 -log log.lammps -screen none )
    echo "round $r $K stress_sum $sum: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
  done
  for f in thermo.txt targets.txt target_1.dump; do
    cmp -s "$WORK/${K}_plugin/$f" "$WORK/${K}_lammps/$f" || echo "round $r DIFFERS: $f"
  done
done
