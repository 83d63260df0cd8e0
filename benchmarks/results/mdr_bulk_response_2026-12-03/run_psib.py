"""Representative calender replicate 0 of one blend at the study's defaults, except mdr's psi_b (bulk response threshold).
usage: run_psib.py BLEND PSI_B ROOT [REPLICATES]  (replicates already done under ROOT are reused)"""
import logging, sys, time
from sigdem.model.contact import MdrContact
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import Executable
from sigdem.studies.calendering import CalenderingStudy, CALENDER_MDR_TIMESTEP_FRACTION
from sigdem.studies.calendering_run import run_calendering
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
blend, psi_b, root = sys.argv[1], float(sys.argv[2]), sys.argv[3]
replicates = int(sys.argv[4]) if len(sys.argv) > 4 else 1
st = CalenderingStudy(blend_from_text(blend, paper_grades()), replicates=replicates,
                      contact=MdrContact(timestep_fraction=CALENDER_MDR_TIMESTEP_FRACTION, psi_b=psi_b))
t0 = time.perf_counter()
res = run_calendering(st, root, Executable())
print(res.replicates.to_string())
print(f"{blend} psi_b={psi_b}: {time.perf_counter() - t0:.0f} s")
