"""Regenerate the golden settle deck files (run by hand, then review the diff before committing).

    python tests/data/golden/regenerate.py
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tests/, for tiny_deck

from test_deck import tiny_deck  # noqa: E402

from sigdem.run import runners  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    folder = runners.render(tiny_deck(), tmp)
    for name, golden in (("in.lmp", "settle_in.lmp"), ("particles.data", "settle_particles.data")):
        (HERE / golden).write_text(folder.fn(name).read_text().replace(folder.job, "<job>"))
        print("wrote", HERE / golden)
