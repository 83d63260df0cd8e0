/* compute stress/zsum/hmr -- the pellet cell's servo force in one pass (sigdem kernel; registered by the plugin
   entry in pair_granular_hmr.cpp).

     compute ID group stress/zsum/hmr

   A global scalar: the sum over the group's atoms of their per-atom stress (pair part, zz) divided by the box
   height, i.e. what these three lines give to the bit (pellet_cell_mdr.lmp's servo, -P_zz x lx ly):

     compute  stress all stress/atom NULL pair
     variable fz_cell atom c_stress[3]/lz
     compute  ftop all reduce sum v_fz_cell

   with the same operations in the same order: per atom (0 + the pair's per-atom virial zz) x (-nktv2p), divided
   by lz (domain->zprd), added in atom order from 0 on each rank, then MPI_Allreduce's sum. Why: the servo reads
   this every step, and the three lines cost an atom-style variable's parse-tree walk per atom and a 6-column
   stress array (~8 % of the plugin's step in the cell). The per-atom virial itself is still the pair's (this
   compute asks for it as stress/atom does: pressatomflag, timeflag).
*/

#include "atom.h"
#include "compute.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "pair.h"
#include "update.h"

#include "plugin_api.h"

#include <mpi.h>

namespace LAMMPS_NS {

class ComputeStressZsumHMR : public Compute {
 public:
  ComputeStressZsumHMR(LAMMPS *lmp, int narg, char **arg) : Compute(lmp, narg, arg)
  {
    if (narg != 3) error->all(FLERR, "compute stress/zsum/hmr takes no arguments");
    scalar_flag = 1;
    extscalar = 1;        // as compute reduce sum
    pressatomflag = 1;    // the pair tallies per-atom virial on the steps this compute is invoked on
    timeflag = 1;
  }

  void init() override
  {
    if (!force->pair) error->all(FLERR, "compute stress/zsum/hmr needs a pair style");
    if (force->newton) error->all(FLERR, "compute stress/zsum/hmr needs newton off (no reverse communication)");
  }

  double compute_scalar() override
  {
    invoked_scalar = update->ntimestep;
    if (update->vflag_atom != invoked_scalar)
      error->all(FLERR, "Per-atom virial was not tallied on needed timestep (compute stress/zsum/hmr)");
    const double nktv2p = -force->nktv2p;
    const double lz = domain->zprd;
    if (lz == 0.0) error->all(FLERR, "compute stress/zsum/hmr: the box height is 0");
    const int nlocal = atom->nlocal;
    const int *mask = atom->mask;
    double **vatom = force->pair->vatom;
    const bool pair_on = force->pair->compute_flag;
    double one = 0.0;
    for (int i = 0; i < nlocal; i++) {
      double s = 0.0;
      if (pair_on) s += vatom[i][2];
      if (!(mask[i] & groupbit)) continue;
      s *= nktv2p;
      one += s / lz;
    }
    MPI_Allreduce(&one, &scalar, 1, MPI_DOUBLE, MPI_SUM, world);
    return scalar;
  }
};

}    // namespace LAMMPS_NS

using namespace LAMMPS_NS;

extern "C" {

static void *stress_zsum_creator(void *lmp, int argc, char **argv)
{
  return (void *) new ComputeStressZsumHMR((LAMMPS *) lmp, argc, argv);
}

void sigdem_register_cell_styles(void *lmp, void *handle, void *regfunc)
{
  lammpsplugin_t plugin;
  plugin.version = ((LAMMPS *) lmp)->version;
  plugin.style = "compute";
  plugin.name = "stress/zsum/hmr";
  plugin.info = "stress/zsum/hmr: sum of stress/atom (pair, zz) / lz, the pellet cell's servo force (sigdem kernel)";
  plugin.author = "sigdem";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &stress_zsum_creator;
  plugin.handle = handle;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);
}
}
