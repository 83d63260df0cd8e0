"""How a deck runs on this machine: render a run folder, execute it (in-process, ``lmp``, ``mpirun``/``srun``),
and the LAMMPS session wrapper."""
