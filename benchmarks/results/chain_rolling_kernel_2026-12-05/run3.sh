#!/bin/bash
# the same chains with the rolling-capable plugin (verified, default cache): 1 rank then 2 ranks, SiG
S=<work>/venv/bin/sigdem
for np in 1 2; do
  blend=small=1.0; tag=small_1_0_np${np}_hmr
  echo "== $blend np=$np (plugin) start $(date -u +%FT%TZ) load: $(cat /proc/loadavg)" >> times.txt
  /usr/bin/time -v -o $tag.time $S -v calender --blend $blend --replicates 1 --np $np --root root_$tag --quiet > $tag.out 2> $tag.err
  echo "== $blend np=$np (plugin) rc=$? end $(date -u +%FT%TZ)" >> times.txt
done
