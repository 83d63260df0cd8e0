#!/bin/bash
# The A/B of ../mdr_kernel_2026-12-05/ab.sh repeated: rounds of the four cases (SiG and WD-SiG, 1 and 2 ranks), each
# case stock then plugin, so that every ratio compares two runs minutes apart; the load before each round is kept.
#   sh repeat.sh <rounds> <SiG calender_mdr folder> <WD-SiG calender_mdr folder> <python of the venv>
set -eu
ROUNDS=$1; SIG=$2; WD=$3; PY=$4
HERE=$(cd "$(dirname "$0")" && pwd); AB=$HERE/../mdr_kernel_2026-12-05/ab.sh
for r in $(seq 1 "$ROUNDS"); do
  { date -u; uptime; } >> "$HERE/load.txt"
  for np in 1 2; do
    bash "$AB" "$SIG" SiG "$np" "$PY" | sed "s/^/round $r: /" >> "$HERE/ab_rounds.txt"
    bash "$AB" "$WD" WD-SiG "$np" "$PY" | sed "s/^/round $r: /" >> "$HERE/ab_rounds.txt"
  done
done
{ date -u; uptime; } >> "$HERE/load.txt"
