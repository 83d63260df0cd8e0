#!/bin/bash
# The mdr decks' shorter ghost reach (pair cutoff 1.2 d_max instead of 1.5 d_max, bins and atom sort as before):
# each case run with LAMMPS's mdr (granular), sigdem's plugin (hmr: LAMMPS's bits) and the plugin with vector math
# (vec) on the new decks, and granular and vec on the previous ones (git rev PREV), alternately, <rounds> times.
# Cases: the pellet cell on 1 and 2 ranks (../cell_servo_sum_2026-12-06/interleave.sh's schedule: resettle, at most
# 10,000 servo steps towards the first target, 10,000 held, release at 2 m/s), SiG and WD-SiG calenders on 1 and
# 2 ranks (../mdr_vector_kernel_2026-12-05/ab.sh's schedule: resettle 3,000 steps, the first target, hold, lift).
# Per case and round it checks that granular, hmr and granular on the previous deck wrote the same bytes, and vec
# on both decks too.
#   bash rounds.sh <rounds> <pellet_cell_mdr folder> <SiG calender_mdr folder> <WD-SiG calender_mdr folder> \
#        <python of the venv> <work folder>
set -eu
ROUNDS=$1; CELL=$2; SIG=$3; WD=$4; PY=$5; WORK=$6
PREV=${PREV:-5b599fb}
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
mkdir -p "$WORK"
for t in pellet_cell_mdr calender_mdr; do
  cp "$REPO/lammps_inputs/$t.lmp" "$WORK/new_$t.lmp"
  git -C "$REPO" show "$PREV:lammps_inputs/$t.lmp" > "$WORK/prev_$t.lmp"
done

one() {  # one <cell|calender> <src folder> <tag> <ranks> <kernel granular|hmr|vec> <deck new|prev>
  local kind=$1 src=$2 tag=$3 np=$4 k=$5 deck=$6 d kernel=$5 math=libm args
  [ "$k" = vec ] && { kernel=hmr; math=vector; }
  d=$WORK/${tag}_np${np}_${k}_$deck; rm -rf "$d"; mkdir -p "$d"; cp "$src/start.restart" "$d/"
  if [ "$kind" = cell ]; then
    (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$src/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$WORK/${deck}_pellet_cell_mdr.lmp") > "$d/in.lmp"
    cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
    local p; p=$(sed -n 's/^variable pressures *index *\([^ ]*\).*/\1/p' "$src/in.lmp" | head -1)
    args="-var n_targets 1 -var pressures $p -var release_each 0 -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -var max_target_steps 10000"
  else
    (sed -n '1,/^variable resettle_steps/p' "$src/in.lmp"; sed -n '/^# calender_mdr.lmp/,$p' "$WORK/${deck}_calender_mdr.lmp") > "$d/in.lmp"
    cp "$REPO/lammps_inputs/calender_press.lmp" "$d/"
    local h; h=$(sed -n 's/^variable heights *index *\([^ ]*\).*/\1/p' "$src/in.lmp" | head -1)
    args="-var release_steps 0 -var resettle_steps 3000 -var heights $h -var relax_steps 0 -var unload_speed 2.0"
  fi
  args="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math $args -log log.lammps -screen none"
  ( cd "$d"
    if [ "$np" = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $args; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np "$np" "$BIN/lmp" $args; fi )
  echo "$tag np$np $k $deck: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')ghosts $(grep '^Nghost:' "$d/log.lammps" | awk '{printf "%s ", $2}')"
}

same() {  # same <tag> <ranks> <record files...>: which runs wrote the same bytes
  local tag=$1 np=$2 f ok=1 okv=1; shift 2
  for f in "$@"; do
    for other in hmr_new granular_prev; do
      cmp -s "$WORK/${tag}_np${np}_granular_new/$f" "$WORK/${tag}_np${np}_$other/$f" || { echo "$tag np$np DIFFERS ($other): $f"; ok=0; }
    done
    cmp -s "$WORK/${tag}_np${np}_vec_new/$f" "$WORK/${tag}_np${np}_vec_prev/$f" || { echo "$tag np$np DIFFERS (vec_prev): $f"; okv=0; }
  done
  [ $ok = 1 ] && echo "$tag np$np: granular new, hmr new, granular prev: $# record files byte-identical"
  [ $okv = 1 ] && echo "$tag np$np: vec new, vec prev: $# record files byte-identical"
  return 0
}

for r in $(seq "$ROUNDS"); do
  echo "== round $r $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for np in 1 2; do
    for k in "granular new" "hmr new" "vec new" "granular prev" "vec prev"; do set -- $k; one cell "$CELL" cell "$np" "$1" "$2"; done
    same cell "$np" thermo.txt targets.txt target_1.dump target_1_contacts.dump released.txt unloaded.txt unloaded.dump
    for bed in SiG WD-SiG; do
      src=$SIG; [ $bed = WD-SiG ] && src=$WD
      for k in "granular new" "hmr new" "vec new" "granular prev" "vec prev"; do set -- $k; one calender "$src" $bed "$np" "$1" "$2"; done
      same $bed "$np" thermo.txt targets.txt target_1.dump target_1_contacts.dump held.txt unloaded.dump unloaded.txt
    done
  done
done
echo "== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
