#!/bin/bash
# make a press-continuation deck from held_K.restart of a finished/stopped pellet cell run, with mdr per-atom dumps
set -e
src=$1; k=$2; every=${3:-500}; out=$4
mkdir -p $out
cp $src/held_${k}.restart $out/
cp $src/in.lmp $out/in.lmp
# press on instead of releasing: the branch start jumps to the target loop
sed 's/"jump SELF release"$/"jump SELF target_loop"/' $src/pellet_press.lmp > $out/pellet_press.lmp
grep -n 'jump SELF target_loop"' $out/pellet_press.lmp
# per-atom dump of mdr's particle state, every $every steps, before the target loop
python3 - "$out/pellet_press.lmp" "$every" <<'PY'
import sys
p, every = sys.argv[1], sys.argv[2]
s = open(p).read()
marker = "if \"${branch} > 0\" then \"variable k equal ${branch}\""
dump = (f"dump            diag all custom {every} ${{dir}}/diag_*.dump id radius d_Ro d_Vgeo d_Vcaps d_Velas d_psi "
        "x y z vx vy vz fx fy fz c_coord\n"
        "dump_modify     diag sort id format float %.12g\n")
assert marker in s
s = s.replace(marker, dump + marker, 1)
open(p, "w").write(s)
PY
