"""grad.selfcheck.value: notebook 02's checks (value, lecture_L, trace, a_plus_a), driven to every verdict."""

from __future__ import annotations

import json
import linecache
import math

import pytest
from helpers import ROOT, printed_line, wrong_line

import grad
from grad import lecture
from grad.selfcheck import my_engine
from grad.selfcheck import value as check


@pytest.fixture(autouse=True)
def _in_a_fresh_notebook(notebook):
    """Every test runs in conftest's empty ``__main__``."""


def book(task: str, **names) -> dict:
    """What the book's solution of ``value.task`` defines, run as a cell is (its source in linecache)."""
    code = json.loads((ROOT / "grad" / "selfcheck" / "solutions.json").read_text())[f"value.{task}"]["code"]
    cell = f"<book value.{task}>"
    linecache.cache[cell] = (len(code), None, code.splitlines(keepends=True), cell)
    exec(compile(code, cell, "exec"), names)
    return names


Value = book("value")["Value"]
book_trace = book("trace")["trace"]


class NoChildren(Value):
    def __add__(self, other):
        return NoChildren(self.data + other.data)


class TupleChildren(Value):
    def __init__(self, data, _children=(), _op="", label=""):
        super().__init__(data, _children, _op, label)
        self._prev = tuple(_children)


class BadRepr(Value):
    def __repr__(self):
        return f"V({self.data})"


class Unfinished:
    """A number that remembers how it was computed."""


def twice_trace(root):  # no "seen" test: a shared node is walked again, its result still sets
    nodes, edges = set(), set()

    def build(v):
        nodes.add(v)
        for child in v._prev:
            edges.add((child, v))
            build(child)

    build(root)
    return nodes, edges


def test_the_books_answers_are_ok(capsys):
    L = book("lecture_L", Value=Value)["L"]
    assert check.value(Value) and check.lecture_L(L) and check.trace(book_trace, Value)
    assert check.a_plus_a(book("a_plus_a")["n_children"], Value) and check.a_plus_a(
        2, grad.Value
    )  # a tuple keeps both
    out = capsys.readouterr().out
    assert out == "value: OK\nlecture_L: OK\ntrace: OK\na_plus_a: OK\na_plus_a: OK\n"


def test_the_placeholders_are_not_yet(capsys):
    assert check.value(Unfinished).status == check.trace(lambda root: ..., Value).status == "not yet"
    assert check.lecture_L(...).status == check.a_plus_a(..., Value).status == "not yet"
    assert capsys.readouterr().out.count("not yet (replace the ... with your code)") == 4


@pytest.mark.parametrize(
    "cls, said, hint",
    [
        (NoChildren, "a + b has _prev none and _op ''", "Value(self.data + other.data, (self, other), '+')"),
        (TupleChildren, "_prev is a tuple", "set(_children)"),
        (BadRepr, "repr(Value(2.0)) is 'V(2.0)'", "Value(data={self.data})"),
        (lambda data: data, "Value is a function, not a class", "class Value"),
    ],
)
def test_value_wrong(cls, said, hint, capsys):
    assert not check.value(cls)
    wrong_line(capsys, "value", said, hint)


def test_lecture_L_wrong_names_the_node(capsys):
    nodes = lecture.lecture_L(Value)
    nodes["d"].label = ""
    assert not check.lecture_L(nodes["L"])
    wrong_line(capsys, "lecture_L", "a node with no label (data 4.0)", "d.label = 'd'")
    assert not check.lecture_L(Value(-8.0, label="L"))  # the number typed in: no graph behind it
    wrong_line(capsys, "lecture_L", "no node labelled a", "e = a * b")
    assert not check.lecture_L("L")
    wrong_line(capsys, "lecture_L", "L is 'L', not a Value", "L = d * f")


def test_a_typed_in_data_is_refused(notebook, capsys):
    notebook._ih = ["L = lecture_L(Value)['L']\nL.data = -8.0\ncheck.lecture_L()"]
    notebook.L = lecture.lecture_L(Value)["L"]
    assert not check.lecture_L()
    wrong_line(capsys, "lecture_L", "typed-in numbers: L.data = -8.0", ".data and .grad")


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (twice_trace, "trace(g = c*c + c) visits c more than once", "only when it is new"),
        (lambda root: ([root, root], []), "trace(L) visits a node more than once", "keep the nodes in a set"),
        (lambda root: ({root}, set()), "trace(L) is missing the nodes a, b, c, d, e, f", "walk back"),
        (
            lambda root: (book_trace(root)[0], {(p, c) for c, p in book_trace(root)[1]}),
            "each edge",
            "(child, parent)",
        ),
        (lambda root: (book_trace(root)[0], set()), "does not give each edge once", "add (child, v)"),
        (lambda root: None, "trace(L) returned None", "return nodes, edges"),
    ],
    ids=["walks-twice", "listed-twice", "children-only", "turned", "no-edges", "none"],
)
def test_trace_wrong(fn, said, hint, capsys):
    assert not check.trace(fn, Value)
    wrong_line(capsys, "trace", said, hint)


