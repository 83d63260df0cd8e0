"""The base of sigdem's analyses (freud's idea): build with parameters, ``compute(...)`` returns ``self``,
results are attributes, and reading one before ``compute`` raises :class:`~sigdem.errors.NotComputedError`.

A subclass (a plain mutable dataclass with a ``_res: dict`` field) names its results in ``RESULTS`` and
stores them with ``self._res = {...}`` inside ``compute``.
"""

from __future__ import annotations

from typing import ClassVar

from sigdem.errors import NotComputedError


class Compute:
    """Results named in ``RESULTS`` are read from ``self._res``; before ``compute`` they raise."""

    RESULTS: ClassVar[tuple[str, ...]] = ()

    def __getattr__(self, name):
        if name in type(self).RESULTS:
            res = self.__dict__.get("_res", {})
            if name not in res:
                raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
            return res[name]
        raise AttributeError(name)
