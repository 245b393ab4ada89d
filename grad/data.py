"""Small data sets for the course: the lecture's 4-example toy set and two moons.

Example:
    >>> from grad.data import make_moons, toy_dataset
    >>> X, y = make_moons(100, noise=0.1, seed=1)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [-1, 1])
    >>> xs, ys = toy_dataset(); len(xs), ys
    (4, [1.0, -1.0, -1.0, 1.0])
"""

from __future__ import annotations

import numpy as np

from grad.validate import brief, integer, is_real, show

__all__ = ["make_moons", "toy_dataset", "MAX_POINTS", "MAX_NOISE"]

MAX_POINTS = 10_000_000
"""make_moons' largest ``n`` (160 MB of coordinates; a scalar-Value network trains on a few hundred)."""
MAX_NOISE = 1e6
"""make_moons' largest ``noise``; far beyond it the coordinates would overflow, and already at 10 the
moons are buried."""


def toy_dataset() -> tuple[list[list[float]], list[float]]:
    """The lecture's four examples of three inputs each, with targets +-1 (fresh lists each call).

    Example:
        >>> xs, ys = toy_dataset()
        >>> xs[0], ys[0]
        ([2.0, 3.0, -1.0], 1.0)
    """
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    return xs, ys


def _check(n: object, noise: object, seed: object, signed: object) -> tuple[int, float, int | None]:
    """Validate make_moons' arguments; returns n as an int, noise as a float and seed as an int or None."""
    n = integer(n, "make_moons: n")
    if not 2 <= n <= MAX_POINTS:
        raise ValueError(
            f"make_moons: n must be at least 2 (one point per moon) and at most {MAX_POINTS:,}, "
            f"got {brief(n)}"
        )
    if not is_real(noise):
        raise TypeError(f"make_moons: noise must be a number, got {show(noise)}")
    if not 0 <= noise <= MAX_NOISE:  # also NaN; compared before float() so that a huge int is no error
        raise ValueError(
            f"make_moons: noise must be a finite number from 0 to {MAX_NOISE:g}, got {brief(noise)}"
        )
    if seed is not None:
        try:
            seed = integer(seed, "")
        except TypeError:
            raise TypeError(f"make_moons: seed must be None or an int, got {show(seed)}") from None
        if seed < 0:
            raise ValueError(f"make_moons: seed must be >= 0, got {brief(seed)}")
    if not isinstance(signed, bool | np.bool_):
        raise TypeError(f"make_moons: signed must be True or False, got {show(signed)}")
    return n, float(noise), seed


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = None, signed: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D, for binary classification.

    The upper moon is centred at (0, 0), the lower one at (1, 0.5); both have
    radius 1. ``n // 2`` points go to the lower moon and the rest to the upper
    one, spread evenly in angle, then shuffled; Gaussian noise of standard
    deviation ``noise`` is added to both coordinates.

    Args:
        n: number of points, an int from 2 to ``MAX_POINTS`` (10**7; a NumPy integer works too).
        noise: standard deviation of the added noise, a number from 0 to ``MAX_NOISE`` (1e6).
        seed: None (fresh randomness) or an int >= 0, the seed of ``numpy.random.default_rng``:
            the same seed gives the same data.
        signed: labels -1 (upper moon) / +1 (lower moon) when True, else 0 / 1.

    Returns:
        ``X`` of shape (n, 2), float64, and ``y`` of shape (n,), int64.

    Raises:
        TypeError: for an argument of the wrong type (e.g. ``n=2.5``, ``noise="0.1"``, ``seed=1.0``).
        ValueError: for a value out of range (e.g. ``n=1`` or ``10**20``, ``noise=-0.1``, NaN or
            ``1e308``, ``seed=-1``).

    Example:
        >>> X, y = make_moons(4, noise=0.0, seed=0, signed=False)
        >>> X.round(3).tolist(), y.tolist()
        ([[0.0, 0.5], [1.0, 0.0], [-1.0, 0.0], [2.0, 0.5]], [1, 0, 0, 1])
    """
    n, noise, seed = _check(n, noise, seed, signed)
    rng = np.random.default_rng(seed)
    n_lower = n // 2
    n_upper = n - n_lower
    t_up = np.linspace(0.0, np.pi, n_upper)
    t_lo = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_up), np.sin(t_up)])
    lower = np.column_stack([1.0 - np.cos(t_lo), 0.5 - np.sin(t_lo)])
    X = np.vstack([upper, lower])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    order = rng.permutation(n)
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, (2 * y - 1 if signed else y)
