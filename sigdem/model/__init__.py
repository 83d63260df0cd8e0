"""The physics sigdem assumes: materials (with their sources) and contact mechanics (Hertz, mdr, time steps)."""
