#!/bin/bash
# 1 rank vs 2 ranks, representative SiG then WD-SiG calender chain, defaults, one replicate, sequential (quiet)
S=<work>/venv/bin/sigdem
for blend in small=1.0 large=0.5,small=0.5; do
  for np in 1 2; do
    tag=$(echo $blend | tr '=,.' '___')_np$np
    echo "== $blend np=$np start $(date -u +%FT%TZ) load: $(cat /proc/loadavg)" >> times.txt
    /usr/bin/time -v -o $tag.time $S -v calender --blend $blend --replicates 1 --np $np --root root_$tag --quiet > $tag.out 2> $tag.err
    echo "== $blend np=$np rc=$? end $(date -u +%FT%TZ)" >> times.txt
  done
done
