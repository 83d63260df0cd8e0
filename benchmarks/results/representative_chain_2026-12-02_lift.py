"""Representative replicate 0 of one blend with the default (MDR_SCHEDULE) phases and a given lift speed."""
import logging, sys, time
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import Executable
from sigdem.studies.calendering import CalenderingStudy
from sigdem.studies.calendering_run import run_calendering
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st = CalenderingStudy(blend_from_text(sys.argv[1], paper_grades()), replicates=1, unload_speed_m_s=float(sys.argv[2]))
print(st.resettle_time_factor, st.hold_steps, st.relax_steps, st.lift_tail_speed_m_s, st.lift_speed_m_s)
t0 = time.perf_counter()
res = run_calendering(st, sys.argv[3] if len(sys.argv) > 3 else "sigdem-runs", Executable())
print(res.replicates[["springback", "unload"]] if "unload" in res.replicates else res.replicates["springback"])
print(f"{sys.argv[1]}: {time.perf_counter() - t0:.0f} s")
