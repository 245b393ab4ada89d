"""Every check of notebooks 01-07 under attack: what a learner might put under a name to break it.

Each check is called as its notebook calls it, with no arguments, in an empty notebook. Whatever
name it says is not defined gets one hostile thing (None, a str, NaN, code that raises, exits, or
raises with a huge or broken message), until the check has every name it asks for. Whatever it is
fed, a check prints one short line, says it is not OK, and never raises; only Jupyter's interrupt
button (KeyboardInterrupt) goes through. Each check's own verdicts are tested in
tests/test_selfcheck_<module>.py.
"""

from __future__ import annotations

import inspect
import math
import re
import sys

import pytest

from grad.selfcheck import backprop, backward, core, derivatives, exercises, neurons, training, value

MODULES = (derivatives, value, backprop, backward, neurons, training, exercises)
CHECKS = [  # every public function of a check module that can show the book's solution
    fn
    for module in MODULES
    for name, fn in vars(module).items()
    if not name.startswith("_")
    and inspect.isfunction(fn)
    and fn.__module__ == module.__name__
    and "solution" in inspect.signature(fn).parameters
]
MISSING = re.compile(r"`(\w+)` (?:is not defined: run its cell|is the course's: run your cell)")
FIRST = {  # the first name a check reads, where its line does not name it
    "value.value": "Value",
    "value.lecture_L": "L",
    "value.a_plus_a": "n_children",
    "backprop.neuron": "x1",
    "training.one_step": "n",
}


def _id(check) -> str:
    return f"{check.__module__.rpartition('.')[2]}.{check.__name__}"


IDS = [_id(fn) for fn in CHECKS]


def _raises(err: BaseException):
    def learners(*args, **kwargs):
        raise err

    return learners


class BrokenMessage(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message")


class Interrupting:
    """Anything a check does with it (read an attribute, call it, add it, test it) is Jupyter's interrupt."""

    def __getattribute__(self, name):
        raise KeyboardInterrupt

    def __call__(self, *args, **kwargs):
        raise KeyboardInterrupt


HOSTILE = {
    "None": None,
    "str": "3.0",
    "nan": math.nan,
    "exit": _raises(SystemExit(3)),
    "huge-message": _raises(ValueError(" \n" * 10**6 + "x" * 10**6)),
    "broken-message": _raises(BrokenMessage()),
    "recursion": _raises(RecursionError("maximum recursion depth exceeded")),
}


def _names(check, notebook, capsys) -> list[str]:
    """The names ``check`` reads from the notebook, found by running it until it names no missing one.

    A check of 01 and 02 says "not yet" for a missing name (nbval runs cells without history, so it
    cannot tell a cell not run from a ``...``): its first name is taken from :data:`FIRST` or its own.
    """
    names: list[str] = []
    _opened(check, notebook, capsys)
    for _ in range(12):
        for name in names:  # again: a check that is not OK puts the course's pieces under their names
            setattr(notebook, name, object())
        out = capsys.readouterr().out if check() is not None else ""
        missing = MISSING.search(out)
        name = missing[1] if missing else None if names else FIRST.get(_id(check), check.__name__)
        if name is None or name in names:
            return names
        names.append(name)
    raise AssertionError(f"{check.__name__} asked for more than 12 names: {names}")


def _attack(check, notebook, thing, capsys) -> str:
    """Every name ``check`` reads set to ``thing`` at once; the one line the check prints."""
    for name in _names(check, notebook, capsys):
        setattr(notebook, name, thing)
    result = check()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), out
    assert isinstance(result, core.Result) and not result, out
    return out[:-1]


@pytest.fixture
def nb(notebook, tmp_path, monkeypatch):
    """An empty notebook, in a folder without my_micrograd/ (nothing is saved)."""
    monkeypatch.chdir(tmp_path)
    return notebook


def _opened(check, notebook, capsys) -> None:
    """The notebook's first cells: ``Value = check.start()`` (03 on), ``MLP = check.start_nn(Value)`` (06)."""
    module = sys.modules[check.__module__]
    if hasattr(module, "start"):
        notebook.Value = module.start()
    if hasattr(module, "start_nn"):
        notebook.MLP = module.start_nn(notebook.Value)
    capsys.readouterr()


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_a_hostile_answer_gets_one_short_line_that_is_not_ok(check, kind, nb, capsys):
    line = _attack(check, nb, HOSTILE[kind], capsys)
    assert len(line) <= core.LONGEST and line.startswith(f"{check.__name__}: "), line


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_keyboard_interrupt_always_goes_through(check, nb, capsys):
    with pytest.raises(KeyboardInterrupt):
        _attack(check, nb, Interrupting(), capsys)


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_run_again_a_check_never_passes_the_courses_piece_it_put_in_place(check, nb, capsys):
    """In the shipped workbook each check says not yet and puts the course's piece under the learner's
    name, so that the next cells run; run again, it must not judge that piece as the learner's."""
    lines = [str(check()) for _ in range(3)]
    capsys.readouterr()
    assert not any(line.endswith(": OK") or ": OK;" in line for line in lines), lines


def test_exit_is_named_with_its_hint(nb, capsys):
    nb.slope = _raises(SystemExit(3))
    assert not derivatives.slope()
    line = capsys.readouterr().out
    assert line.startswith("slope: WRONG: your code raised SystemExit: 3"), line
    assert "Hint: exit() and sys.exit() stop the program: return the answer instead" in line
