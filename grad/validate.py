"""Checking arguments: the rules every public function of ``grad`` applies to numbers and sequences.

One place, so that ``Value(x)``, ``vsum``, the losses, the layers, ``gradcheck`` and the plots
accept the same things and word their errors the same way. Every error names the function and
the operand (``what``), as in ``"mse: preds must be a sequence (a list or a tuple), got set: {1}"``.

What counts as a number: ``int``, ``float`` and ``bool``, anything registered as
:class:`numbers.Real` (``fractions.Fraction``, numpy's float and int scalars), and numpy's
``bool_`` and 0-d real arrays (``np.array(2.0)``), which numpy does not register. Not a Value:
functions that take either check for Values first.

Example:
    >>> real(3, "lr"), real(True, "lr")
    (3.0, 1.0)
    >>> sequence([1, 2], "xs")
    (1, 2)
    >>> sequence({1, 2}, "mse: preds")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: mse: preds must be a sequence (a list or a tuple), got set: {1, 2} (a set has no order...
"""

from __future__ import annotations

import math
import operator
import reprlib
from collections.abc import Iterable, Mapping, MappingView, Set
from numbers import Real

__all__ = ["brief", "fmt", "fsum", "integer", "is_real", "real", "sequence", "show"]

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxfrozenset = _SHORT.maxdict = 6


def show(x: object) -> str:
    """``type: repr`` of ``x`` for an error message, at most about 80 characters whatever ``x`` is."""
    return f"{type(x).__name__}: {brief(x)}"


def brief(x: object) -> str:
    """``repr`` of ``x`` for an error message, at most about 80 characters whatever ``x`` is.

    Example:
        >>> brief(-1.5), brief(10**5000)    # repr() refuses an int of over 4,300 digits
        ('-1.5', '<an int of about 5001 digits>')
    """
    try:
        return _SHORT.repr(x)
    except ValueError:  # str() refuses ints of over 4,300 digits, alone or inside a container
        return f"<an int of about {_digits(x)} digits>" if isinstance(x, int) else f"<a {type(x).__name__}>"


def is_real(x: object) -> bool:
    """True for a real number that is not a Value: see the module's docstring."""
    if isinstance(x, Real):
        return not hasattr(x, "_prev")  # a Value-like object registered as Real is still a node
    if type(x).__module__ == "numpy":  # numpy's bool_ and 0-d arrays are not registered as Real
        kind = getattr(getattr(x, "dtype", None), "kind", None)
        return getattr(x, "ndim", None) == 0 and kind in ("b", "i", "u", "f")
    return False


def real(x: object, what: str) -> float:
    """``x`` as a float; a TypeError naming ``what`` if it is not a real number.

    An int (or a Fraction) too large for a float raises an OverflowError that names ``what`` and its size.
    """
    if type(x) is float:
        return x
    if not is_real(x):
        raise TypeError(f"{what} must be a real number (int or float), got {show(x)}")
    try:
        return float(x)
    except OverflowError:  # an int, or a Fraction such as Fraction(10**400, 3)
        kind = "an int" if isinstance(x, int) else f"a {type(x).__name__}"
        raise OverflowError(f"{what}: {kind} of about {_digits(x)} digits is too large for a float") from None


def integer(x: object, what: str) -> int:
    """``x`` as an int: an int, a NumPy integer or a 0-d integer array; a TypeError naming ``what`` else.

    A bool is refused here, though it is a real number: a size, a count or an index given as
    True is a slip, not a 1.

    Example:
        >>> integer(3, "n")
        3
        >>> integer(True, "MLP: nin")
        Traceback (most recent call last):
        TypeError: MLP: nin must be an int, got bool: True
    """
    kind = getattr(getattr(x, "dtype", None), "kind", "i")
    if not isinstance(x, bool) and is_real(x) and kind in ("i", "u"):
        try:
            return operator.index(x)
        except TypeError:  # a float or a Fraction
            pass
    raise TypeError(f"{what} must be an int, got {show(x)}")


def _digits(x: object) -> int:
    """The number of decimal digits of a huge int, without str(), which refuses ints of over 4,300 digits."""
    return int(int(x).bit_length() * math.log10(2)) + 1


def sequence(xs: object, what: str) -> tuple:
    """``xs`` as a tuple. A set or a mapping is refused (its order is not the caller's), so is a str."""
    if isinstance(xs, Set | Mapping | MappingView):
        raise TypeError(
            f"{what} must be a sequence (a list or a tuple), got {show(xs)} "
            f"(a {type(xs).__name__} has no order of its own)"
        )
    # is_real: a 0-d array is Iterable to isinstance, but is one number
    if isinstance(xs, str | bytes) or not isinstance(xs, Iterable) or is_real(xs):
        raise TypeError(f"{what} must be a sequence (a list or a tuple), got {show(xs)}")
    return tuple(xs)


def fsum(xs: Iterable[float]) -> float:
    """The correctly rounded sum when it is finite; IEEE like ``+`` with infinities or NaN, never an error.

    Example:
        >>> fsum([1e100, 1.0, -1e100]), fsum([float("inf"), 1.0])
        (1.0, inf)
    """
    xs = list(xs)
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):  # an overflowing partial sum, or inf - inf
        return sum(xs, 0.0)


def fmt(x: object) -> str:
    """A number for an error message: six significant digits (``repr`` for anything else, and the size
    of an int too large for a float, whose digits may be more than Python will print).

    >>> fmt(2 / 3), fmt("a"), fmt(10**400)
    ('0.666667', "'a'", 'an int of about 10**400, too large for a float')
    """
    try:
        return f"{x:.6g}"
    except OverflowError:
        return f"an int of about 10**{int(abs(x).bit_length() * math.log10(2))}, too large for a float"
    except (TypeError, ValueError):
        return repr(x)
