# The third WD-SiG bed of benchmarks/results/pellet_fig4b_kn_2026-12-05/ (job pellet_cell_mdr-8e647836347c0faa,
# held at 38.4 MPa in held_1.restart) copied and pressed on to 96 MPa from that restart, 2 ranks, as sigdem resumes
# a stopped press (run_one.py), with one change each. Usage: sh commands.sh <python> <root of that run>
py=$1; src=$2/pellet_cell_mdr-8e647836347c0faa
$py run_one.py $src A3                       > A3/stdout.txt 2>&1   # as it was (LAMMPS's split): the control
$py run_one.py $src B skin=2.0               > B/stdout.txt 2>&1    # neighbour skin 2.0 um instead of 0.90
$py run_one.py $src C dt_press=0.0009058291861057 > C/stdout.txt 2>&1  # the approach at half its step (stopped by hand)
$py run_one.py $src E mdr_split=bounded      > E/stdout.txt 2>&1    # the bounded unload split
