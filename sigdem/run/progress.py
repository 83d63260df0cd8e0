"""Progress of a running folder: the last row of its ``thermo.txt``, logged or shown as a tqdm bar."""

from __future__ import annotations

import logging
import threading

from sigdem.io.folder import RunFolder
from sigdem.run.session import tail_text

log = logging.getLogger(__name__)


class ProgressWatcher:
    """Polls ``thermo.txt`` of a running folder and logs (or shows with tqdm) the last row."""

    def __init__(self, folder: RunFolder, columns: tuple[str, ...], interval_s: float = 2.0, bar: bool = False):
        self.path = folder.fn("thermo.txt")
        self.columns = columns
        self.interval_s = interval_s
        self.bar = bar
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _last_row(self) -> dict | None:
        text = tail_text(self.path, n_lines=40)
        header = None
        row = None
        for line in text.splitlines():
            if line.startswith("#"):
                header = line[1:].split()
            elif header and len(line.split()) == len(header):
                row = line.split()
        if header is None:  # header scrolled out of the tail: read the first line
            try:
                with open(self.path) as fh:
                    header = fh.readline()[1:].split()
            except OSError:
                return None
        return dict(zip(header, row)) if row and header else None

    def _loop(self):
        pbar = None
        if self.bar:
            from tqdm import tqdm

            pbar = tqdm(desc=self.path.parent.name, unit=" step", leave=False)
        last = None
        while not self._stop.wait(self.interval_s):
            row = self._last_row()
            if row and row != last:
                last = row
                text = " ".join(f"{c}={row.get(c)}" for c in self.columns if c in row)
                if pbar is not None:
                    pbar.n = int(float(row.get("step", 0)))
                    pbar.set_postfix_str(text)
                else:
                    log.info("%s step %s %s", self.path.parent.name, row.get("step"), text)
        if pbar is not None:
            pbar.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
