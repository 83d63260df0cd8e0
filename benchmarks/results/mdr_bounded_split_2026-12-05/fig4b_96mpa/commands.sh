# SiG and WD-SiG pressed to the Fig. 4b pressure read as kN/cm² with the bounded split, on the beds (settle folders)
# of ../../pellet_fig4b_kn_2026-12-05/ (the same root). Usage: sh commands.sh <sigdem executable> <root>
sigdem=$1; root=$2
# 1. WD-SiG, 3 replicates asked; stopped by hand after replicate 0 had finished (its stderr and load in
#    wdsig_first_command/), to give the two cores to SiG; replicate 1's folder was left unfinished.
$sigdem pellet --blend large=0.5,small=0.5 --pressures 38.4,96 --replicates 3 --np 2 --root $root --quiet \
    --mdr-unload-split bounded --csv wdsig
# 2. its finished replicate collected (nothing run again): wdsig/
$sigdem pellet --blend large=0.5,small=0.5 --pressures 38.4,96 --replicates 1 --np 2 --root $root --quiet \
    --mdr-unload-split bounded --csv wdsig > wdsig/stdout.txt 2> wdsig/stderr.txt
# 3. SiG, 1 replicate: sig/
/usr/bin/time -v $sigdem pellet --blend small=1.0 --pressures 38.4,96 --replicates 1 --np 2 --root $root --quiet \
    --mdr-unload-split bounded --csv sig > sig/stdout.txt 2> sig/stderr.txt
# 4. SiG, 3 replicates (bed 0 reused, beds 1 and 2 run; 5 Dec evening, commit 7046a25): sig_3beds/
cd sig_3beds && /usr/bin/time -v $sigdem pellet --blend small=1.0 --pressures 38.4,96 --replicates 3 --np 2 \
    --root $root --quiet --mdr-unload-split bounded --csv . > stdout.txt 2> stderr.txt; cd ..
# 5. the two blends compared (WD-SiG's 2 beds, SiG's 3): compare.txt
python ../../pellet_fig4b_kn_2026-12-05/compare.py wdsig_2beds sig_3beds > compare.txt
