# The paper's Fig. 4b pressure in the kN/cm² reading (9.6 kN/cm² = 96 MPa; with 3.84 kN/cm² = 38.4 MPa) for SiG and
# WD-SiG with the pellet study's defaults (mdr cell, each blend's default fill), 3 replicates, 2 ranks.
# Usage: sh run.sh <sigdem executable> <root>
sigdem=$1; root=$2
for spec in "sig small=1.0" "wdsig large=0.5,small=0.5"; do
  set -- $spec
  mkdir -p $1
  uptime > $1/load.txt
  /usr/bin/time -v $sigdem pellet --blend $2 --pressures 38.4,96 --replicates 3 --np 2 --root $root --quiet \
      --csv $1 > $1/stdout.txt 2> $1/stderr.txt
  echo $? > $1/rc
  uptime >> $1/load.txt
done
