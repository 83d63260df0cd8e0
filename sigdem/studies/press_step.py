"""A press stage (calender, pellet) of one replicate as a deck *recipe*: the press starts from the replicate's
settled bed, so its deck is built by ``build_deck`` once the settle folder is done (a Slurm task after its
settle task, :func:`sigdem.hpc.sweep.submit_chain`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sigdem.deck import Deck
from sigdem.io.folder import RunFolder
from sigdem.run.runners import folder_of


@dataclass(frozen=True, slots=True)
class PressStep:
    """``study``: a study with ``settle_deck(replicate)``; ``root``: the folder its run folders live in.
    Subclasses name their stage (``stage``) and build the press deck from the done settle folder."""

    study: Any
    replicate: int
    root: str
    stage: ClassVar[str] = "press"

    @property
    def start(self) -> RunFolder:
        return folder_of(self.study.settle_deck(self.replicate), self.root)

    @property
    def step_id(self) -> str:
        return f"{self.stage}-of-{self.start.job}"

    def build_deck(self, root: Path | str) -> Deck | None:
        raise NotImplementedError
