"""calcopt.checks: clear messages, and verdicts that learner code cannot easily bend."""
import numpy as np
import pytest

from calcopt import checks


def test_close_values_pass_and_far_values_fail_with_a_message_naming_the_exercise():
    checks.check_close("ex", 1.0, 1.0 + 1e-9, rtol=1e-6)
    with pytest.raises(AssertionError, match=r"^ex: expected 2.5, got 2.0"):
        checks.check_close("ex", 2.0, 2.5)


def test_array_answers_are_checked_for_shape_and_reported_at_the_first_bad_index():
    with pytest.raises(AssertionError, match="expected shape"):
        checks.check_close("ex", np.zeros(3), np.zeros(4))
    with pytest.raises(AssertionError, match="at index 1"):
        checks.check_close("ex", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0]))
    with pytest.raises(AssertionError, match="single number"):
        checks.check_close("ex", np.array([1.0]), 1.0)


@pytest.mark.parametrize("answer", [[1.0], "1.0", None, True, object()])
def test_values_of_the_wrong_type_are_rejected(answer):
    with pytest.raises(AssertionError, match="expected a number or a NumPy array"):
        checks.check_close("ex", answer, 1.0)


def test_an_object_equal_to_everything_does_not_pass():
    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    with pytest.raises(AssertionError):
        checks.check_close("ex", AlwaysEqual(0.0), 1.0)


def test_nan_and_inf_are_failures(monkeypatch):
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_close("ex", np.array([np.nan]), np.array([1.0]))
    with pytest.raises(AssertionError):
        checks.check_close("ex", np.inf, 1.0)


def test_patching_numpy_after_import_does_not_change_the_verdict(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "abs", lambda x: np.zeros_like(x))
    with pytest.raises(AssertionError):
        checks.check_close("ex", 2.0, 3.0)


def test_dtype_is_enforced_when_asked():
    checks.check_close("ex", np.ones(2, np.float32), np.ones(2), dtype=np.float32)
    with pytest.raises(AssertionError, match="dtype float32"):
        checks.check_close("ex", np.ones(2), np.ones(2), dtype=np.float32)


def test_rel_error_follows_the_course_convention():
    assert checks.rel_error(1.0, 1.0) == 0.0
    assert checks.rel_error(0.0, 0.0) == 0.0
    assert checks.rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert checks.rel_error([1.0, 0.0], [1.0, 1e-9]) == pytest.approx(1e-9 / 1e-8)


def test_check_type_is_exact_and_check_true_wants_a_real_bool():
    checks.check_type("ex", 1.0, float)
    with pytest.raises(AssertionError, match="type float"):
        checks.check_type("ex", np.float64(1.0), float)
    checks.check_true("ex", np.bool_(True), "msg")
    with pytest.raises(AssertionError, match="msg"):
        checks.check_true("ex", 1, "msg")
