import pytest

from sigdem.cli import main
from sigdem.psd import blend_from_text, paper_grades
from sigdem.errors import InputError


def test_doctor_reports_ready(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "GRANULAR yes" in out and "status         : ready" in out


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
