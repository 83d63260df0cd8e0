"""Input checks shared by every module, and the only way values are written into decks.

LAMMPS input has ``shell``, ``python`` and ``include`` commands and ``$(...)``/``${...}``
substitution, so no user text may reach a deck unchecked. Numbers are written by
:func:`format_number`; names must be plain identifiers (:func:`check_name`); paths must be
made of safe characters (:func:`check_safe_path`).
"""

from __future__ import annotations

import math
import numbers
import os
import re
import tempfile
from pathlib import Path

from sigdem.errors import InputError

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
# Letters, digits and . _ - + / only: no whitespace, quotes, $, #, &, ;, or newline.
SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9_./+-]+$")


def check_name(field: str, value: str) -> str:
    """Refuse anything but a plain identifier (names can reach LAMMPS decks)."""
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise InputError(
            field,
            f"{value!r} is not allowed: use 1-32 letters, digits or '_', starting with a letter or '_'",
        )
    return value


def _fmt_range(lo, hi, lo_open, hi_open) -> str:
    return f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


def check_range(field: str, value, lo: float, hi: float, *, lo_open=False, hi_open=False) -> float:
    """Return ``value`` as float if it is a finite real number in the range, else raise InputError."""
    rng = _fmt_range(lo, hi, lo_open, hi_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(field, f"{value!r} is not a number; allowed range {rng}")
    v = float(value)
    if math.isnan(v):
        raise InputError(field, f"NaN is not allowed; allowed range {rng}")
    below = v <= lo if lo_open else v < lo
    above = v >= hi if hi_open else v > hi
    if below or above:
        raise InputError(field, f"{v!r} is outside the allowed range {rng}")
    return v


def check_int(field: str, value, lo: int, hi: int) -> int:
    """Return ``value`` as int if it is an integer in [lo, hi], else raise InputError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(field, f"{value!r} is not an integer; allowed range [{lo}, {hi}]")
    if not lo <= int(value) <= hi:
        raise InputError(field, f"{value!r} is outside the allowed range [{lo}, {hi}]")
    return int(value)


def format_number(value, field: str = "value") -> str:
    """The text of a number for a LAMMPS deck: ints as ints, floats with full precision."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(field, f"{value!r} is not a number")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    v = float(value)
    if not math.isfinite(v):
        raise InputError(field, f"{v!r} is not a finite number")
    return repr(v)


def check_safe_path(field: str, path: str | Path) -> Path:
    """A path whose text can be written into a deck or a -var argument safely."""
    text = str(path)
    if not SAFE_PATH_RE.fullmatch(text) or text.startswith("-"):
        raise InputError(
            field,
            f"{text!r} is not allowed in a LAMMPS deck: use only letters, digits and . _ - + / "
            "(no spaces, quotes, $, #, &, ; or newlines)",
        )
    return Path(text)


def format_var(field: str, value) -> str:
    """Text for a ``-var`` / ``variable index`` value: a number, a name, or a safe path."""
    if isinstance(value, (str, Path)) and not isinstance(value, bool):
        text = str(value)
        if NAME_RE.fullmatch(text):
            return text
        return str(check_safe_path(field, text))
    return format_number(value, field)


def check_number(field: str, value, lo: float = -math.inf, hi: float = math.inf, *,
                 lo_open: bool = False, hi_open: bool = False) -> float:
    """``value`` as a float if it is a finite real number in the range, else :class:`InputError`
    naming the field, the value and the allowed range."""
    rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field, f"{value!r} is not a number; allowed {rng}") from None
    if isinstance(value, bool) or not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo) \
            or (hi_open and v == hi):
        raise InputError(field, f"{value!r} outside the allowed range {rng}")
    return v


def require_columns(field: str, table, columns) -> None:
    """:class:`InputError` naming ``field`` unless the table has every column."""
    missing = [c for c in columns if c not in table]
    if missing:
        raise InputError(field, f"needs the column(s) {', '.join(missing)}")


def check_instance(field: str, value, cls, allowed: str | None = None):
    """``value`` if it is a ``cls``, else :class:`InputError` naming what was given and what is allowed."""
    if not isinstance(value, cls):
        want = allowed or f"a {cls.__module__}.{cls.__name__}"
        raise InputError(field, f"got {type(value).__name__} {value!r:.60}; allowed: {want}")
    return value


