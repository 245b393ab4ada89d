"""grad.selfcheck: the verdicts of the "Your turn" checks (the topic modules have their own tests)."""

from __future__ import annotations

import math

import pytest

from grad.selfcheck import differs, number, verdict


def judge_nine(got):
    return None if got == 9 else f"expected 9, got {got}"


@pytest.mark.parametrize(
    "attempt, printed, ok",
    [
        (lambda: 9, "square: OK", True),
        (lambda: 8, "square: WRONG: expected 9, got 8. Hint: multiply", False),
        (lambda: ..., "square: not yet (replace the ... with your code)", False),
        (
            lambda: (_ for _ in ()).throw(NotImplementedError),
            "square: not yet (your code still raises NotImplementedError: write it in place of that line)",
            False,
        ),
        (
            lambda: 1 / 0,
            "square: WRONG: your code raised ZeroDivisionError: division by zero. Hint: multiply",
            False,
        ),
    ],
    ids=["ok", "wrong", "ellipsis", "not-implemented", "crash"],
)
def test_verdict_prints_one_line_and_returns_whether_it_is_ok(attempt, printed, ok, capsys):
    result = verdict("square", attempt, judge_nine, hint="multiply")
    assert bool(result) is ok and repr(result) == repr(ok)
    assert capsys.readouterr().out == printed + "\n"


def test_a_judge_that_chokes_on_the_answer_gives_wrong_not_a_crash(capsys):
    assert not verdict("sum", lambda: "abc", lambda got: None if got + 1 == 2 else "no")
    assert capsys.readouterr().out.startswith("sum: WRONG: ")


def test_keyboard_interrupt_is_not_swallowed():
    def stop():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        verdict("task", stop, judge_nine)


def test_differs_names_the_first_number_that_is_off():
    assert differs([1.0, 2.0], [1.0, 2.0 + 1e-12], ["a", "b"]) is None
    assert differs([1.0, 2.0], [1.0, 2.1], ["a", "b"]) == "b is 2.1, expected 2"
    assert differs([1.0], [math.nan], ["a"]) == "a is nan, expected 1"
    assert differs([1.0, 2.0], [1.0], ["a", "b"]) == "expected 2 numbers (a, b), got 1"
    with pytest.raises(TypeError, match="a should be a number, got str"):
        differs([1.0], ["1"], ["a"])


def test_number_accepts_numbers_and_names_anything_else():
    assert number(3, "x") == 3.0 and number(2.5, "x") == 2.5
    for bad in (True, "3", None, [1]):
        with pytest.raises(TypeError, match="x should be a number"):
            number(bad, "x")


def test_a_verdict_shows_nothing_in_a_notebook_but_is_a_truth_value():
    from grad.selfcheck import Verdict

    ok, wrong = Verdict(True), Verdict(False)
    assert ok and not wrong and ok == 1 and repr(ok) == "True"
    assert ok._ipython_display_() is None  # IPython calls this instead of showing the repr
