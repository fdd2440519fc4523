"""Wrong answers lose their points, graded exactly as `make grade` grades (hidden tests and
the answer key included), and the other exercises of the same run keep theirs: each module of
``tests/wrong_answers`` is one run of its notebook with every one of its wrong answers in
(``<day>__<notebook>.py``; a further run of the same notebook, for a second wrong answer to an
exercise, is ``<day>__<notebook>_2.py``, then ``_3``...)."""
import importlib
import re
from pathlib import Path

import pytest

from calcopt.instructor.tryanswer import try_answers
from conftest import AUTOGRADER

pytestmark = pytest.mark.slow

CATALOGUE = sorted(p.stem for p in (Path(__file__).parent / "wrong_answers").glob("day*__*.py"))


@pytest.mark.parametrize("module", CATALOGUE)
def test_every_wrong_answer_loses_its_points_and_only_those(module):
    day, notebook = module.split("__")
    source = AUTOGRADER / "source" / day / f"{notebook}.py"
    if not source.exists():  # a further run: <notebook>_2, <notebook>_3...
        source = source.with_name(re.sub(r"_\d+$", "", notebook) + ".py")
    wrong = importlib.import_module(f"wrong_answers.{module}").WRONG
    results = try_answers(source, wrong)
    for grade_id, (earned, points, problem) in results.items():
        exercise = grade_id.removesuffix("_tests")
        if exercise in wrong:
            assert earned == 0, f"{module}: the wrong {exercise} earned {earned} of {points} points"
        else:
            assert earned == points, f"{module}: the right {exercise} lost its points: {problem}"
