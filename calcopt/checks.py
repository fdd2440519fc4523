"""Self-checks for the exercises: they say what is wrong, not just that something is.

Each check raises ``AssertionError`` with a message that names the exercise, what was
expected and what came back, so a learner can act on it and nbgrader records a failure.

The checks are written so that the code they judge cannot easily change their verdict:
- the NumPy and math functions they use are bound here, at import, before any learner
  code runs, so a notebook that later rebinds ``np.allclose`` or ``np.testing`` does not
  reach them;
- they never call ``==`` (or anything else) on the learner's object: its type is checked
  exactly, then its numbers are copied into a fresh float64 array and compared there.

Relative error follows the course convention: ``|a - b| / max(1e-8, |a| + |b|)``.

When grading, code in the kernel can still fool any check run there (it can rebind these
functions, or hide the error a check raises). So under the grader (``CALCOPT_RECORD=1`` in
the kernel's environment) every check also records what it was given, as a display output of
type ``RECORD_MIME``, and the grader judges those records outside the kernel against an answer
key, with ``compare_close`` and ``compare_equal`` below (``calcopt.instructor.verify``).
Hidden tests use ``expect``, which holds no answer at all: the key supplies it.
"""
import base64
import os

import numpy as np

# Bound at import: later rebinding of the public names does not affect these checks.
_new_array = np.array
_float64 = np.float64
_ndarray = np.ndarray
_isfinite = np.isfinite
_isnan = np.isnan
_abs = np.abs
_maximum = np.maximum
_argmax = np.argmax
_unravel_index = np.unravel_index
_errstate = np.errstate
_frombuffer = np.frombuffer
_dtype = np.dtype
_type, _len, _float, _repr, _str = type, len, float, repr, str
_tuple, _isinstance = tuple, isinstance

RECORD_MIME = "application/vnd.calcopt.check+json"
_recording = os.environ.get("CALCOPT_RECORD") == "1"
if _recording:
    from IPython.display import display as _display

# Exact types accepted as a real number; bool is deliberately not one of them.
SCALAR_TYPES = (float, int, np.float64, np.float32, np.float16,
                np.int64, np.int32, np.int16, np.int8)


def _record(check, name, **fields):
    if _recording:
        _display({RECORD_MIME: {"check": check, "name": _str(name), **fields}}, raw=True)


def encode(array):
    """A float64 array as JSON: its shape and its bytes in base64 (NaN and inf survive)."""
    array = _new_array(array, dtype=_float64)
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


def decode(encoded):
    data = base64.b64decode(encoded["data"])
    return _frombuffer(data, dtype=_float64).reshape(encoded["shape"]).copy()


