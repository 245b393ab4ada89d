"""What every check shares: one result, one way to run the learner's code, one placeholder.

A check calls :func:`run` with two functions of its own: ``attempt()`` runs the learner's code
and returns the answer (it finds the learner's names with :func:`mine`), ``judge(answer)``
returns :func:`ok`, :func:`wrong` or :func:`not_yet`. ``run`` prints one line and returns the
:class:`Result`. It never raises for the learner's code: an exception there (``exit()`` too) is
WRONG, with a hint read from the exception's own attributes. Only ``KeyboardInterrupt`` (Jupyter's
interrupt button) goes through, so code that loops forever can always be stopped.

The one placeholder is ``...``: an answer that is ``...``, or code that still holds ``...`` and
is not right, is "not yet". Where a task asks for code, numbers typed in for ``.grad`` or
``.data`` are refused (:func:`typed_in`).

Example:
    >>> r = run("square", lambda: 3 * 3, lambda got: ok() if got == 9 else wrong(f"got {got}", "multiply"))
    square: OK
    >>> bool(r), r.status
    (True, 'OK')
    >>> _ = run("square", lambda: ..., lambda got: ok())
    square: not yet (replace the ... with your code)
    >>> _ = run("square", lambda: 1 / 0, lambda got: ok())  # doctest: +ELLIPSIS
    square: WRONG: your code raised ZeroDivisionError: division by zero. Hint: a number you divide by is 0...
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import difflib
import inspect
import json
import linecache
import math
import random
import re
import sys
import textwrap
import types
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grad import lecture
from grad.needs_torch import torch_available
from grad.validate import real, show

__all__ = [
    "LONGEST",
    "NotDefined",
    "Result",
    "cell_source",
    "counting",
    "has_placeholder",
    "hint_for",
    "mine",
]
__all__ += ["not_yet", "ok", "one_line", "run", "solution_text", "source_of", "sources", "stand_in"]
__all__ += ["NO_TORCH", "run_task", "seeded", "typed_in", "without_torch", "wrong"]

LONGEST = 300  # characters in a verdict line, whatever the learner's code printed or raised
STATUSES = ("OK", "WRONG", "not yet")
SOLUTIONS = Path(__file__).with_name("solutions.json")  # {"module.task": {"notebook": ..., "code": ...}}
STANDS_IN = "until yours passes, `{}` is the course's"  # a note of run_task(until=...): notebooks 01, 02
SEEDS: Mapping[str, float] = {"L.grad": 1.0, "o.grad": 1.0, "self.grad": 1.0}  # dL/dL = 1 is not typed in


def one_line(text: str, limit: int = LONGEST) -> str:
    """``text`` with every run of white space made one space, cut at ``limit`` characters.

    It reads ``text`` only as far as the words it keeps (and once), so a message of a million
    characters costs no more than its first line.

    Example:
        >>> one_line("shape:" + chr(10) + "  got [3]"), one_line("x" * 10, 6)
        ('shape: got [3]', 'xxx...')
    """
    words, size = [], 0
    for word in re.finditer(r"\S+", text):
        words.append(word[0][: limit + 1])
        size += len(words[-1]) + 1
        if size > limit + 1:
            break
    text = " ".join(words)
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


def number(x: object) -> float | None:
    """``x`` as a float when it is a real number (:func:`grad.validate.real`: never a Value, a str or
    a bool-like object), else None; also None for an int too large for a float.

    Example:
        >>> number(3), number("3"), number(10**400)
        (3.0, None, None)
    """
    try:
        return real(x, "x")
    except (TypeError, OverflowError):
        return None


def near(got: object, want: float, rel: float = 1e-9) -> bool:
    """True when ``got`` is a number within ``rel`` of ``want``: relative above 1, absolute below.

    Example:
        >>> near(2.0000000001, 2.0), near(2.001, 2.0), near("2", 2.0)
        (True, False, False)
    """
    x = number(got)
    return x is not None and abs(x - want) <= rel * max(1.0, abs(want))


def graph_nodes(root: Any, limit: int = 100_000) -> list[Any]:
    """The nodes of ``root``'s graph, walked by ``_prev``, each once, at most ``limit`` of them.

    Example:
        >>> a = lecture.Value(2.0)
        >>> len(graph_nodes(a * a + a))
        3
    """
    seen, found, stack = set(), [], [root]
    while stack and len(found) < limit:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            found.append(node)
            stack.extend(getattr(node, "_prev", ()))
    return found


def item(x: Any) -> Any:
    """The number in ``x`` when it is a tensor or an array of one element (``.item()``), else ``x``."""
    size = getattr(x, "numel", None) or getattr(x, "size", None)
    size = size() if callable(size) else size
    return x.item() if size == 1 and callable(getattr(x, "item", None)) and number(x) is None else x


@dataclass(frozen=True)
class Result:
    """A check's verdict: ``status`` is "OK", "WRONG" or "not yet"; true when OK; shows as one line.

    ``text`` says what is wrong (or why not yet), ``hint`` what to try, ``note`` what the check did
    with the piece (saved it, or put the course's in its place).
    """

    task: str = ""
    status: str = "OK"
    text: str = ""
    hint: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"Result: status must be one of {STATUSES}, got {show(self.status)}")

    def __bool__(self) -> bool:
        return self.status == "OK"

    def __str__(self) -> str:
        """The verdict line, at most :data:`LONGEST` characters: the learner's text is cut first."""
        task, hint, note = one_line(self.task, 60), one_line(self.hint, 110), one_line(self.note, 110)
        ends = (f". Hint: {hint}" if hint else "") + (f"; {note}" if note else "")
        room = LONGEST - len(task) - len(self.status) - len(ends) - 5
        text = one_line(self.text, room)
        if self.status == "not yet":
            return one_line(f"{task}: not yet" + (f" ({text})" if text else "") + ends)
        return one_line(f"{task}: {self.status}" + (f": {text}" if text else "") + ends)

    def _ipython_display_(self) -> None:
        pass  # the check has printed the line already


def ok(text: str = "") -> Result:
    """A judge's verdict: right."""
    return Result(status="OK", text=text)


def wrong(text: str, hint: str = "") -> Result:
    """A judge's verdict: wrong, saying what is off (never the expected number of a number task)."""
    return Result(status="WRONG", text=text, hint=hint)


def not_yet(text: str = "replace the ... with your code") -> Result:
    """A judge's verdict: nothing to judge yet."""
    return Result(status="not yet", text=text)


NO_TORCH = (
    "PyTorch is not available here, as in the browser: run this notebook where it is installed "
    "(`make lab`, or `pip install torch`) or in Colab to check this task"
)


def without_torch(task: str, *, solution: bool = False, book: str = "") -> Result | None:
    """Where ``import torch`` fails: print ``task``'s "not yet" line (:data:`NO_TORCH`, or what keeps an
    installed PyTorch from importing) and return it; else None. A check of a PyTorch task calls it
    first: without torch there is nothing to judge, and the course's piece, which needs torch too, is
    not put in the notebook.

    Example:
        >>> from unittest import mock
        >>> with mock.patch.dict(sys.modules, torch=None):  # as if PyTorch were not installed
        ...     _ = without_torch("torch_neuron")  # doctest: +ELLIPSIS
        torch_neuron: not yet (PyTorch is not available here, as in the browser: run this notebook where ...)
    """
    try:
        if torch_available():
            return None
        why = NO_TORCH
    except Exception as err:  # installed, but it fails to import: say so on the check's one line
        why = f"PyTorch is installed but fails to import, {type(err).__name__}: {err}; reinstall it"
    return run(task, lambda: None, lambda _: not_yet(why), source="", solution=solution, book=book)


class NotDefined(NameError):
    """A name the check needs is not in the notebook (its cell has not run): the verdict is "not yet".

    ``course`` is true when the name holds the course's piece, which a check put in its place.
    """

    def __init__(self, name: str, close: str | None = None, course: bool = False) -> None:
        super().__init__(f"`{name}` is not defined")
        self.name, self.close, self.course = name, close, course


STANDING_IN: weakref.WeakKeyDictionary[Any, dict[str, object]] = weakref.WeakKeyDictionary()  # per notebook


def stand_in(pieces: Mapping[str, object]) -> None:
    """Put the course's ``pieces`` in the notebook under their names, so that the next cells run.

    ``mine(name, own=True)`` refuses them: a check run again judges the learner's piece, not these.
    """
    if "__main__" in sys.modules:
        vars(sys.modules["__main__"]).update(pieces)
        STANDING_IN.setdefault(sys.modules["__main__"], {}).update(pieces)


def mine(name: str, *, own: bool = False) -> Any:
    """The learner's ``name``: the notebook's variable (IPython runs cells in ``__main__``).

    Raises:
        NotDefined: no such variable (``close`` names a variable spelt nearly the same, if any); with
            ``own``, also when it holds the course's piece that :func:`stand_in` put there.
    """
    namespace = vars(sys.modules["__main__"]) if "__main__" in sys.modules else {}
    if name in namespace:
        course = STANDING_IN.get(sys.modules["__main__"], {})
        if own and name in course and namespace[name] is course[name]:
            raise NotDefined(name, course=True)
        return namespace[name]
    names = [n for n in namespace if not n.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    raise NotDefined(name, close[0] if close else None)


# ---- running the learner's code without changing the notebook -----------------------------------------


def seeded(make: Callable[[], Any], seed: int) -> Any:
    """``make()`` with Python's random generator seeded, then put back: the notebook's numbers stay."""
    state = random.getstate()
    try:
        random.seed(seed)
        return make()
    finally:
        random.setstate(state)


@contextlib.contextmanager
def counting(owner: Any, names: Iterable[str]) -> Iterator[list[str]]:
    """Count the calls of ``owner``'s functions ``names`` in the block; each is put back as it was.

    Example:
        >>> import math
        >>> with counting(math, ["sqrt"]) as calls:
        ...     _ = math.sqrt(4.0) + math.sqrt(9.0)
        >>> calls, math.sqrt(16.0)
        (['sqrt', 'sqrt'], 4.0)
    """
    calls: list[str] = []
    saved = {name: vars(owner).get(name, calls) for name in names if callable(getattr(owner, name, None))}
    for name in saved:
        original = getattr(owner, name)
        setattr(owner, name, lambda *args, _f=original, _n=name, **kw: (calls.append(_n), _f(*args, **kw))[1])
    try:
        yield calls
    finally:
        for name, was in saved.items():
            delattr(owner, name) if was is calls else setattr(owner, name, was)


def rebind(obj: Any, names: Mapping[str, Any]) -> Any:
    """A copy of ``obj`` (a function, or a class with its methods) that reads ``names`` from us; else ``obj``.

    Example:
        >>> def area(r): return pi * r * r
        >>> rebind(area, {"pi": 3})(2)
        12
    """
    if isinstance(obj, types.FunctionType):
        fn = types.FunctionType(
            obj.__code__, {**obj.__globals__, **names}, obj.__name__, obj.__defaults__, obj.__closure__
        )
        fn.__kwdefaults__ = obj.__kwdefaults__
        return fn
    if isinstance(obj, type):
        body = {k: rebind(v, names) for k, v in vars(obj).items() if k not in ("__dict__", "__weakref__")}
        return type(obj.__name__, obj.__bases__, body)
    return obj


def course_value(pieces: Mapping[str, Any] | None = None) -> type:
    """The course's Value (:class:`grad.lecture.Value`) with the learner's ``pieces`` as its methods,
    ``Value`` in them meaning this class: a judge sees one piece, never a slip in another.

    Example:
        >>> def double(self): return Value(2 * self.data)
        >>> course_value({"double": double})(3.0).double()
        Value(data=6.0)
    """
    cls = type("Value", (lecture.Value,), {"__module__": "__main__"})
    for name, fn in (pieces or {}).items():
        setattr(cls, name, rebind(fn, {"Value": cls}))
    return cls


# ---- the learner's source ------------------------------------------------------------------------------


def cell_source() -> str | None:
    """The code of the cell that called the check (a check is its task cell's last line), else None.

    It is the outermost frame running in the notebook's names, read back through ``linecache``,
    where IPython puts every cell it runs, with or without history. ``_ih[-1]`` is only the
    fallback when no cell called (a test that sets it): nbval runs cells without history, so in a
    notebook it may be an older cell.
    """
    main = sys.modules.get("__main__")
    frame, cell = sys._getframe(1), None
    while frame is not None:
        if main is not None and frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
            cell = frame.f_code.co_filename
        frame = frame.f_back
    if cell is not None:
        return "".join(linecache.getlines(cell)) or None
    history = getattr(main, "_ih", None)
    return history[-1] if isinstance(history, list) and history and isinstance(history[-1], str) else None


def source_of(obj: object) -> str | None:
    """The source of a function, or of a class defined in a file or a notebook cell; None if unknown.

    A class's source is cut from the file of one of its methods by ``ast`` (``inspect`` cannot
    find a notebook cell's class).
    """
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    try:
        if isinstance(obj, types.FunctionType):
            return textwrap.dedent(inspect.getsource(obj))
        if isinstance(obj, type):
            for member in vars(obj).values():
                code = getattr(getattr(member, "__func__", member), "__code__", None)
                if code is not None:
                    text = "".join(linecache.getlines(code.co_filename))
                    for node in ast.walk(ast.parse(text)):
                        if isinstance(node, ast.ClassDef) and node.name == obj.__name__:
                            if node.lineno <= code.co_firstlineno <= (node.end_lineno or 0):
                                return ast.get_source_segment(text, node)
    except (OSError, TypeError, SyntaxError, ValueError):
        pass
    return None


def sources(names: Iterable[str]) -> str | None:
    """The source of each of the notebook's ``names`` that :func:`source_of` can read, joined; else None."""
    namespace = vars(sys.modules["__main__"]) if "__main__" in sys.modules else {}
    return "\n\n".join(filter(None, (source_of(namespace.get(name)) for name in names))) or None


def _tree(source: str | None) -> ast.AST | None:
    try:
        return ast.parse(source) if source else None
    except (SyntaxError, ValueError):
        return None


def has_placeholder(source: str | None) -> bool:
    """True when ``source`` holds the placeholder ``...`` as code (not in a comment or a string).

    Example:
        >>> has_placeholder("x = ...  # your code"), has_placeholder("x = '...'  # ...")
        (True, False)
    """
    tree = _tree(source)
    return tree is not None and any(isinstance(n, ast.Constant) and n.value is ... for n in ast.walk(tree))


def _number(node: ast.AST) -> float | None:
    """The value of an expression made of numbers alone (``-6.0``, ``2 * 3``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and _number(node.left) is not None and _number(node.right) is not None:
        return math.nan  # arithmetic of typed numbers: typed in, whatever it comes to
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int"):
        inner = _number(node.args[0]) if len(node.args) == 1 and not node.keywords else None
        if inner is not None:  # float(6): a typed number in a call, typed in all the same
            return float(int(inner)) if node.func.id == "int" and math.isfinite(inner) else inner
    return None


def typed_in(source: str | None, allowed: Mapping[str, float] = SEEDS) -> list[str]:
    """The statements of ``source`` that set a ``.grad`` or ``.data`` to a number typed in.

    Setting a grad to 0 is allowed (it is where every grad starts), and so is each ``allowed``
    target set to its value (``L.grad = 1.0``: the output's own gradient).

    Example:
        >>> typed_in("L.grad = 1.0" + chr(10) + "a.grad = -6" + chr(10) + "b.grad = a.data * 2")
        ['a.grad = -6']
    """
    found = []
    for node in ast.walk(_tree(source) or ast.Module(body=[], type_ignores=[])):
        if not isinstance(node, ast.Assign | ast.AugAssign) or (value := _number(node.value)) is None:
            continue
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            if isinstance(target, ast.Attribute) and target.attr in ("grad", "data"):
                if not (target.attr == "grad" and value == 0 or allowed.get(ast.unparse(target)) == value):
                    found.append(one_line(ast.unparse(node), 80))
    return found


# ---- the one error path ----------------------------------------------------------------------------------

HAS_ELSEWHERE = {  # methods micrograd's and torch's classes have, that a learner's may not (yet)
    "zero_grad": "micrograd's Module has zero_grad, your {owner} does not: set p.grad = 0.0 for each p",
    "parameters": "micrograd's classes have parameters(), your {owner} does not: write it, or use the list",
    "item": "torch tensors have .item(), your {owner} does not: use .data",
}


def _suggest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, [n for n in names if n != name and not n.startswith("__")], n=1)
    return f": did you mean `{close[0]}`?" if close else "?"


def _innermost(err: BaseException) -> types.TracebackType | None:
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def _called_none(err: BaseException) -> str | None:
    """The expression that the failing line called, when it is None: read from the frame, not the message."""
    tb = _innermost(err)
    if tb is None or tb.tb_lasti < 0:
        return None
    code, frame = tb.tb_frame.f_code, tb.tb_frame
    line, end, col, end_col = list(code.co_positions())[tb.tb_lasti // 2]
    if line is None or line != end or col is None:
        return None
    text = linecache.getline(code.co_filename, line).encode()[col:end_col].decode(errors="replace")
    call = _tree(text)
    func = getattr(getattr(call.body[0], "value", None), "func", None) if call and call.body else None
    chain, node = [], func
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    scope = {**vars(builtins), **frame.f_globals, **frame.f_locals}
    if not isinstance(node, ast.Name) or node.id not in scope:
        return None
    obj = scope[node.id]
    for attr in reversed(chain):
        obj = inspect.getattr_static(obj, attr, 0)  # static: the learner's properties are not run
    return ast.unparse(func) if obj is None else None


def _torch_is_none(err: BaseException, name: str) -> bool:
    """Whether the failing line reads ``torch.<name>`` where the name ``torch`` holds None."""
    tb = _innermost(err)
    if tb is None:
        return False
    frame = tb.tb_frame
    if {**frame.f_globals, **frame.f_locals}.get("torch", False) is not None:
        return False
    return (
        re.search(rf"\btorch\.{re.escape(name)}\b", linecache.getline(frame.f_code.co_filename, tb.tb_lineno))
        is not None
    )


def hint_for(err: BaseException) -> str:
    """A hint for an exception of the learner's code, from the exception's attributes ("" if none fits).

    Example:
        >>> import math
        >>> try:
        ...     math.lg(2.0)
        ... except AttributeError as err:
        ...     hint_for(err)
        '`math.lg` does not exist: did you mean `math.log`?'
    """
    name = getattr(err, "name", None)  # of a NameError or an AttributeError
    if isinstance(err, SystemExit):
        return "exit() and sys.exit() stop the program: return the answer instead"
    if isinstance(err, RecursionError):
        return "your code calls itself without end: does each call work on a smaller part?"
    if isinstance(err, ZeroDivisionError):
        return "a number you divide by is 0 here"
    if isinstance(err, NameError) and isinstance(name, str):
        tb = _innermost(err)
        names = dir(builtins) + (
            [] if tb is None else [*tb.tb_frame.f_code.co_varnames, *tb.tb_frame.f_globals]
        )
        return f"`{name}` is not defined: a typo{_suggest(name, names)}"
    if isinstance(err, AttributeError) and isinstance(name, str) and hasattr(err, "obj"):
        obj = err.obj
        if isinstance(obj, types.ModuleType):
            close = _suggest(name, dir(obj)).replace("`", f"`{obj.__name__}.", 1)
            return f"`{obj.__name__}.{name}` does not exist{close}"
        if obj is None and _torch_is_none(err, name):
            if not torch_available():
                return "`torch` is None: PyTorch is not available here (never in the browser)"
            return "`torch` is None here, not PyTorch (a first cell without PyTorch sets it so): import torch"
        if obj is None:
            return f"a None has no `{name}`: something gave None (a function without return?)"
        if isinstance(obj, int | float):
            return f"a number has no `{name}`: a number where a Value was meant? Wrap it: Value(x)"
        owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
        if name in HAS_ELSEWHERE:
            return HAS_ELSEWHERE[name].format(owner=owner)
        return f"your {owner} has no `{name}`: a typo{_suggest(name, dir(obj))}"
    if isinstance(err, TypeError) and (called := _called_none(err)):
        return f"`{called}` is None: assign a function, don't call it: `out._backward = _backward`"
    return ""


def _raised(err: BaseException) -> Result:
    try:
        message = one_line(str(err), LONGEST)
    except Exception:  # the learner's exception class cannot even say what it is
        message = ""
    text = f"your code raised {type(err).__name__}" + (f": {message}" if message else "")
    return wrong(text, hint_for(err))


def _guarded(step: Callable[[], str | None], what: str) -> str:
    try:
        return step() or ""
    except Exception as err:
        return f"{what} failed ({type(err).__name__})"


def solution_text(key: str) -> str:
    """The book's code for the task ``key`` ("module.task"), headed by its notebook; a line if none."""
    try:
        entry = json.loads(SOLUTIONS.read_text(encoding="utf-8"))[key]
        return f"the book's solution ({entry['notebook']}):\n{entry['code'].rstrip()}"
    except (OSError, ValueError, KeyError, TypeError):
        return f"no solution stored for {key}"


def run(
    task: str,
    attempt: Callable[[], Any],
    judge: Callable[[Any], Result],
    *,
    source: str | None = None,
    allowed: Mapping[str, float] | None = SEEDS,
    install: Callable[[bool], str | None] | None = None,
    save: Callable[[], str | None] | None = None,
    solution: bool = False,
    book: str = "",
) -> Result:
    """Run the learner's ``attempt()``, ``judge`` its answer, print one line, return the :class:`Result`.

    Args:
        task: the check's name, first on the line.
        attempt: runs the learner's code; returns the answer.
        judge: the answer's verdict (:func:`ok`, :func:`wrong`, :func:`not_yet`).
        source: the learner's code; None: the answer's, if it is a function or a class, else the
            running cell's.
        allowed: targets whose number is not a typed-in answer (:func:`typed_in`); None: numbers
            are not refused (a task that asks for numbers).
        install: called with True when OK, else False: puts the piece to use (the learner's or the
            course's) and returns a note for the line.
        save: called when OK: saves the piece (:mod:`grad.selfcheck.my_engine`), returns a note.
        solution: print the book's code for the task after the verdict.
        book: the check module's name: the solution's key is ``book.task``.
    """
    answer = None
    try:
        answer = attempt()
        unfinished = answer is ... or isinstance(answer, tuple | list) and any(x is ... for x in answer)
        result = not_yet() if unfinished else judge(answer)  # a judge runs the learner's functions
    except NotDefined as err:
        typo = f"; you have `{err.close}`: a typo for `{err.name}`?" if err.close else ""
        said = "is the course's: run your cell" if err.course else f"is not defined: run its cell{typo}"
        result = not_yet(f"`{err.name}` {said}")
    except KeyboardInterrupt:
        raise
    except (Exception, SystemExit) as err:
        result = _raised(err)
    if not isinstance(result, Result):  # the check's own mistake: loud, so that its tests catch it
        raise TypeError(f"run: the judge of {task} must return a Result, got {show(result)}")
    if source is None:
        source = (source_of(answer) if callable(answer) else None) or cell_source()
    if result.status == "WRONG" and has_placeholder(source):
        result = not_yet()
    if result and allowed is not None and (numbers := typed_in(source, allowed)):
        result = wrong(f"typed-in numbers: {'; '.join(numbers)}", "write it with the nodes' .data and .grad")
    notes = [_guarded(lambda: install(bool(result)), "putting the piece to use")] if install else []
    if result and save:
        notes.append(_guarded(save, "saving"))
    result = replace(result, task=task, note="; ".join(n for n in notes if n))
    print(result)
    if solution:
        print(solution_text(f"{book}.{task}" if book else task))
    return result


def _not_the_course(given: Any) -> Any:
    """``given``, unless it is a piece of the course's that a check put in the notebook (NotDefined)."""
    pieces = STANDING_IN.get(sys.modules["__main__"], {}) if "__main__" in sys.modules else {}
    for name, piece in pieces.items():
        if given is piece:
            raise NotDefined(name, course=True)
    return given


def run_task(
    book: str,
    name: str,
    names: Sequence[str],
    judge: Callable[[Any], Result],
    *,
    make: Callable[[dict[str, Any]], Any] | None = None,
    course: Mapping[str, object] | Callable[[], Mapping[str, object]] | None = None,
    methods: bool = False,
    kept: Callable[[str], bool] | None = None,
    until: str = "",
    yours: str = "",
    stage: str | None = None,
    given: Any = None,
    unrun: bool = False,
    torch: bool = False,
    **how: Any,
) -> Result:
    """:func:`run` for the task ``name`` of the check module ``book`` on the notebook's ``names``
    (``mine(n, own=True)``): until they pass, the course's pieces stand in; once passed, they are saved.

    Args:
        make: the answer, made of the dict of names found; None: the one name's value, or a tuple.
        course: the course's pieces by name (or a function giving them, called when needed): not OK,
            they go into the notebook (:func:`stand_in`), or with ``methods`` into its ``Value``,
            where the learner's go once OK. ``kept``: which names are the learner's after judging
            (methods judged one by one; None: all when OK, none when not).
        until: the note while the course's pieces are in use, ``{}`` standing for their names;
            ``yours``: the note when none is.
        stage: each name passed is saved there (:func:`grad.selfcheck.my_engine.save`).
        given: the answer the learner handed to the check, judged in place of ``names``: nothing is
            put in place or saved.
        unrun: a name missing, with none spelt like it, is "not yet": its task cell, which defines
            it, still holds its ``...``. ``torch``: a PyTorch task (:func:`without_torch` first).
        how: :func:`run`'s other arguments; ``attempt`` replaces the look-up of ``names``.
    """
    skipped = without_torch(name, solution=how.get("solution", False), book=book) if torch else None
    if skipped is not None:  # a Result, true only when OK
        return skipped
    found: dict[str, Any] = {}

    def attempt() -> Any:
        try:
            found.update({n: mine(n, own=True) for n in names})
        except NotDefined as err:
            if err.close or err.course or not unrun:  # the course's piece stands in: run your cell
                raise
            return ...
        if make is not None:
            return make(found)
        return found[names[0]] if len(names) == 1 else tuple(found.values())

    def install(passed: bool) -> str:
        theirs = [n for n in names if not (passed if kept is None else kept(n))]
        pieces = (course() if callable(course) else course) if theirs else {}
        if methods:
            try:
                cls = mine("Value")
            except NotDefined:  # the notebook's first cell has not run
                return "the notebook has no Value to put it in: run its first cell, Value = check.start()"
            for n in names:
                setattr(cls, n, pieces[n] if n in theirs else found[n])
        else:
            stand_in({n: pieces[n] for n in theirs})
        default = "until yours passes, " + ("Value" if methods else "the notebook") + " uses the course's {}"
        return (until or default).format(", ".join(theirs)) if theirs else yours

    def save() -> str:
        from grad.selfcheck import my_engine  # it reads this module: imported when a piece is saved

        notes = {my_engine.save(n, found[n], stage, name) for n in names} if stage else set()
        return "; ".join(sorted(n for n in notes if n))

    if given is not None:
        how["attempt"] = lambda: _not_the_course(given)
    else:  # read here: a check may run outside its cell
        how.setdefault("source", sources(names))
    how.setdefault("attempt", attempt)
    if course is not None and given is None:
        how["install"] = install
    if stage is not None and given is None:
        how.setdefault("save", save)
    return run(name, how.pop("attempt"), judge, book=book, **how)