def emptying_trace(root):  # right nodes and edges, but it takes the graph apart on the way
    nodes, edges, todo = {root}, set(), [root]
    while todo:
        v = todo.pop()
        while v._prev:
            child = v._prev.pop()
            edges.add((child, v))
            nodes.add(child)
            todo.append(child)
    return nodes, edges


@pytest.mark.parametrize("fn", [emptying_trace, lambda root: 1 / 0], ids=["empties", "crashes"])
def test_a_trace_that_changes_the_graph_or_crashes_is_wrong_and_the_graph_is_put_back(
    fn, monkeypatch, capsys
):
    graphs = check._graphs(Value)
    before = {id(v): (v._prev, set(v._prev)) for _, root in graphs for v in book_trace(root)[0]}
    monkeypatch.setattr(check, "_graphs", lambda V: graphs)
    assert not check.trace(fn, Value)
    line = printed_line(capsys)
    assert "trace(L) changed _prev of L, d, e." in line or "raised ZeroDivisionError" in line
    after = {id(v): (v._prev, set(v._prev)) for _, root in graphs for v in book_trace(root)[0]}
    assert all(after[k][0] is before[k][0] and after[k][1] == before[k][1] for k in before)
    assert before.keys() == after.keys()


@pytest.mark.parametrize("guess", [2, [1], "1", math.nan])
def test_a_plus_a_wrong_never_prints_the_answer(guess, capsys):
    assert not check.a_plus_a(guess, Value)
    line = wrong_line(capsys, "a_plus_a", "does not hold", "what does set() keep?")
    assert " 1 " not in line


def test_from_the_notebook_the_courses_pieces_stand_in_until_yours_pass(notebook, capsys):
    notebook.Value = NoChildren
    assert not check.value()
    assert printed_line(capsys).endswith("until yours passes, `Value` is the course's")
    assert notebook.Value is check.COURSE
    assert not check.value() and "value: not yet (" in printed_line(capsys)  # the course's is not yours
    assert not check.lecture_L() and notebook.L.data == -8.0 and notebook.L.label == "L"
    assert not check.lecture_L()  # the course's L, checked again, is still not yet
    assert not check.trace() and notebook.trace is check._walk
    out = capsys.readouterr().out  # the second time, the line says the L it judged is the course's
    assert out.count("not yet (replace the ... with your code); until yours passes") == 2
    assert "lecture_L: not yet (`L` is the course's: run your cell)" in out
    assert check.a_plus_a().status == "not yet"  # n_children is set by the task cell once its ... is replaced
    assert printed_line(capsys) == "a_plus_a: not yet (replace the ... with your code)"
    notebook.n_childern = 1
    assert check.a_plus_a().status == "not yet"
    assert "you have `n_childern`: a typo for `n_children`?" in printed_line(capsys)


def test_a_passing_class_is_saved_to_my_micrograd(notebook, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_micrograd").mkdir()
    notebook.Value = Value
    assert check.value()
    assert printed_line(capsys) == "value: OK; saved to my_micrograd/engine.py"
    text = (tmp_path / "my_micrograd" / "engine.py").read_text()
    assert text.count("at stage 02.value") == 4 and "def __mul__(self, other):" in text
    Started = my_engine.start("03.grad")
    assert "yours: __init__, __repr__, __add__, __mul__" in capsys.readouterr().out
    assert repr(Started(2.0) * Started(3.0)) == "Value(data=6.0)"


@pytest.mark.parametrize("answer", ["L", math.nan, (1, None), ([1], [2]), ({"a"}, [(1, 2, 3)]), object()])
def test_any_kind_of_answer_gets_a_wrong_of_its_own_never_a_crash(answer, capsys):
    verdicts = [check.lecture_L(answer), check.trace(lambda root: answer, Value), check.value(answer)]
    verdicts += [check.a_plus_a(answer, Value), check.trace(lambda root: None, Value)]  # None: no lookup here
    assert [v.status for v in verdicts] == ["WRONG"] * 5
    assert "raised" not in capsys.readouterr().out