def type_name(value):
    kind = _type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _describe(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_float64(name, value):
    """Copy a learner's scalar or array into a fresh float64 array.

    Raises AssertionError naming ``name`` when the value is not a real number or a
    NumPy array of real numbers (a list, a tensor, a string, an object with a clever
    ``__eq__`` ...). Tensors must be converted with ``.numpy()`` first, on purpose:
    the exercises state their return types.
    """
    problem = _not_a_number(name, value)
    if problem:
        raise AssertionError(problem)
    return _new_array(value, dtype=_float64, copy=True)


def _not_a_number(name, value):
    kind = _type(value)
    if kind in SCALAR_TYPES or (kind is _ndarray and value.dtype.kind in "fiu"):
        return None
    return (f"{name}: expected a number or a NumPy array of numbers, got {kind.__name__} "
            f"{_describe(value)}")


def rel_error(a, b):
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``, a float."""
    a = _new_array(a, dtype=_float64)
    b = _new_array(b, dtype=_float64)
    with _errstate(invalid="ignore"):  # inf against inf is reported as nan, not warned
        err = _abs(a - b) / _maximum(1e-8, _abs(a) + _abs(b))
    return _float(err.max()) if err.size else 0.0


def check_type(name, value, expected_type):
    """Fail unless ``type(value)`` is exactly ``expected_type`` (or one of a tuple of them)."""
    allowed = expected_type if _isinstance(expected_type, _tuple) else (expected_type,)
    _record("type", name, type=type_name(value),
            allowed=[f"{t.__module__}.{t.__qualname__}" for t in allowed])
    if _type(value) not in allowed:
        names = " or ".join(t.__name__ for t in allowed)
        raise AssertionError(
            f"{name}: expected a value of type {names}, got {_type(value).__name__} "
            f"{_describe(value)}")


def check_close(name, got, expected, *, rtol=1e-7, atol=0.0, dtype=None):
    """Fail unless ``got`` matches ``expected`` within ``atol + rtol * |expected|``.

    A scalar must answer a scalar and an array an array of the same shape; with ``dtype``
    given, an array answer must have exactly that dtype (float32 in, float32 out).
    """
    want = as_float64(f"{name} (the reference)", expected)
    problem = _not_a_number(name, got)
    got_dtype = _str(got.dtype) if _type(got) is _ndarray else None
    required = None if dtype is None else _str(_dtype(dtype))
    if problem:
        _record("close", name, problem=problem)
        raise AssertionError(problem)
    have = _new_array(got, dtype=_float64, copy=True)
    _record("close", name, value=encode(have), dtype=got_dtype, expected=encode(want),
            rtol=rtol, atol=atol, required_dtype=required)
    problem = compare_close(name, have, want, rtol=rtol, atol=atol, dtype=got_dtype,
                            required_dtype=required)
    if problem:
        raise AssertionError(problem)


def compare_close(name, have, want, *, rtol, atol, dtype=None, required_dtype=None):
    """Why float64 arrays ``have`` and ``want`` differ beyond tolerance, or None if they agree."""
    if want.ndim == 0 and have.ndim != 0:
        return f"{name}: expected a single number, got an array of shape {have.shape}"
    if want.ndim != 0 and have.shape != want.shape:
        return f"{name}: expected shape {want.shape}, got {have.shape}"
    if required_dtype is not None and dtype is not None and dtype != required_dtype:
        return f"{name}: expected dtype {required_dtype}, got {dtype}"
    bad_nan = _isnan(have) & ~_isnan(want)
    if bad_nan.any():
        return f"{name}: got NaN where {_float(_first(want, bad_nan))!r} was expected"
    with _errstate(invalid="ignore", over="ignore"):  # inf * 0 and inf - inf are not news
        tolerance = atol + rtol * _abs(want)
        off = ~(_abs(have - want) <= tolerance) & _isfinite(want)
    off |= _isfinite(have) != _isfinite(want)
    if off.any():
        index = _first_index(off)
        where = "" if have.ndim == 0 else f" at index {index if _len(index) > 1 else index[0]}"
        with _errstate(invalid="ignore", over="ignore"):
            gap = _float(_abs(have[index] - want[index]))
        # The gap against what the tolerance allows there, in the tolerance's own terms.
        return (f"{name}: expected {_float(want[index])!r}{where}, got {_float(have[index])!r} "
                f"(off by {gap:.2e}; allowed atol + rtol*|expected| = {_float(tolerance[index]):.2e} "
                f"with rtol={rtol:g}, atol={atol:g})")
    return None


def exact(value):
    """``value`` as ``"type:repr"``: what an exact comparison compares."""
    return f"{type_name(value)}:{_repr(value)}"


def check_equal(name, got, expected):
    """Fail unless ``got`` is exactly ``expected``: same type and equal value (strings, ints,
    tuples of them...). Compared by ``repr``, never by the learner's ``==``."""
    _record("equal", name, value=exact(got), expected=exact(expected))
    problem = compare_equal(name, exact(got), exact(expected))
    if problem:
        raise AssertionError(problem)


def compare_equal(name, have, want):
    """Why the ``type:repr`` strings ``have`` and ``want`` differ, or None."""
    if have == want:
        return None
    return f"{name}: expected {want.split(':', 1)[1]}, got {_describe(have.split(':', 1)[1])}"


def expect(name, got, *, rtol=1e-7, atol=0.0, dtype=None):
    """Hand ``got`` to the grader, to be compared outside the kernel with what the reference
    solution gives on the same input (the answer key), within ``atol + rtol * |reference|``.

    Hidden tests use this instead of ``check_close``: the answer never exists in the kernel,
    so nothing running there can copy it. Numbers and NumPy arrays are compared with the
    tolerances (and ``dtype``, if given); anything else (a str, a bool, a tuple of ints ...)
    must equal the reference exactly, type included. Checks nothing in the kernel.
    """
    if _not_a_number(name, got) is None:
        got_dtype = _str(got.dtype) if _type(got) is _ndarray else None
        required = None if dtype is None else _str(_dtype(dtype))
        _record("expect", name, value=encode(got), dtype=got_dtype, type=type_name(got),
                rtol=rtol, atol=atol, required_dtype=required)
    else:
        _record("expect", name, exact=exact(got))


HIDDEN_SEED_VARIABLE = "CALCOPT_HIDDEN_SEED"


def hidden_rng(stream):
    """The random generator for one hidden test: ``stream`` (an int) names the test, and the
    course's hidden seed, which the grader passes in ``CALCOPT_HIDDEN_SEED``, mixes in.

    The seed lives outside the repository (``autograder/hidden_seed``, git-ignored, chosen once
    per term), so the hidden inputs cannot be read from the public sources and their answers
    cannot be computed in advance. Without it (a full notebook run at home) the seed is 0.
    """
    seed = int(os.environ.get(HIDDEN_SEED_VARIABLE) or 0)
    return np.random.default_rng([seed, int(stream)])


def check_true(name, condition, message):
    """Fail with ``message`` unless ``condition`` is the bool True (not merely truthy)."""
    passed = condition is True or (_type(condition) is np.bool_ and condition.item() is True)
    _record("true", name, value=passed, message=_str(message))
    if not passed:
        raise AssertionError(f"{name}: {message}")


def _first_index(mask):
    if mask.ndim == 0:
        return ()
    return _tuple(int(i) for i in _unravel_index(_argmax(mask), mask.shape))


def _first(values, mask):
    return values[_first_index(mask)]
