"""grad.data: make_moons geometry, labels, determinism and errors; the lecture's toy set."""

from __future__ import annotations

import numpy as np
import pytest

from grad.data import make_moons, toy_dataset


@pytest.mark.parametrize("n", [2, 3, 100, 101])
def test_shapes_dtypes_and_label_balance(n):
    X, y = make_moons(n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(y.tolist()) <= {-1, 1}
    assert (y == 1).sum() == n // 2  # the lower moon
    assert (y == -1).sum() == n - n // 2  # the upper moon


def test_unsigned_labels():
    X, y = make_moons(51, seed=4, signed=False)
    Xs, ys = make_moons(51, seed=4)
    assert set(y.tolist()) == {0, 1}
    assert np.array_equal(X, Xs)
    assert np.array_equal(2 * y - 1, ys)


def test_numpy_integer_n():
    X, _ = make_moons(np.int64(10), seed=0)
    assert X.shape == (10, 2)


def test_same_seed_same_data_and_different_seeds_differ():
    X1, y1 = make_moons(100, noise=0.1, seed=7)
    X2, y2 = make_moons(100, noise=0.1, seed=7)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    X3, y3 = make_moons(100, noise=0.1, seed=8)
    assert not np.array_equal(X1, X3)


def test_points_are_shuffled():
    _, y = make_moons(100, noise=0.0, seed=0)
    assert not (np.all(y[:50] == -1) and np.all(y[50:] == 1))


@pytest.mark.parametrize("n", [2, 7, 100])
def test_noise_zero_puts_points_on_the_half_circles(n):
    X, y = make_moons(n, noise=0.0, seed=1)
    up, lo = X[y == -1], X[y == 1]
    # upper moon: unit circle around (0, 0), upper half
    assert np.allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, rtol=0, atol=1e-12)
    assert np.all(up[:, 1] >= -1e-12)
    # lower moon: unit circle around (1, 0.5), lower half
    assert np.allclose(np.hypot(lo[:, 0] - 1.0, lo[:, 1] - 0.5), 1.0, rtol=0, atol=1e-12)
    assert np.all(lo[:, 1] <= 0.5 + 1e-12)
    # spread evenly in angle from 0 to pi, ends included
    angles_up = np.sort(np.arctan2(up[:, 1], up[:, 0]) % (2 * np.pi))
    angles_up[angles_up > 1.5 * np.pi] -= 2 * np.pi  # the angle-0 point may come out as 2 pi - tiny
    assert np.allclose(angles_up, np.linspace(0.0, np.pi, len(up)), atol=1e-12)
    angles_lo = np.sort(np.arctan2(0.5 - lo[:, 1], 1.0 - lo[:, 0]) % (2 * np.pi))
    angles_lo[angles_lo > 1.5 * np.pi] -= 2 * np.pi
    assert np.allclose(angles_lo, np.linspace(0.0, np.pi, len(lo)), atol=1e-12)


def test_noise_has_the_given_standard_deviation():
    clean, y = make_moons(4000, noise=0.0, seed=3)
    noisy, y2 = make_moons(4000, noise=0.2, seed=3)
    assert np.array_equal(y, y2)  # the same shuffle; only the noise differs
    diff = noisy - clean
    assert abs(diff.mean()) < 0.02
    assert 0.19 < diff.std() < 0.21


@pytest.mark.parametrize("n", [1, 0, -3, 2.5])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        make_moons(n)


@pytest.mark.parametrize("n", ["10", None, [10]])
def test_n_that_is_not_a_number_is_a_type_error(n):
    with pytest.raises(TypeError, match=f"n must be a number, got {type(n).__name__}"):
        make_moons(n)


@pytest.mark.parametrize("noise", [-0.1, -1])
def test_bad_noise(noise):
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_moons(10, noise=noise)


# Regression test for a fixed bug: `noise < 0` is False for NaN, so make_moons(noise=nan)
# returned all-NaN points
# instead of raising; `if not noise >= 0:` would reject it.
def test_nan_noise_is_rejected():
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, noise=float("nan"))


def test_toy_dataset():
    xs, ys = toy_dataset()
    assert xs == [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    assert ys == [1.0, -1.0, -1.0, 1.0]
    xs[0][0] = 99.0
    ys.append(5.0)
    assert toy_dataset() == ([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]], ys[:4])
