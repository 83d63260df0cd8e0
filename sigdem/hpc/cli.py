"""``sigdem hpc ...`` subcommands, for sigdem/cli.py to wire in (``add_parser(subparsers)``; ``run(args)``).

    sigdem hpc submit ROOT [FOLDER ...] [--profile cluster.toml] [--resubmit-failed] [--pretend]
    sigdem hpc status SWEEP_DIR
    sigdem hpc export OUT_DIR FOLDER ... [--ranks N]

``submit`` without folders submits every rendered, unfinished run folder directly under ROOT
(calender/pellet chains are submitted from Python with :func:`sigdem.hpc.sweep.submit_chain`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._core import RunFolder, SigdemError
from .export import export_folders
from .profile import load_profile, local_profile
from .sweep import status, submit_sweep


def add_parser(subparsers) -> argparse.ArgumentParser:
    hpc = subparsers.add_parser("hpc", help="run folders on a Slurm cluster, or export them for lmp")
    sub = hpc.add_subparsers(dest="hpc_command", required=True)
    s = sub.add_parser("submit", help="submit unfinished run folders as one Slurm job array")
    s.add_argument("root", type=Path)
    s.add_argument("folders", nargs="*", type=Path)
    s.add_argument("--profile", type=Path, help="cluster profile (TOML); default: this machine's local Slurm")
    s.add_argument("--resubmit-failed", action="store_true")
    s.add_argument("--pretend", action="store_true", help="print the batch script, submit nothing")
    st = sub.add_parser("status", help="state of each task of a sweep (pending/running/done/failed)")
    st.add_argument("sweep_dir", type=Path)
    e = sub.add_parser("export", help="copy run folders with run_all.sh and slurm_array.sh (no Python needed)")
    e.add_argument("out_dir", type=Path)
    e.add_argument("folders", nargs="+", type=Path)
    e.add_argument("--ranks", type=int, default=1)
    return hpc


def run(args: argparse.Namespace) -> int:
    try:
        if args.hpc_command == "submit":
            profile = load_profile(args.profile) if args.profile else local_profile()
            folders = args.folders or sorted(p for p in args.root.iterdir() if (p / "status.json").is_file())
            sub = submit_sweep([RunFolder(p.resolve()) for p in folders], args.root, profile,
                               pretend=args.pretend, resubmit_failed=args.resubmit_failed)
            if not sub.folders:
                print(f"nothing to submit ({len(sub.skipped)} folder(s) done or failed)")
            else:
                print(sub.script if args.pretend else f"job {sub.job}: {len(sub.folders)} task(s), "
                      f"{len(sub.skipped)} skipped; status: sigdem hpc status {sub.sweep_dir}")
        elif args.hpc_command == "status":
            for t in status(args.sweep_dir):
                print(f"{t.index:4d} {t.state:8s} {t.folder.name} {t.reason}")
                if t.log_tail:
                    print("\n".join("       | " + ln for ln in t.log_tail.splitlines()[-10:]))
        elif args.hpc_command == "export":
            print(export_folders([RunFolder(p.resolve()) for p in args.folders], args.out_dir, args.ranks))
    except SigdemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sigdem")
    add_parser(ap.add_subparsers(dest="command", required=True))
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
