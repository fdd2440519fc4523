"""The judge outside the kernel: records against the answer key, whatever the kernel sent."""
import nbformat
import numpy as np
import pytest

from calcopt.checks import RECORD_MIME, encode
from calcopt.instructor import verify
from calcopt.instructor.notebooks import SourceError


def expect_record(name, value, rtol=1e-7, atol=0.0, dtype=None):
    return {"check": "expect", "name": name, "value": encode(value), "dtype": dtype,
            "type": "builtins.float", "rtol": rtol, "atol": atol, "required_dtype": None}


def record_output(record):
    return nbformat.v4.new_output("display_data", data={RECORD_MIME: record})


def grade_cell(grade_id, records, extra_outputs=()):
    cell = nbformat.v4.new_code_cell("expect(...)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": 1}
    cell.outputs = [*map(record_output, records), *extra_outputs]
    return cell


KEY = {"ex_tests": [expect_record("ex(2)", 4.0, rtol=1e-6), expect_record("ex(3)", np.array([9.0, 1.0]))]}


def test_values_within_the_keys_tolerance_pass_and_others_fail():
    assert verify.verdict([expect_record("ex(2)", 4.000001), expect_record("ex(3)", np.array([9.0, 1.0]))],
                          KEY["ex_tests"]) is None
    problem = verify.verdict([expect_record("ex(2)", 4.1), expect_record("ex(3)", np.array([9.0, 1.0]))],
                             KEY["ex_tests"])
    assert "ex(2): expected 4.0, got 4.1" in problem


def test_the_tolerance_the_kernel_asks_for_is_ignored():
    forged = [expect_record("ex(2)", 0.0, rtol=1e9, atol=1e9), expect_record("ex(3)", np.zeros(2), atol=1e9)]
    assert verify.verdict(forged, KEY["ex_tests"]) is not None


def test_missing_extra_misnamed_and_damaged_records_fail_with_a_reason():
    good = [expect_record("ex(2)", 4.0), expect_record("ex(3)", np.array([9.0, 1.0]))]
    assert "stopped before hidden check 2 of 2" in verify.verdict(good[:1], KEY["ex_tests"])
    assert "3 checks ran where the test has 2" in verify.verdict(good + good[:1], KEY["ex_tests"])
    renamed = [dict(good[0], name="ex(5)"), good[1]]
    assert "did not run where it should have" in verify.verdict(renamed, KEY["ex_tests"])
    for damaged in ["not a record", {"check": "expect", "name": "ex(2)", "value": {"shape": [3], "data": "!!"}},
                    {"check": "expect", "name": "ex(2)"}, None]:
        assert verify.verdict([damaged, good[1]], KEY["ex_tests"]) is not None


def test_a_non_number_must_equal_the_reference_type_included():
    key = [{"check": "expect", "name": "label", "exact": "builtins.str:'minimum'"}]
    assert verify.verdict([{"check": "expect", "name": "label", "exact": "builtins.str:'minimum'"}], key) is None
    assert "expected 'minimum'" in verify.verdict(
        [{"check": "expect", "name": "label", "exact": "numpy.str_:np.str_('minimum')"}], key)
    assert verify.verdict([expect_record("label", 1.0)], key) is not None


def test_apply_key_strips_records_blocks_partial_credit_and_fails_unknown_tests():
    shown = nbformat.v4.new_output("execute_result", data={"text/plain": "1e9"}, execution_count=3)
    nb = nbformat.v4.new_notebook(cells=[
        grade_cell("ex_tests", [expect_record("ex(2)", 5.0), expect_record("ex(3)", np.array([9.0, 1.0]))], [shown]),
        grade_cell("unknown_tests", [expect_record("x", 1.0)]),
    ])
    failures = verify.apply_key(nb, KEY)
    assert set(failures) == {"ex_tests", "unknown_tests"}
    assert "has no test 'unknown_tests'" in failures["unknown_tests"]
    outputs = [o for cell in nb.cells for o in cell.outputs]
    assert not any(RECORD_MIME in o.get("data", {}) for o in outputs)
    assert not any(o.output_type == "execute_result" for o in outputs)
    assert [o.ename for o in outputs if o.output_type == "error"] == ["GradedOutsideKernel"] * 2
    nbformat.validate(nb)


def test_a_key_needs_an_expect_in_every_grade_cell_and_a_reference_that_passes():
    visible_only = {"check": "true", "name": "v", "value": True, "message": "m"}
    with pytest.raises(SourceError, match="no hidden test calling calcopt.checks.expect"):
        verify.build_key(nbformat.v4.new_notebook(cells=[grade_cell("a_tests", [visible_only])]), "day")
    failing = {"check": "true", "name": "v", "value": False, "message": "m"}
    with pytest.raises(SourceError, match="the reference fails check 1"):
        verify.build_key(nbformat.v4.new_notebook(cells=[grade_cell("a_tests", [failing])]), "day")
    key = verify.build_key(nbformat.v4.new_notebook(cells=[grade_cell("a_tests", KEY["ex_tests"])]), "day")
    assert key == {"a_tests": KEY["ex_tests"]}
