"""Wrong answers a plausible student writes, one module per notebook
(``<day>__<notebook>.py``, holding ``WRONG = {exercise id: code}``). Each must lose exactly its
exercise's points when graded as ``make grade`` grades (``tests/test_wrong_answers.py``). When a
review finds a wrong answer that earned points, it goes here once the tests catch it."""
