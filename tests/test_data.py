"""grad.data: make_moons geometry, labels, determinism and errors; the lecture's toy set."""

from __future__ import annotations

import numpy as np
import pytest

from grad.data import MAX_NOISE, MAX_POINTS, make_moons, toy_dataset
from grad.validate import show


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


def test_seed_1_gives_the_numbers_the_notebooks_show():
    # notebooks/06_mlp_training.ipynb stores outputs of make_moons(100, noise=0.1, seed=1)
    X, y = make_moons(100, noise=0.1, seed=1)
    assert np.round(X[:4], 6).tolist() == [
        [-0.875481, 0.034318],
        [0.790237, 0.565942],
        [0.543737, 0.944731],
        [1.370262, -0.562594],
    ]
    assert y[:8].tolist() == [-1, -1, -1, 1, -1, 1, -1, -1]
    assert round(float(X.sum()), 6) == 72.508416
    X, y = make_moons(7, noise=0.0, seed=1, signed=False)
    assert np.round(X[:3], 6).tolist() == [[1.0, -0.5], [1.0, 0.0], [0.5, 0.866025]]
    assert y.tolist() == [1, 0, 0, 1, 0, 1, 0]


def test_numpy_integers_and_default_arguments():
    X1, y1 = make_moons(np.int64(20), seed=np.int64(3))
    X2, y2 = make_moons(20, seed=3)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    X, y = make_moons()
    assert X.shape == (100, 2) and set(y.tolist()) == {-1, 1}
    X, _ = make_moons(10, noise=np.float64(0.0), seed=0, signed=np.bool_(True))
    assert np.array_equal(X, make_moons(10, noise=0, seed=0)[0])
    # 0-d arrays and a bool noise are numbers, as grad.validate counts them
    X, _ = make_moons(np.array(10), noise=np.array(1.0), seed=np.array(3))
    assert np.array_equal(X, make_moons(10, noise=True, seed=3)[0])


@pytest.mark.parametrize("n", [1, 0, -3, np.int64(1)])
def test_n_too_small(n):
    with pytest.raises(ValueError, match=rf"make_moons: n must be at least 2 .*got {int(n)}$"):
        make_moons(n)


@pytest.mark.parametrize("noise", [-0.1, -1, float("nan"), float("inf"), 1e308, 1e6 * (1 + 2**-52), 10**400])
def test_bad_noise(noise):
    """Noise of 1e308 used to give infinite coordinates; a huge int used to be an OverflowError."""
    with pytest.raises(ValueError, match=r"make_moons: noise must be a finite number from 0 to 1e\+06, got"):
        make_moons(10, noise=noise)


def test_the_largest_noise_gives_finite_coordinates():
    X, _ = make_moons(1000, noise=MAX_NOISE, seed=0)
    assert np.isfinite(X).all() and X.std() > 1e5


@pytest.mark.parametrize("n", [MAX_POINTS + 1, 10**20, 2**62, np.uint64(2**63)])
def test_n_too_large_is_refused_before_any_allocation(n):
    """numpy used to say "Maximum allowed size exceeded" (or "array is too big")."""
    with pytest.raises(ValueError, match=r"make_moons: n must be at least 2 .* and at most 10,000,000, got"):
        make_moons(n)


TYPE_ERRORS = [
    *(({"n": n}, "n must be an int") for n in [2.5, 10.0, "10", None, [10], True]),
    *(({"noise": x}, "noise must be a number") for x in ["0.1", None, [0.1], np.array([0.1])]),
    *(({"seed": x}, "seed must be None or an int") for x in [1.5, 1.0, "1", [1], True]),
    *(({"signed": x}, "signed must be True or False") for x in [1, 0, "yes", None]),
]


@pytest.mark.parametrize("kwargs, message", TYPE_ERRORS)
def test_an_argument_of_the_wrong_type_is_named(kwargs, message):
    ((_, x),) = kwargs.items()
    with pytest.raises(TypeError) as info:
        make_moons(**{"n": 10, **kwargs})
    assert str(info.value) == f"make_moons: {message}, got {show(x)}"


@pytest.mark.parametrize(
    "seed, shown",
    [(-1, "-1"), (np.int64(-5), "-5"), (-(10**5000), "<an int of about 5001 digits>")],
    ids=["-1", "np.int64", "huge"],
)
def test_negative_seed(seed, shown):
    """an int of over 4,300 digits, which str() refuses, used to crash the message."""
    with pytest.raises(ValueError, match=f"make_moons: seed must be >= 0, got {shown}$"):
        make_moons(10, seed=seed)


def test_toy_dataset():
    xs, ys = toy_dataset()
    assert xs == [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    assert ys == [1.0, -1.0, -1.0, 1.0]
    xs[0][0] = 99.0
    ys.append(5.0)
    assert toy_dataset() == ([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]], ys[:4])
