#!/bin/bash
# The representative calenders with this build: LAMMPS's mdr (granular), the plugin (hmr: LAMMPS's bits) and the
# plugin with vector math (vec), SiG and WD-SiG, 1 and 2 ranks, <rounds> rounds, on the current deck; the schedule of
# ../mdr_ghost_reach_2026-12-06/rounds.sh (resettle 3,000 steps, the first target, hold, lift). Per case and round it
# checks that granular and hmr wrote the same bytes. Output lines as rounds.sh's ("new" deck), for its summary.py.
#   bash calender_ab.sh <rounds> <SiG calender_mdr folder> <WD-SiG calender_mdr folder> <python of the venv> <work>
set -eu
ROUNDS=$1; SIG=$2; WD=$3; PY=$4; WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
mkdir -p "$WORK"
one() {  # one <src folder> <tag> <ranks> <kernel granular|hmr|vec>
  local src=$1 tag=$2 np=$3 k=$4 d kernel=$4 math=libm args h
  [ "$k" = vec ] && { kernel=hmr; math=vector; }
  d=$WORK/${tag}_np${np}_$k; rm -rf "$d"; mkdir -p "$d"; cp "$src/start.restart" "$d/"
  (sed -n '1,/^variable resettle_steps/p' "$src/in.lmp"; sed -n '/^# calender_mdr.lmp/,$p' "$REPO/lammps_inputs/calender_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/calender_press.lmp" "$d/"
  h=$(sed -n 's/^variable heights *index *\([^ ]*\).*/\1/p' "$src/in.lmp" | head -1)
  args="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math"
  args="$args -var release_steps 0 -var resettle_steps 3000 -var heights $h -var relax_steps 0 -var unload_speed 2.0 -log log.lammps -screen none"
  ( cd "$d"
    if [ "$np" = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $args; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np "$np" "$BIN/lmp" $args; fi )
  echo "$tag np$np $k new: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')ghosts $(grep '^Nghost:' "$d/log.lammps" | awk '{printf "%s ", $2}')"
}
for r in $(seq "$ROUNDS"); do
  echo "== round $r $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for np in 1 2; do
    for bed in SiG WD-SiG; do
      src=$SIG; [ $bed = WD-SiG ] && src=$WD
      for k in granular hmr vec; do one "$src" $bed "$np" $k; done
      ok=1
      for f in thermo.txt targets.txt target_1.dump target_1_contacts.dump held.txt unloaded.dump unloaded.txt; do
        cmp -s "$WORK/${bed}_np${np}_granular/$f" "$WORK/${bed}_np${np}_hmr/$f" || { echo "$bed np$np DIFFERS (hmr): $f"; ok=0; }
      done
      [ $ok = 1 ] && echo "$bed np$np: granular, hmr: 7 record files byte-identical"
    done
  done
done
echo "== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
