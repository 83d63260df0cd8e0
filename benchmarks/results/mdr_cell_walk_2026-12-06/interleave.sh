#!/bin/bash
# Builds of the plugin interleaved on the pellet cell (1 rank), vector math and libm, <rounds> rounds: each run as
# ../mdr_untouched_history_2026-12-06/interleave.sh (resettle 2,000 steps, <= 10,000 servo steps to the first target,
# 10,000 held, release at 2 m/s) on the current deck; every build's records compared byte for byte with the first's.
#   bash interleave.sh <finished pellet_cell_mdr folder> <rounds> <python of the venv> <work> name=plugin ...
# (a build of an earlier source: git checkout it, `sigdem kernel build`, keep the printed path)
set -eu
SRC=$1; ROUNDS=$2; PY=$3; WORK=$4; shift 4
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
BIN=$(dirname "$PY")
P=$(sed -n 's/^variable pressures *index *\([^ ]*\).*/\1/p' "$SRC/in.lmp" | head -1)
run() {  # run <kernel hmr|vec> <name> <plugin>
  local math=libm d=$WORK/$1_$2; [ "$1" = vec ] && math=vector
  rm -rf "$d"; mkdir -p "$d"; cp "$SRC/start.restart" "$d/"
  (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$SRC/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$REPO/lammps_inputs/pellet_cell_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
  ( cd "$d"
    LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" -in in.lmp -var load_plugin 1 -var kernel_plugin "$3" -var mdr_kernel hmr \
      -var mdr_math $math -var mdr_split lammps -var n_targets 1 -var pressures "$P" -var release_each 0 \
      -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -var max_target_steps 10000 -log log.lammps -screen none )
  echo "$1 $2: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
}
for r in $(seq "$ROUNDS"); do
  echo "== round $r $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for k in vec hmr; do
    first=""
    for nv in "$@"; do
      n=${nv%%=*}; p=${nv#*=}
      run $k "$n" "$p"
      if [ -z "$first" ]; then first=$n; else
        for f in thermo.txt targets.txt target_1.dump target_1_contacts.dump released.txt unloaded.txt unloaded.dump; do
          cmp -s "$WORK/${k}_$first/$f" "$WORK/${k}_$n/$f" || echo "DIFFERS $k $n $f"
        done
      fi
    done
  done
done
echo "== end $(date -u +%T)"
