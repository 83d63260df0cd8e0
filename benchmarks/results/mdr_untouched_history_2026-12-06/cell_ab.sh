#!/bin/bash
# The pellet cell's stock / plugin after this change: LAMMPS's mdr (granular), the plugin (hmr) and the plugin with
# vector math (vec) on the current deck and build, 1 and 2 ranks, <rounds> rounds; the schedule of interleave.sh.
#   bash cell_ab.sh <finished pellet_cell_mdr folder> <rounds> <python of the venv> <work>
set -eu
SRC=$1; ROUNDS=$2; PY=$3; WORK=$4
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
P=$(sed -n 's/^variable pressures *index *\([^ ]*\).*/\1/p' "$SRC/in.lmp" | head -1)
for r in $(seq "$ROUNDS"); do
  echo "== round $r $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for np in 1 2; do
    for k in granular hmr vec; do
      kernel=$k; math=libm; [ $k = vec ] && { kernel=hmr; math=vector; }
      d=$WORK/np${np}_$k; rm -rf "$d"; mkdir -p "$d"; cp "$SRC/start.restart" "$d/"
      (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$SRC/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$REPO/lammps_inputs/pellet_cell_mdr.lmp") > "$d/in.lmp"
      cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
      args="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math -var mdr_split lammps -var n_targets 1 -var pressures $P -var release_each 0 -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -var max_target_steps 10000 -log log.lammps -screen none"
      ( cd "$d"
        if [ $np = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $args; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np $np "$BIN/lmp" $args; fi )
      echo "cell np$np $k new: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')ghosts $(grep '^Nghost:' "$d/log.lammps" | awk '{printf "%s ", $2}')"
    done
    for f in thermo.txt targets.txt target_1.dump target_1_contacts.dump released.txt unloaded.txt unloaded.dump; do
      cmp -s "$WORK/np${np}_granular/$f" "$WORK/np${np}_hmr/$f" || echo "cell np$np DIFFERS (hmr): $f"
    done
  done
done
echo "== end $(date -u +%T)"
