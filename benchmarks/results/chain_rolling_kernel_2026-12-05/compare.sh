#!/bin/sh
# every file a stage wrote, stock pair granular against the plugin, same rank count (restarts name the pair style
# and the plugin's path; log.lammps, lmp_output.txt and status.json carry times and the kernel's name)
for p in "root_small_1_0_np1 root_small_1_0_np1_hmr" "root_small_1_0_np2_quiet root_small_1_0_np2_hmr" \
         "root_large_0_5_small_0_5_np2 root_large_0_5_small_0_5_np2_hmr"; do
  set -- $p; echo "## $1 vs $2"
  for d in $1/*/; do n=$(basename $d); for f in $d*; do b=$(basename $f)
    case $b in log.lammps|status.json|lmp_output.txt|*.restart) echo "skipped $n/$b"; continue;; esac
    cmp -s $f $2/$n/$b && echo "identical $n/$b" || echo "DIFFERS $n/$b"; done; done
  cmp -s $1/calendering.csv $2/calendering.csv && echo "identical calendering.csv" || echo "DIFFERS calendering.csv"
done
