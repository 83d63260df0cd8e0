"""Studies: one-call, reproducible DEM experiments built from decks, runners and analyses."""
