import pytest

from sigdem.cli import main
from sigdem.psd import blend_from_text, paper_grades
from sigdem.errors import InputError


def test_doctor_reports_ready(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "GRANULAR yes" in out and "status         : ready" in out


def test_doctor_names_the_float_math_that_numpy_uses_here(capsys):
    """NumPy's float64 exp and log agree with glibc's (Python's math) to the bit unless NumPy uses its AVX-512 code
    (numpy/numpy#23523); doctor says which, and on this machine the bits say the same."""
    import math

    import numpy as np

    from sigdem.checks.doctor import numpy_avx512

    x = np.random.default_rng(1).uniform(-20.0, 20.0, 20_000)
    same = (np.array_equal(np.exp(x), [math.exp(v) for v in x])
            and np.array_equal(np.log(np.abs(x)), [math.log(abs(v)) for v in x]))
    assert same is (not numpy_avx512())
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert ("NumPy's AVX-512 float64 math" if numpy_avx512() else "glibc's float64 math") in out


def test_parse_blend_paper_grades():
    b = blend_from_text("large=0.5,small=0.5", paper_grades())
    assert dict(zip(b.grade_names, b.mass_fractions)) == {"large": 0.5, "middle": 0.0, "small": 0.5}


@pytest.mark.parametrize("bad", ["large=0.5;shell ls", "large=abc", "large", "huge=1.0", "$(x)=1", "large=0.7,small=0.7"])
def test_bad_blend_strings_refused(bad):
    with pytest.raises(InputError):
        blend_from_text(bad, paper_grades())


def test_cli_turns_input_errors_into_a_message(capsys):
    assert main(["pack", "--blend", "large=2", "--root", "x y"]) == 2
    assert "sigdem: error" in capsys.readouterr().err
