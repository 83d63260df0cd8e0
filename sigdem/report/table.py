"""Every claim of the paper evaluated on a :class:`~sigdem.studies.reproduce_collect.ReproduceResults`, in order."""

from __future__ import annotations

from sigdem.report.claims import ClaimRow
from sigdem.report.claims_calendering import CALENDERING_CLAIMS
from sigdem.report.claims_packing import PACKING_CLAIMS
from sigdem.report.claims_pellets import PELLET_CLAIMS

#: The claims, in the report's order: packing (Fig. 2a, tap density), calendering (Fig. 3, Si layer), pellets (Fig. 4).
CLAIMS = (*PACKING_CLAIMS, *CALENDERING_CLAIMS, *PELLET_CLAIMS)


def claims_table(results, claims=CLAIMS) -> list[ClaimRow]:
    """Each claim function of ``claims`` applied to ``results``."""
    return [claim(results) for claim in claims]
