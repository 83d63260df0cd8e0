"""Files of a run folder: its name, status and parameters on disk, and the LAMMPS outputs read back
(dumps, thermo and ``fix print`` tables, logs, data files)."""
