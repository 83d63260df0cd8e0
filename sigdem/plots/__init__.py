"""Figures (matplotlib, Agg): PSDs, the ternary packing map, calendering cross-sections and curves."""
