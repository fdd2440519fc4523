"""Judge the checks of a graded notebook outside its kernel, against an answer key.

Under the grader every check of ``calcopt.checks`` records what it was given (a display output
of type ``RECORD_MIME``). The answer key is the list of records of each grade cell when the
reference notebook (solutions and hidden tests) ran in a clean kernel. A submission's grade cell
passes only if its records match the key's, one by one, compared here with the key's
expected values and tolerances: nothing that runs in the submission's kernel (a patched NumPy,
patched builtins, a patched ``calcopt.checks``, an object whose ``==`` is always true, a hidden
traceback) takes part in the comparison. To pass, the submission's code has to produce the
right values.
"""
import json

import nbformat

from ..checks import RECORD_MIME, compare_close, compare_equal, decode
from .notebooks import SourceError


def take_records(cell):
    """Remove the check records from ``cell``'s outputs and return them, in order."""
    records, kept = [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
        if RECORD_MIME in data:
            records.append(data.pop(RECORD_MIME))
            if not any(key != "text/plain" for key in data):
                continue  # nothing else to show
        kept.append(output)
    cell["outputs"] = kept
    return records


def grade_cells(nb):
    return [cell for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")]


def build_key(nb, name):
    """The answer key of the executed reference notebook ``nb``: {grade_id: [record, ...]}.

    Every grade cell must record at least one check, and every check must pass: a key
    built from a failing reference would fail every student."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise SourceError(f"{name}: the reference fails in cell {index + 1}: "
                                  f"{output.get('ename')}: {output.get('evalue')}")
    key = {}
    for cell in grade_cells(nb):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        records = take_records(cell)
        if not records:
            raise SourceError(f"{name}: grade cell {grade_id!r} runs no check of calcopt.checks, "
                              "so it cannot be graded outside the kernel")
        for index, record in enumerate(records):
            problem = judge(record, record)
            if problem:
                raise SourceError(f"{name}: the reference fails check {index + 1} of {grade_id!r}: {problem}")
        if not any(record["check"] == "expect" for record in records):
            raise SourceError(f"{name}: grade cell {grade_id!r} has no hidden test calling "
                              "calcopt.checks.expect, so its answers could be copied in the kernel")
        key[grade_id] = records
    return key


def judge(record, expected):
    """Why ``record`` (from a submission) does not match ``expected`` (from the key), or None."""
    name = expected["name"]
    if not isinstance(record, dict) or record.get("check") != expected["check"] or record.get("name") != name:
        return f"check {name!r} did not run where it should have"
    check = expected["check"]
    if check == "close":
        if "problem" in record:
            return str(record["problem"])
        return compare_close(name, decode(record["value"]), decode(expected["expected"]),
                             rtol=expected["rtol"], atol=expected["atol"], dtype=record.get("dtype"),
                             required_dtype=expected.get("required_dtype"))
    if check == "type":
        if record["type"] in expected["allowed"]:
            return None
        return f"{name}: expected a value of type {' or '.join(expected['allowed'])}, got {record['type']}"
    if check == "equal":
        return compare_equal(name, str(record["value"]), expected["expected"])
    if check == "expect":
        return _judge_expect(name, record, expected)
    if check == "true":
        return None if record["value"] is True else f"{name}: {expected['message']}"
    return f"unknown check {check!r}"


def _judge_expect(name, record, expected):
    """A hidden test's value against the reference's: numbers within the key's tolerance,
    anything else exactly."""
    if "exact" in expected:
        return compare_equal(name, str(record.get("exact", f"{record.get('type')}:<a number>")),
                             expected["exact"])
    if "value" not in record:
        return f"{name}: expected a number or a NumPy array, got {str(record.get('exact'))[:80]}"
    return compare_close(name, decode(record["value"]), decode(expected["value"]),
                         rtol=expected["rtol"], atol=expected["atol"], dtype=record.get("dtype"),
                         required_dtype=expected.get("required_dtype"))


HIDDEN = "hidden check"  # how a hidden test's failure starts; feedback shows no more of it


def verdict(records, expected):
    """Why a grade cell whose checks recorded ``records`` fails against the key, or None.
    A hidden test's failure reads ``hidden check <k> of <n> failed: <why>``."""
    for index, want in enumerate(expected):
        hidden = want["check"] == "expect"
        if index >= len(records):
            what = f"{HIDDEN} {index + 1}" if hidden else f"check {index + 1} ({want['name']})"
            return f"the test stopped before {what} of {len(expected)} could run"
        try:
            problem = judge(records[index], want)
        except Exception as error:  # a forged or damaged record
            problem = f"check {want['name']!r} left an unreadable record ({type(error).__name__})"
        if problem:
            return f"{HIDDEN} {index + 1} of {len(expected)} failed: {problem}" if hidden else problem
    if len(records) > len(expected):
        return f"{len(records)} checks ran where the test has {len(expected)}"
    return None


def failure_output(message):
    return nbformat.v4.new_output(
        "error", ename="GradedOutsideKernel", evalue=message,
        traceback=[f"GradedOutsideKernel: {message}"])


def apply_key(nb, key):
    """Strip the records from every cell of a graded notebook; a grade cell whose records do
    not match the key gets an error output, so nbgrader gives it no points. Returns
    {grade_id: problem} for the cells that failed here."""
    failures = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        records = take_records(cell)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        for output in cell.outputs:  # nbgrader reads a number shown last as partial credit
            if output.get("output_type") == "execute_result":
                output["output_type"] = "display_data"
                output.pop("execution_count", None)
        if grade_id in key:
            problem = verdict(records, key[grade_id])
        else:  # fail closed: a test the key does not know cannot be judged
            problem = f"the answer key has no test {grade_id!r}"
        raised = [o for o in cell.outputs if o.get("output_type") == "error"]
        if problem and raised and "stopped before" in problem:  # say what stopped it
            problem += f", after {raised[0].get('ename')}: {str(raised[0].get('evalue'))[:200]}"
        if problem:
            failures[grade_id] = problem
            cell.outputs.append(failure_output(problem))
    return failures


def load_key(path):
    with open(path) as file:
        return json.load(file)
