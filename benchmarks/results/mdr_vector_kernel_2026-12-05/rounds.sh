#!/bin/bash
# rounds of ab.sh: SiG and WD-SiG on 1 and then 2 ranks, each case granular, hmr, vec
#   bash rounds.sh <rounds> <SiG calender_mdr folder> <WD-SiG calender_mdr folder> <venv python> <work folder>
HERE=$(cd "$(dirname "$0")" && pwd)
N=$1; SIG=$2; WD=$3; PY=$4; WORK=$5
for r in $(seq 1 "$N"); do
  echo "== round $r $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for np in 1 2; do
    bash "$HERE/ab.sh" "$SIG" SiG $np "$PY" "$WORK"
    bash "$HERE/ab.sh" "$WD" WD-SiG $np "$PY" "$WORK"
  done
done
echo "== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