#: Display names (grades): letters, digits, '_', '.', '+', '-' (e.g. ``SiG-1``); they never reach a deck
#: as they are: a deck gets :func:`safe_identifier` of them.
DISPLAY_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,39}$")


def check_display_name(field: str, value) -> str:
    """A name shown to users and kept in params.json (e.g. ``SiG-1``); refused if it has other characters."""
    if not isinstance(value, str) or not DISPLAY_NAME_RE.fullmatch(value):
        raise InputError(field, f"{value!r} is not allowed: use 1-40 letters, digits or _ . + - "
                         "(starting with a letter, digit or '_'; no spaces, quotes, $, #, &, ;)")
    return value


def safe_identifier(text: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A plain identifier for ``text`` (e.g. a LAMMPS type label): other characters become '_', a leading
    digit gets 'g_', and a clash with ``taken`` gets a numeric suffix. Always matches :data:`NAME_RE`."""
    s = re.sub(r"[^A-Za-z0-9_]", "_", str(text))[:28] or "_"
    if not (s[0].isalpha() or s[0] == "_"):
        s = "g_" + s
    out, k = s, 2
    while out in taken:
        out, k = f"{s}_{k}", k + 1
    return check_name("identifier", out)


def relative_deck_path(path: str | Path) -> str | None:
    """Text of a folder for a deck variable (e.g. ``dir``): its path relative to the current folder if that
    is safe (:data:`SAFE_PATH_RE`), else its absolute path if that is, else None."""
    p = Path(path).resolve()
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive (Windows)
        rel = str(p)
    for text in (rel, str(p)):
        if SAFE_PATH_RE.fullmatch(text) and not text.startswith("-"):
            return text
    return None


def deck_path(field: str, path: str | Path) -> str:
    """:func:`relative_deck_path` or :class:`InputError` (runners then run LAMMPS inside the folder instead)."""
    text = relative_deck_path(path)
    if text is None:
        raise InputError(field, f"{str(Path(path).resolve())!r} has characters other than letters, digits and "
                         ". _ - + / both as an absolute path and relative to the current folder; allowed: such "
                         "characters only, in a path that reaches a LAMMPS variable")
    return text


def check_root(field: str, path: str | Path, *, create: bool = True) -> Path:
    """A folder for run folders: any existing or creatable directory we may write into, whatever its
    characters (its path never enters a deck; see :func:`deck_path`). ``create=False`` checks only."""
    if not isinstance(path, (str, Path)) or not str(path) or "\x00" in str(path):
        raise InputError(field, f"{path!r} is not allowed; allowed: a path of a writable directory")
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise InputError(field, f"{str(p)!r} is a file; allowed: an existing or creatable directory")
    probe = p
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(field, f"{str(p)!r} cannot be created: {str(probe)!r} is a file; allowed: an existing "
                         "or creatable directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(field, f"{str(p)!r}: no permission to write in {str(probe)!r}; allowed: a directory you "
                         "can write to")
    if create:
        try:
            p.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=p):
                pass
        except OSError as exc:
            raise InputError(field, f"{str(p)!r} cannot be created or written ({exc.strerror or exc}); allowed: "
                             "an existing or creatable directory you can write to") from None
    return p


def check_cluster_flags(args) -> None:
    """The cluster options of a command line (``submit``, ``collect``, ``profile``, ``pretend``, ``resubmit_failed``,
    ``dry_run``; absent ones count as off) make sense together: one of submit, collect and dry run at most, and the
    submit-only options only with ``--submit``."""
    on = [name for name in ("submit", "collect", "dry_run") if getattr(args, name, False)]
    if len(on) > 1:
        flags = " and ".join(f"--{n.replace('_', '-')}" for n in on)
        raise InputError(on[-1], f"{flags} together; allowed: one of them")
    if not getattr(args, "submit", False):
        for name in ("profile", "pretend", "resubmit_failed"):
            if getattr(args, name, None):
                raise InputError(name, f"--{name.replace('_', '-')} without --submit; allowed: only with --submit")
