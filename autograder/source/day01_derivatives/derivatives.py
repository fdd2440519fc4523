# %% [markdown]
# # Day 1: Derivatives

# %% nbgrader={"grade_id": "setup", "locked": true}
import numpy as np
from calcopt.checks import check_close, check_type

# %% nbgrader={"grade_id": "forward_difference", "solution": true}
def forward_difference(f, x, h):
    """Forward difference (f(x + h) - f(x)) / h, a float."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x)) / h
    ### END SOLUTION

# %% nbgrader={"grade_id": "forward_difference_tests", "grade": true, "points": 2}
check_close("forward_difference(x**2, 1, 0.1)", forward_difference(lambda x: x**2, 1.0, 0.1), 2.1, rtol=1e-12)
print("visible checks passed")
### BEGIN HIDDEN TESTS
check_close("forward_difference(x**3, 2, 0.5)", forward_difference(lambda x: x**3, 2.0, 0.5), (2.5**3 - 8) / 0.5)
### END HIDDEN TESTS
