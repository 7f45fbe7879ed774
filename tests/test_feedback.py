"""al.exercises.check: helpful feedback that never gives the answer away."""

import astropy.units as u
import numpy as np
import pytest

from astrolab.exercises import check


def _msg(*args, **kwargs):
    return check(*args, verbose=False, **kwargs).message


def test_right_answers():
    assert check(1.3 * u.pc, 1.3012 * u.pc, verbose=False)
    assert check(4.24 * u.lyr, 1.3012 * u.pc, verbose=False)  # converted
    assert check(3, 3, rtol=0, verbose=False)
    assert check(np.array([1.0, 2.0]), [1.0, 2.0], verbose=False)
    assert check(" Spiral ", "spiral", verbose=False)


def test_prints_when_verbose(capsys):
    check(1, 2)
    assert "Not quite" in capsys.readouterr().out


@pytest.mark.parametrize("answer, expected, hint", [
    (1301.2 * u.pc, 1.3012 * u.pc, "10^+3"),
    (1.3012e-3 * u.pc, 1.3012 * u.pc, "10^-3"),
    (3 * u.s, 1.3 * u.pc, "should be a length, but it has units of time"),
    (1.3, 1.3 * u.pc, "has none"),
    (1.3 * u.pc, 1.3, "should be a plain number"),
    (-2.0, 2.0, "wrong sign"),
    (2.5, 2.0, "too large"),
    (2.0 * np.pi, 2.0, "factor of pi"),
    (np.degrees(0.5), 0.5, "degrees vs radians"),
    (1.95, 2.0, "slightly too small"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], "shape"),
    (float("nan"), 2.0, "NaN"),
    ("elliptical", "spiral", "try again"),
    (3, "spiral", "should be text"),
    ("three", 3.0, "should be a number"),
])
def test_hints(answer, expected, hint):
    message = _msg(answer, expected)
    assert message.startswith("Not quite") and hint in message, message


def test_single_element_arrays():
    assert check(np.array([1.0]), np.array([1.0]), verbose=False)
    message = _msg([1.5], [1.0])
    assert message.startswith("Not quite") and "too large" in message


def test_empty_name_and_dimensionless_expected():
    assert "Your answer is None" in _msg(None, 1, name="")
    assert check(0.5, 0.5 * u.dimensionless_unscaled, verbose=False)


def test_not_answered_yet_and_none():
    assert "Not answered yet" in _msg(..., 1.0, name="the period")
    assert "the period" in _msg(..., 1.0, name="the period")
    assert "None" in _msg(None, 1.0)


@pytest.mark.parametrize("expected", [1.3012, 8.05e-7, 31773.0, 12.508])
@pytest.mark.parametrize("factor", [0.5, 1.05, 3.0, 1000.0, -1.0])
def test_never_reveals_the_expected_value(expected, factor):
    message = _msg(expected * factor, expected)
    for form in (str(expected), f"{expected:.3g}", f"{expected:.2f}", f"{expected:.1e}"):
        assert form not in message, message


def test_tolerances():
    assert check(1.001, 1.0, rtol=1e-2, verbose=False)
    assert not check(1.001, 1.0, rtol=1e-4, verbose=False)
    assert check(0.001, 0.0, atol=0.01, verbose=False)
    assert check(1.0 * u.pc + 1 * u.au, 1.0 * u.pc, rtol=0, atol=2 * u.au, verbose=False)
    with pytest.raises(ValueError, match="rtol and atol"):
        check(1, 1, rtol=-1)


def test_feedback_object():
    good = check(1, 1, verbose=False)
    assert good and good.correct and str(good) == "Correct!"
    assert not check(1, 2, verbose=False)
