"""grad.check: central differences, analytic gradients, and gradcheck catching a wrong backward."""

from __future__ import annotations

import math

import pytest

from grad import Value
from grad.check import GradcheckResult, analytic_grad, gradcheck, numerical_grad

# (f, point, exact gradient written out by hand)
FUNCTIONS = [
    (
        lambda v: v[0] * v[1] + v[2].tanh(),
        [2.0, -3.0, 0.5],
        lambda x: [x[1], x[0], 1 - math.tanh(x[2]) ** 2],
    ),
    (
        lambda v: (v[0].exp() / (1 + v[1] * v[1])).log(),  # x0 - log(1 + x1^2)
        [0.7, 1.3],
        lambda x: [1.0, -2 * x[1] / (1 + x[1] ** 2)],
    ),
    (
        lambda v: v[0] ** 3 - 2 * v[0] + v[1].sigmoid() * v[0],
        [-1.1, 0.4],
        lambda x: [
            3 * x[0] ** 2 - 2 + 1 / (1 + math.exp(-x[1])),
            x[0] * math.exp(-x[1]) / (1 + math.exp(-x[1])) ** 2,
        ],
    ),
]


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_numerical_grad_is_close_to_exact(f, x, exact):
    num = numerical_grad(f, x)
    assert len(num) == len(x) and all(type(g) is float for g in num)
    assert num == pytest.approx(exact(x), rel=1e-7, abs=1e-8)


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_analytic_grad_is_exact(f, x, exact):
    assert analytic_grad(f, x) == pytest.approx(exact(x), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_gradcheck_passes_for_correct_functions(f, x, exact):
    res = gradcheck(f, x)
    assert isinstance(res, GradcheckResult)
    assert res.ok is True
    assert res.analytic == analytic_grad(f, x)
    assert res.numerical == numerical_grad(f, x)
    assert res.max_abs_error < 1e-7
    assert 0 <= res.worst_index < len(x)
    assert repr(res).startswith(f"gradcheck OK: {len(x)} inputs")


def bad_square(v: Value) -> Value:
    """v**2 with a deliberately wrong local derivative: 3v instead of 2v."""
    return Value(v.data**2, (v,), "bad", _local=(3 * v.data,))


def test_gradcheck_catches_a_wrong_backward():
    def f(v):
        return v[0] * 2.0 + bad_square(v[1]) + v[2].tanh()

    x = [0.5, 1.5, -0.3]
    res = gradcheck(f, x)
    assert res.ok is False
    assert res.worst_index == 1
    assert res.analytic[1] == 3 * 1.5
    assert res.numerical[1] == pytest.approx(2 * 1.5, rel=1e-7)
    assert res.max_abs_error == pytest.approx(1.5, rel=1e-6)
    assert res.numerical[0] == pytest.approx(res.analytic[0], rel=1e-8)  # the other inputs still agree
    assert repr(res) == (
        "gradcheck MISMATCH: 3 inputs, worst at input 1: backward 4.5 vs numerical 3; "
        "largest errors: abs 1.5e+00, rel 5.0e-01"
    )


def test_worst_index_is_the_largest_violation():
    def f(v):
        return bad_square(v[0]) + bad_square(v[1]) + bad_square(v[2])

    res = gradcheck(f, [0.1, -2.0, 0.5])  # errors |v|: 0.1, 2.0, 0.5
    assert (res.ok, res.worst_index) == (False, 1)


def test_tolerances_decide():
    def f(v):
        return bad_square(v[0])

    assert gradcheck(f, [1e-4]).ok is False
    assert gradcheck(f, [1e-4], atol=1e-3).ok is True
    assert gradcheck(f, [1.0], rtol=0.6).ok is True
    assert gradcheck(f, [1.0], rtol=0.4).ok is False


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda v: v[0], [])
    for h in (0.0, -1e-6):
        with pytest.raises(ValueError, match="h must be positive"):
            numerical_grad(lambda v: v[0], [1.0], h=h)
    with pytest.raises(TypeError, match="must return a Value"):
        analytic_grad(lambda v: 3.0, [1.0])


def test_central_difference_error_is_order_h_squared():
    def f(v):
        return v[0].exp()

    x = 0.3
    exact = math.exp(x)
    err = [abs(numerical_grad(f, [x], h=h)[0] - exact) for h in (1e-2, 1e-3)]
    # truncation error ~ f'''(x) h^2 / 6: dividing h by 10 divides the error by 100
    assert err[0] == pytest.approx(math.exp(x) * 1e-4 / 6, rel=1e-3)
    assert 95 < err[0] / err[1] < 105


def test_too_small_h_loses_to_rounding():
    def f(v):
        return v[0].exp()

    exact = math.exp(0.3)
    err_good = abs(numerical_grad(f, [0.3], h=1e-6)[0] - exact)
    err_tiny = abs(numerical_grad(f, [0.3], h=1e-13)[0] - exact)
    assert err_good < 1e-9 < err_tiny
