#!/bin/bash
# rerun of SiG at 2 ranks with nothing else touching the machine (the first one overlapped tool calls)
while [ ! -f run.rc ]; do sleep 5; done
sleep 20
S=<work>/venv/bin/sigdem
blend=small=1.0; np=2; tag=small_1_0_np2_quiet
echo "== $blend np=$np (quiet rerun) start $(date -u +%FT%TZ) load: $(cat /proc/loadavg)" >> times.txt
/usr/bin/time -v -o $tag.time $S -v calender --blend $blend --replicates 1 --np $np --root root_$tag --quiet > $tag.out 2> $tag.err
echo "== $blend np=$np (quiet rerun) rc=$? end $(date -u +%FT%TZ)" >> times.txt
