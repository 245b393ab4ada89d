"""grad.selfcheck: the verdicts of the "Your turn" checks (the topic modules have their own tests)."""

from __future__ import annotations

import math

import pytest
from helpers import judge_nine

from grad.selfcheck import differs, number, verdict


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


# ---- the learner's names, looked up in the notebook ------------------------------------------------------


def run(source: str, namespace) -> None:
    """Run ``source`` as a notebook cell: its functions see the notebook's variables, and, as in
    IPython, their source can be read back (``inspect.getsource``)."""
    import linecache

    name = f"<cell {len(linecache.cache)}>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    exec(compile(source, name, "exec"), vars(namespace))


def test_mine_takes_the_argument_or_the_notebooks_variable(notebook):
    from grad.selfcheck import NotDefined, mine

    notebook.x = 3
    assert mine("x") == 3 and mine("x", given=4) == 4 and mine("nothing", given=None) is None
    with pytest.raises(NotDefined, match="`y` is not defined"):
        mine("y")


def test_a_name_that_is_not_defined_is_not_yet_never_an_error(notebook, capsys):
    from grad.selfcheck import mine

    assert not verdict("square", lambda: mine("dfda") ** 2, judge_nine)
    assert capsys.readouterr().out == (
        "square: not yet (`dfda` is not defined: run the cell above, and fix it if it shows an error)\n"
    )
    notebook.dfda = 3
    assert verdict("square", lambda: mine("dfda") ** 2, judge_nine)
    assert capsys.readouterr().out == "square: OK\n"


def test_a_leftover_placeholder_makes_a_wrong_answer_not_yet(notebook, capsys):
    from grad.selfcheck import has_placeholder, mine

    run("def square(x):\n    y = x * x\n    ...  # your code here\n    return y + 1\n", notebook)
    assert has_placeholder(notebook.square)
    assert not verdict("square", lambda: mine("square")(3), judge_nine)
    assert capsys.readouterr().out == "square: not yet (replace the ... with your code)\n"
    run("def square(x):\n    ...\n    return x * x\n", notebook)  # right, with a stray ...
    assert verdict("square", lambda: mine("square")(3), judge_nine)
    capsys.readouterr()
    # a ... that reached an operation is unfinished code too
    assert not verdict("square", lambda: 3 * ..., judge_nine)
    assert capsys.readouterr().out == "square: not yet (replace the ... with your code)\n"


def test_has_placeholder_looks_into_the_methods_of_a_class(notebook):
    from grad.selfcheck import has_placeholder

    run("class A:\n    @staticmethod\n    def f(x):\n        return ...\n", notebook)
    run("class B:\n    def f(self):\n        return 1\n", notebook)
    assert has_placeholder(notebook.A) and not has_placeholder(notebook.B)
    assert not has_placeholder(3) and not has_placeholder(len)


def test_a_typo_gets_a_hint_about_the_name_not_the_maths_hint(notebook, capsys):
    from grad.selfcheck import mine

    run(
        "import math\ndef bad_name(h):\n    return 1 / hh\ndef bad_module(x):\n    return math.lg(x)\n",
        notebook,
    )
    assert not verdict("t", lambda: mine("bad_name")(2.0), judge_nine, hint="the maths")
    assert capsys.readouterr().out == (
        "t: WRONG: your code raised NameError: name 'hh' is not defined. "
        "Hint: `hh` is not defined: a typo; did you mean `h`?\n"
    )
    assert not verdict("t", lambda: mine("bad_module")(2.0), judge_nine, hint="the maths")
    assert capsys.readouterr().out == (
        "t: WRONG: your code raised AttributeError: module 'math' has no attribute 'lg'. "
        "Hint: `math.lg` does not exist: a typo; did you mean `math.log`?\n"
    )
    # an error that is not a slip keeps the maths hint; so does a number where a Value was meant
    assert not verdict("t", lambda: 1 / 0, judge_nine, hint="the maths")
    assert capsys.readouterr().out.endswith("Hint: the maths\n")
    assert not verdict("t", lambda: (2.0).data, judge_nine, hint="the maths")
    assert capsys.readouterr().out.endswith("Hint: the maths\n")


class Node:
    def __init__(self, data):
        self.data, self.grad = data, 0.0

    def backward(self):
        pass


def error_of(fn):
    try:
        fn()
    except Exception as err:
        return err
    raise AssertionError("no error")


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda: Node(1).dat, "your Node has no `dat`: a typo; did you mean `data`?"),
        (lambda: Node(1).gradient, "your Node has no `gradient`: it is called `grad`"),
        (lambda: Node(1).exp(), "your Node has no `exp`: run the cells below the class again"),
        (lambda: Node(1)._backward(), "your Node has no `_backward`: run the cells below the class again"),
        (lambda: Node(1).wibble, "your Node has no `wibble`: a typo?"),
        (lambda f=None: f(), "you called a None: assign the function, don't call it"),
        (lambda: (1.0).data, None),
        (lambda: 1 / 0, None),
    ],
    ids=["typo", "alias", "lost-method", "lost-attribute", "unknown", "none-called", "number", "other"],
)
def test_error_hint(fn, hint):
    from grad.selfcheck import error_hint

    got = error_hint(error_of(fn))
    assert got == hint if hint is None else got.startswith(hint), got


def test_missing_operator_names_the_method_the_class_lacks():
    from grad.selfcheck import missing_operator

    class Bare:
        pass

    assert missing_operator(error_of(lambda: Bare() * Bare()), Bare) == "__mul__"
    assert missing_operator(error_of(lambda: 2 - Bare()), Bare) == "__rsub__"
    assert missing_operator(error_of(lambda: Bare() / 2), Bare) == "__truediv__"
    assert missing_operator(error_of(lambda: -Bare()), Bare) == "__neg__"
    assert missing_operator(error_of(lambda: Bare() ** 2), Bare) == "__pow__"
    assert missing_operator(error_of(lambda: Node(1) * 2), Bare) is None  # another class
    assert missing_operator(error_of(lambda: 1 / 0), Bare) is None


def test_outside_names_are_the_notebooks_variables_a_function_reads(notebook):
    from grad.selfcheck import outside_names

    run(
        "import math\nd2 = 3.9997\nys = [1.0]\ndef helper(x):\n    return x\n"
        "def f(h=0.1):\n    return [helper(math.sqrt(d2 + h)) for _ in ys]\n",
        notebook,
    )
    assert sorted(outside_names(notebook.f)) == ["d2", "ys"]  # not math or helper; in a comprehension too
    assert outside_names(notebook.helper) == [] and outside_names(len) == []


def test_a_judges_own_hint_is_not_doubled(capsys):
    assert not verdict("t", lambda: 8, lambda got: "off. Hint: the judge's", hint="the check's")
    assert capsys.readouterr().out == "t: WRONG: off. Hint: the judge's\n"


def test_number_says_use_data_for_a_value():
    import grad

    with pytest.raises(TypeError, match=r"dfda should be a number, got Value with data -3: use its \.data"):
        number(grad.Value(-3.0), "dfda")
