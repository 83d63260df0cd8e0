"""One blend at the calendering study defaults (3 replicates, mdr):  python run_blend.py small=1.0 <root>"""
import logging, sys, time
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import Executable
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy  # the phases these runs had
from sigdem.studies.calendering_run import run_calendering

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st = CalenderingStudy(blend_from_text(sys.argv[1], paper_grades()), **LONG_SCHEDULE)
t0 = time.perf_counter()
res = run_calendering(st, sys.argv[2] if len(sys.argv) > 2 else "runs/rep", Executable())
logging.info("%s: %.0f s", sys.argv[1], time.perf_counter() - t0)
