"""Run sigdem's folders on a Slurm cluster: one job array per sweep, chained stages by dependency.

- :mod:`.profile`: cluster profiles (TOML) validated before anything reaches a batch script;
- :mod:`.script`: the batch script from ``templates/slurm.sh.j2``;
- :mod:`.slurm`: ``sbatch`` / ``squeue`` / ``sacct`` as argv lists, pure parsers of their output;
- :mod:`.task`: what one array task runs (``python -m sigdem.hpc.task``);
- :mod:`.sweep`: submit a sweep or a settle → calender chain, and report its status;
- :mod:`.export`: folders plus plain shell scripts that run them without Python.
"""

from .profile import ClusterProfile, load_profile, local_profile

__all__ = ["ClusterProfile", "load_profile", "local_profile"]
