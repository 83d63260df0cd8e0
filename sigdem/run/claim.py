"""Exclusive claim of a run folder: one process renders and runs it, the others wait and reuse it.

The claim is a :class:`filelock.FileLock` on ``<root>/.<folder name>.lock`` (beside the folder, so it
exists before the folder does). The kernel drops the lock when its holder dies, however it dies; so a
folder found ``running`` by a process that holds its claim was left by a dead run (killed, power cut)
and is run again, with a warning. The lock files stay (deleting a lock file races with its next user).

Locks are ``flock`` locks: exclusive between processes of one host, and across hosts only on file
systems whose ``flock`` is coherent (local disks; many NFS and Lustre setups are, check yours).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from sigdem.io.folder import RunFolder
from sigdem.run.child import pid_alive, process_cwd

log = logging.getLogger(__name__)


def lock_path(folder: RunFolder):
    return folder.path.parent / f".{folder.path.name}.lock"


@contextmanager
def claim(folder: RunFolder) -> Iterator[RunFolder]:
    """Hold the folder's lock for the block; wait (and say so) while another process holds it.

    Reentrant within a process (one lock object per path). On entry a ``running`` folder is stale and
    is :func:`recovered <recover_stale>`.
    """
    folder.path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(folder), is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        st = folder.status()
        log.info("%s is claimed by another process (pid %s on %s); waiting for it", folder.path.name,
                 st.get("pid", "?"), st.get("host", "?"))
        lock.acquire()
        log.info("%s: claim released by the other process; its state is now %r", folder.path.name, folder.state)
    try:
        if lock.lock_counter == 1:
            recover_stale(folder)
        yield folder
    finally:
        lock.release()


def recover_stale(folder: RunFolder) -> None:
    """Under the claim, a ``running`` folder belongs to a dead run: stop an orphaned ``lmp`` still in
    it (this host only) and mark the folder failed, so that it is run again."""
    st = folder.status()
    if st.get("state") != "running":
        return
    pid, host = st.get("pid"), st.get("host")
    here = host == socket.gethostname()
    why = (f"its process {pid} on {host} is gone" if here and pid and not pid_alive(pid)
           else f"its claim is free (process {pid} on {host})")
    log.warning("%s was left 'running' by a run that did not finish (%s); it will be run again",
                folder.path.name, why)
    child = st.get("child_pid")
    if here and child and pid_alive(child) and process_cwd(child) == folder.path:
        log.warning("%s: stopping the orphaned lmp process %s still running in it", folder.path.name, child)
        try:
            os.killpg(child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    folder.set_state("failed", reason=f"stale: {why}")
