"""Helpers of the ``sigdem`` command line: checks of CLI-only values, dry runs, custom grades, CSV output.

Everything here raises :class:`~sigdem.errors.InputError` naming the option, the value and what is allowed;
``sigdem.cli.main`` prints it as ``sigdem: error: <field>: ...`` and returns 2.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from sigdem.errors import InputError
from sigdem.inputs import check_int, check_root

log = logging.getLogger("sigdem")


class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown in every --help, examples (epilog) kept as written."""


def epilog(*examples: str) -> str:
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def check_workers(field: str, value: int | None) -> int:
    """``value`` workers (``None``: all cores) in [1, 4 x cores]."""
    if value is None:
        return cores()
    return check_int(field, value, 1, 4 * cores())


def root_of(args) -> Path:
    """The --root folder checked (created unless a dry run): a file, an uncreatable or read-only path is refused."""
    return check_root("root", args.root, create=not getattr(args, "dry_run", False))


def print_plan(plan) -> int:
    for line in plan.lines():
        print(line)
    return 0


def check_yield_option(args) -> None:
    """--yield-stress-gpa applies to --contact mdr only: refused with hertz rather than silently ignored."""
    if args.yield_stress_gpa is not None and args.contact != "mdr":
        raise InputError("yield_stress_gpa", f"{args.yield_stress_gpa:g} GPa given with --contact {args.contact}; "
                         "allowed: only with --contact mdr (Hertz contacts are elastic)")
