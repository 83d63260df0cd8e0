#!/bin/bash
# A/B of the mdr kernel on a representative calender: LAMMPS's mdr (pair granular, fix wall/gran/region) against
# sigdem's plugin (pair granular/mdr/hmr, wall/gran/region/mdr/hmr), same deck, same start, same ranks.
#   sh ab.sh <finished calender_mdr run folder> <tag> <ranks> <python of the venv>
# The folder gives start.restart and the header of its in.lmp (the study's numbers); the template and
# calender_press.lmp are this checkout's. The run: resettle 3000 steps under mdr, press to the first target,
# hold, target hold, lift (release_steps 0: the Hertz release before mdr is not part of the mdr path).
# Prints the LAMMPS loop times of each run section, and whether every output file is byte-identical.
set -eu
SRC=$1; TAG=$2; NP=$3; PY=${4:-python3}
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
LMP=$(dirname "$PY")/lmp
FIRST=$(sed -n 's/^variable heights *index *\([^ ]*\).*/\1/p' "$SRC/in.lmp" | head -1)   # the header's first target height
for k in granular hmr; do
  d=$HERE/work/${TAG}_np${NP}_$k; rm -rf "$d"; mkdir -p "$d"
  cp "$SRC/start.restart" "$d/"
  (sed -n '1,/^variable resettle_steps/p' "$SRC/in.lmp"; sed -n '/^# calender_mdr.lmp/,$p' "$REPO/lammps_inputs/calender_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/calender_press.lmp" "$d/"
  ( cd "$d"
    ARGS="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $k -var release_steps 0 -var resettle_steps 3000 -var heights $FIRST -var relax_steps 0 -var unload_speed 2.0 -log log.lammps -screen none"
    if [ "$NP" = 1 ]; then "$LMP" $ARGS; else "$(dirname "$PY")/mpirun" -np "$NP" "$LMP" $ARGS; fi )
  echo "$TAG np$NP $k: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
done
same=1
for f in thermo.txt targets.txt target_1.dump target_1_contacts.dump held.txt unloaded.dump unloaded.txt; do
  cmp -s "$HERE/work/${TAG}_np${NP}_granular/$f" "$HERE/work/${TAG}_np${NP}_hmr/$f" || { echo "DIFFERS: $f"; same=0; }
done
[ $same = 1 ] && echo "$TAG np$NP: all 7 output files byte-identical"
