# The beds, one after the other, 2 ranks each. Usage: bash chain.sh <venv python> <root>
py=$1; root=$2
for spec in "60 1" "60 2" "120 2"; do
  set -- $spec
  d=fill$1_rep$2; mkdir -p $d
  uptime > $d/load.txt
  /usr/bin/time -v $py run_bed.py $root $1 $2 > $d/stdout.txt 2> $d/stderr.txt
  echo $? > $d/rc
  uptime >> $d/load.txt
done
