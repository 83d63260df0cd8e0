#!/bin/bash
S=<work>/venv/bin/sigdem
blend=large=0.5,small=0.5; np=2; tag=large_0_5_small_0_5_np2_hmr
echo "== $blend np=$np (plugin) start $(date -u +%FT%TZ) load: $(cat /proc/loadavg)" >> times.txt
/usr/bin/time -v -o $tag.time $S -v calender --blend $blend --replicates 1 --np $np --root root_$tag --quiet > $tag.out 2> $tag.err
echo "== $blend np=$np (plugin) rc=$? end $(date -u +%FT%TZ)" >> times.txt
