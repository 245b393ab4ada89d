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

from numbers import Real

import numpy as np

__all__ = ["make_moons", "toy_dataset"]


def toy_dataset() -> tuple[list[list[float]], list[float]]:
    """The lecture's four examples of three inputs each, with targets +-1 (fresh lists each call)."""
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    return xs, ys


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = None, signed: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D, for binary classification.

    The upper moon is centred at (0, 0), the lower one at (1, 0.5); both have
    radius 1. ``n // 2`` points go to the lower moon and the rest to the upper
    one, spread evenly in angle, then shuffled; Gaussian noise of standard
    deviation ``noise`` is added to both coordinates.

    Args:
        n: number of points (at least 2).
        noise: standard deviation of the added noise (>= 0).
        seed: seed for ``numpy.random.default_rng``, for reproducible data.
        signed: labels -1 (upper moon) / +1 (lower moon) when True, else 0 / 1.

    Returns:
        ``X`` of shape (n, 2), float64, and ``y`` of shape (n,), int64.
    """
    if not isinstance(n, Real) or isinstance(n, bool):
        raise TypeError(f"make_moons: n must be a number, got {type(n).__name__}: {n!r}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"make_moons: n must be an integer >= 2, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"make_moons: noise must be >= 0, got {noise!r}")
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
