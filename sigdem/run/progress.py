"""Progress of a running folder: the last row of its ``thermo.txt``, logged or shown as a tqdm bar."""

from __future__ import annotations

import logging
import threading

from sigdem.io.folder import RunFolder
from sigdem.run.session import tail_text

log = logging.getLogger(__name__)

#: Units of the thermo.txt columns shown as progress (LAMMPS units micro).
COLUMN_UNITS = {"time": "µs", "ztop": "µm", "zmax": "µm", "density": "g/cc", "f_top": "nN", "f_floor": "nN",
                "pressure_top": "kPa", "pressure_floor": "kPa", "ke_ratio": ""}


def format_row(row: dict, columns) -> str:
    """``time=115.5 µs density=1.32 g/cc``: 4 significant digits and the unit of each column."""
    parts = []
    for c in columns:
        if c in row:
            try:
                value = f"{float(row[c]):.4g}"
            except ValueError:
                value = row[c]
            unit = COLUMN_UNITS.get(c, "")
            parts.append(f"{c}={value}{' ' + unit if unit else ''}")
    return " ".join(parts)


class JobProgress:
    """Jobs done / total of a study or sweep, with elapsed time and an ETA (elapsed / done x remaining);
    a tqdm bar when ``bar``, else one log line per finished job."""

    def __init__(self, total: int, label: str = "jobs", bar: bool = False):
        import time

        self.total, self.label, self.done = total, label, 0
        self._clock = time.monotonic
        self._t0 = self._clock()
        self._bar = None
        if bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=" job", leave=False)

    def eta_s(self) -> float | None:
        if not self.done:
            return None
        return (self._clock() - self._t0) / self.done * (self.total - self.done)

    def step(self, what: str = "") -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
            return
        eta = self.eta_s()
        log.info("%s: %d/%d done%s, %.0f s elapsed, ETA %s", self.label, self.done, self.total,
                 f" ({what})" if what else "", self._clock() - self._t0,
                 f"{eta / 60:.1f} min" if eta is not None else "?")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


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
                text = format_row(row, self.columns)
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
