"""Pretend to be a machine with a different C math library, to catch outputs that depend on it.

``make nbval-portable`` puts this folder on PYTHONPATH, so every Python process it starts, the
notebook kernels included, imports this module at start-up. It moves the result of each
transcendental function in ``math`` by one unit in the last place, up or down or not at all,
depending on the argument (a fixed function of its bits, so the same in every run), as another
platform's libm may (glibc, musl, macOS and Windows disagree in the last bit of exp, log, tanh,
sin, ...). A stored output that still matches was not printing the last bits of one libm.

Results that every libm gets exactly right are left alone: infinities, zeros, and the exact
values at special points (exp(0) = 1, log(1) = 0, tanh(0) = 0, ...). Python's ``**`` and numpy's
functions are not covered.
"""

import math

_NAMES = (
    "exp",
    "expm1",
    "log",
    "log1p",
    "log2",
    "log10",
    "tanh",
    "sinh",
    "cosh",
    "sin",
    "cos",
    "tan",
    "atan",
    "atanh",
    "asinh",
    "acosh",
    "erf",
    "erfc",
)


def _one_ulp_off(fn):
    def perturbed(*args):
        y = fn(*args)
        if y == 0.0 or not math.isfinite(y) or y in (1.0, -1.0) or any(a == 0 for a in args):
            return y
        way = hash(args) % 3  # numbers hash the same in every process, whatever PYTHONHASHSEED is
        return y if way == 0 else math.nextafter(y, math.inf if way == 1 else -math.inf)

    perturbed.__name__ = fn.__name__
    perturbed.__doc__ = fn.__doc__
    return perturbed


for _name in _NAMES:
    if hasattr(math, _name):
        setattr(math, _name, _one_ulp_off(getattr(math, _name)))
