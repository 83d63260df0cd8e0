import pytest


@pytest.fixture
def workdir(tmp_path):
    """A run folder whose path is safe for LAMMPS decks."""
    return tmp_path
