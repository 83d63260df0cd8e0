"""Checks of this machine and of the engine: ``sigdem doctor`` and ``sigdem verify`` (contacts against theory)."""
