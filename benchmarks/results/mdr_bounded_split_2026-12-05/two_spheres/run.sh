# Two spheres pressed and drawn apart (pair.lmp) with LAMMPS's mdr, the plugin's, and the plugin's bounded split;
# prints whether the three thermo tables are the same bytes.
# Usage: PLUGIN=<the verified granhmrplugin.so> VENV=<the venv> R2S="10.0 4.0 2.5" DMS="4.0 8.0 12.0" bash run.sh
P=${PLUGIN:?set PLUGIN to the verified plugin}
export LD_LIBRARY_PATH=${VENV:?set VENV}/lib
for r2 in ${R2S:-10.0}; do
for dm in ${DMS:-8.0}; do
for v in "granular lammps" "hmr lammps" "hmr bounded"; do set -- $v
  $VENV/bin/lmp -in pair.lmp -var mdr_kernel $1 -var mdr_split $2 -var dmax $dm -var r2 $r2 -var kernel_plugin $P -log log_${r2}_${dm}_$1_$2.lammps -screen none; echo "$r2 $dm $1 $2 rc=$?"
  awk '/^ +Step/{f=1;next} /^Loop/{f=0} f' log_${r2}_${dm}_$1_$2.lammps > t_${r2}_${dm}_$1_$2.txt
done
echo "r2 $r2 dm $dm: stock vs hmr: $(cmp -s t_${r2}_${dm}_granular_lammps.txt t_${r2}_${dm}_hmr_lammps.txt && echo same || echo DIFF); lammps vs bounded: $(cmp -s t_${r2}_${dm}_hmr_lammps.txt t_${r2}_${dm}_hmr_bounded.txt && echo same || echo DIFF)"
done; done
