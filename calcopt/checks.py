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
"""
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

# Exact types accepted as a real number; bool is deliberately not one of them.
SCALAR_TYPES = (float, int, np.float64, np.float32, np.float16,
                np.int64, np.int32, np.int16, np.int8)


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
    kind = type(value)
    if kind in SCALAR_TYPES:
        return _new_array(value, dtype=_float64)
    if kind is _ndarray and value.dtype.kind in "fiu":
        return _new_array(value, dtype=_float64, copy=True)
    raise AssertionError(
        f"{name}: expected a number or a NumPy array of numbers, got {kind.__name__} "
        f"{_describe(value)}")


def rel_error(a, b):
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``, a float."""
    a = _new_array(a, dtype=_float64)
    b = _new_array(b, dtype=_float64)
    with _errstate(invalid="ignore"):  # inf against inf is reported as nan, not warned
        err = _abs(a - b) / _maximum(1e-8, _abs(a) + _abs(b))
    return float(err.max()) if err.size else 0.0


def check_type(name, value, expected_type):
    """Fail unless ``type(value)`` is exactly ``expected_type`` (or one of a tuple of them)."""
    allowed = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    if type(value) not in allowed:
        names = " or ".join(t.__name__ for t in allowed)
        raise AssertionError(
            f"{name}: expected a value of type {names}, got {type(value).__name__} "
            f"{_describe(value)}")


def check_close(name, got, expected, *, rtol=1e-7, atol=0.0, dtype=None):
    """Fail unless ``got`` matches ``expected`` within ``atol + rtol * |expected|``.

    A scalar must answer a scalar and an array an array of the same shape; with ``dtype``
    given, an array answer must have exactly that dtype (float32 in, float32 out).
    """
    want = as_float64(f"{name} (the reference)", expected)
    have = as_float64(name, got)
    if want.ndim == 0 and have.ndim != 0:
        raise AssertionError(f"{name}: expected a single number, got an array of shape {have.shape}")
    if want.ndim != 0 and have.shape != want.shape:
        raise AssertionError(f"{name}: expected shape {want.shape}, got {have.shape}")
    if dtype is not None and type(got) is _ndarray and got.dtype != dtype:
        raise AssertionError(f"{name}: expected dtype {np.dtype(dtype)}, got {got.dtype}")
    bad_nan = _isnan(have) & ~_isnan(want)
    if bad_nan.any():
        raise AssertionError(f"{name}: got NaN where {float(_first(want, bad_nan))!r} was expected")
    tolerance = atol + rtol * _abs(want)
    off = ~(_abs(have - want) <= tolerance) & _isfinite(want)
    off |= _isfinite(have) != _isfinite(want)
    if off.any():
        index = _first_index(off)
        where = "" if have.ndim == 0 else f" at index {index if len(index) > 1 else index[0]}"
        raise AssertionError(
            f"{name}: expected {float(want[index])!r}{where}, got {float(have[index])!r} "
            f"(relative error {rel_error(have[index], want[index]):.2e}, "
            f"allowed rtol={rtol:g}, atol={atol:g})")


def check_true(name, condition, message):
    """Fail with ``message`` unless ``condition`` is the bool True (not merely truthy)."""
    if condition is not True and not (type(condition) is np.bool_ and bool(condition)):
        raise AssertionError(f"{name}: {message}")


def _first_index(mask):
    if mask.ndim == 0:
        return ()
    return tuple(int(i) for i in _unravel_index(_argmax(mask), mask.shape))


def _first(values, mask):
    return values[_first_index(mask)]
