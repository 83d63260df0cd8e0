#!/bin/bash
# The pellet cell's servo force from the plugin's compute stress/zsum/hmr (stress_sum plugin, the deck's default
# where the plugin is loaded) against the three lines it replaces (stress_sum lammps: stress/atom + atom variable +
# reduce sum), and the mdr kernels' ratio on the new deck: LAMMPS's mdr (granular), the plugin with libm (hmr) and
# with vector math (vec), each with the compute; hmr_old is the plugin with libm on the previous deck. Same start and
# schedule as ../mdr_vector_kernel_2026-12-05/pellet_ab.sh: a finished pellet_cell_mdr folder's settled bed
# (start.restart) and header, this checkout's templates; resettle, servo to the first two targets and hold each,
# release after the last at 2 m/s (release_each 0, release_restart 0, relax_steps 0). LAMMPS's unload split.
#   bash ab.sh <finished pellet_cell_mdr folder> <tag> <ranks> <python of the venv> <work folder>
set -eu
SRC=$1; TAG=$2; NP=$3; PY=$4; WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
P=$(sed -n 's/^variable pressures *index *\([^ ]*\) \([^ ]*\).*/\1 \2/p' "$SRC/in.lmp" | head -1)   # the first two targets
for k in granular hmr vec hmr_old; do
  d=$WORK/${TAG}_np${NP}_$k; rm -rf "$d"; mkdir -p "$d"
  cp "$SRC/start.restart" "$d/"
  (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$SRC/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$REPO/lammps_inputs/pellet_cell_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
  kernel=$k; math=libm; sum=plugin
  if [ $k = vec ]; then kernel=hmr; math=vector; fi
  if [ $k = hmr_old ]; then kernel=hmr; sum=lammps; fi
  ( cd "$d"
    ARGS="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math -var stress_sum $sum -var mdr_split lammps -var n_targets 2 -var pressures $P -var release_each 0 -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -log log.lammps -screen none"
    if [ "$NP" = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $ARGS; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np "$NP" "$BIN/lmp" $ARGS; fi )
  echo "$TAG np$NP $k: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
done
for v in hmr hmr_old; do
  same=1
  for f in thermo.txt targets.txt target_1.dump target_2.dump; do
    cmp -s "$WORK/${TAG}_np${NP}_granular/$f" "$WORK/${TAG}_np${NP}_$v/$f" || { echo "DIFFERS ($v): $f"; same=0; }
  done
  [ $same = 1 ] && echo "$TAG np$NP: ${v}'s output files byte-identical to LAMMPS's"
done
grep -Eq "^compute +ftop all stress/zsum/hmr$" "$WORK/${TAG}_np${NP}_granular/log.lammps" && echo "$TAG np$NP: granular read the force from stress/zsum/hmr"
grep -Eq "^compute +ftop all reduce sum v_fz_cell$" "$WORK/${TAG}_np${NP}_hmr_old/log.lammps" && echo "$TAG np$NP: hmr_old read it from stress/atom + reduce"
grep -q "math vector" "$WORK/${TAG}_np${NP}_vec/log.lammps" && echo "$TAG np$NP: vec ran pair_style ... math vector"
