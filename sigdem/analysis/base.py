"""The base of sigdem's analyses (freud's idea): build with parameters, ``compute(...)`` returns ``self``,
results are attributes, and reading one before ``compute`` raises :class:`~sigdem.errors.NotComputedError`.

Two ways to hold results, one guard: a dataclass names its results in ``RESULTS`` and stores them as
``self._res = {...}`` (read as attributes), or a class stores them with ``self._store(...)`` and reads them
with ``self._get(name)`` (e.g. in properties).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sigdem.errors import NotComputedError


class Compute:
    """Results are read from ``self._res``; before ``compute`` stored them, reading one raises."""

    RESULTS: ClassVar[tuple[str, ...]] = ()

    @property
    def computed(self) -> bool:
        """Whether ``compute`` has run."""
        return bool(self.__dict__.get("_res"))

    def _store(self, **results: Any) -> None:
        self.__dict__["_res"] = dict(results)

    def _get(self, name: str) -> Any:
        res = self.__dict__.get("_res") or {}
        if name not in res:
            raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
        return res[name]

    def __getattr__(self, name):
        # a result property whose _get raised NotComputedError (an AttributeError) lands here too: raise it again
        if name in type(self).RESULTS or isinstance(getattr(type(self), name, None), property):
            return self._get(name)
        raise AttributeError(name)
