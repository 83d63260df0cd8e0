# The default pellet series (SiG, one bed, 8 targets 10 MPa-5 GPa) with the bounded unload split, on the bed of
# ../../pellet_press_step_2026-12-05/series/ (same root as ../fig4b_96mpa/: its settle-191d499e01964d50).
# Usage: sh commands.sh <sigdem executable> <root>; run/ was copied from the pellet folder afterwards
# (targets.txt, branch_<k>_{start,released,relaxed}.txt and .json, `grep "Loop time" log*.lammps` as loop_times.txt).
sigdem=$1; root=$2
/usr/bin/time -v $sigdem pellet --blend small=1.0 --replicates 1 --np 2 --quiet --root $root \
    --mdr-unload-split bounded --csv . > stdout.txt 2> stderr.txt
