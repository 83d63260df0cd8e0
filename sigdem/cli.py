"""The ``sigdem`` command line. Units are in option names and help texts."""

from __future__ import annotations

import argparse
import logging
import sys

from .errors import SigdemError

log = logging.getLogger("sigdem")


def _cmd_doctor(args) -> int:
    from .doctor import doctor

    report = doctor()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _cmd_verify(args) -> int:
    from .verify import run_all

    worst = 0.0
    print(f"{'check':28s} {'quantity':12s} {'LAMMPS':>14s} {'theory':>14s} {'error':>9s}")
    for label, c in run_all():
        worst = max(worst, c.rel_error)
        print(f"{label:28s} {c.name:12s} {c.measured:14.6g} {c.theory:14.6g} {100 * c.rel_error:8.3f}%")
    ok = worst <= args.tolerance
    print(f"largest error {100 * worst:.3f}% (tolerance {100 * args.tolerance:.2f}%): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sigdem", description="Battery-anode powder DEM on LAMMPS.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="check LAMMPS, its GRANULAR/OPENMP packages, MPI and cores")
    d.set_defaults(func=_cmd_doctor)

    v = sub.add_parser("verify", help="check LAMMPS contacts and walls against Hertz theory (Chung & Ooi 2011)")
    v.add_argument("--tolerance", type=float, default=0.01, help="largest accepted relative error (default 0.01 = 1%%)")
    v.set_defaults(func=_cmd_verify)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except SigdemError as exc:
        print(f"sigdem: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
