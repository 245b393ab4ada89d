"""Self-checks for the course's "Your turn" cells: OK, WRONG with a hint, or not yet.

Each notebook's tasks are checked by the module of its topic: :mod:`grad.selfcheck.derivatives`
for notebook 01, ``value`` for 02, ``backprop`` for 03, ``neurons`` for 04, ``training`` for 05
and ``exercises`` for 06. A check runs your code, compares it with a reference that it computes
itself (never a typed-in number), prints one verdict and returns True when it is OK::

    nudging b: OK
    nudging b: WRONG: d moved by -3.0 per unit of b, expected 2.0. Hint: nudge b, not a.
    nudging b: not yet (replace the ... with your code)

In a notebook a check is called with no arguments, ``check.slope()``: it looks up your names
(``slope``, ``Value``, ...) in the notebook when it runs, with :func:`mine`. A name that is not
defined, because its cell has not run or stopped at an error, gives ``not yet``, never a
NameError. Tests pass the same things as arguments instead.

A check never raises: when your code crashes, the verdict is WRONG with the error it raised, and a
typo (a NameError or an AttributeError) gets a hint about the name, not about the maths. An
answer that is wrong while your code still holds a ``...`` is ``not yet``. What a check returns
is true when the answer is right, and shows nothing in a notebook (the line is already printed).

A check has no time limit: code that loops forever is stopped the way any cell is, with Jupyter's
interrupt button (a KeyboardInterrupt), which a check never swallows; the state a check changes
for a while (Python's random generator, a method it counts the calls of) is put back even then.
A limit of its own would need a signal (main thread only) or a thread that cannot be stopped.

Example:
    >>> verdict("square", lambda: 3 * 3, lambda got: None if got == 9 else f"expected 9, got {got}")
    square: OK
    True
    >>> verdict("square", lambda: ..., lambda got: None)
    square: not yet (replace the ... with your code)
    False
    >>> verdict("square", lambda: 1 / 0, lambda got: None, hint="divide by something else")
    square: WRONG: your code raised ZeroDivisionError: division by zero. Hint: divide by something else
    False
    >>> verdict("square", lambda: mine("no_such_name_here"), lambda got: None)
    square: not yet (`no_such_name_here` is not defined: run the cell above, and fix it if it shows an error)
    False
"""

from __future__ import annotations

import ast
import difflib
import dis
import inspect
import math
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = [
    "Verdict",
    "verdict",
    "mine",
    "mine_function",
    "NotDefined",
    "NotAFunction",
    "FROM_NOTEBOOK",
    "error_hint",
    "error_text",
    "one_line",
    "is_slip",
    "missing_operator",
    "has_placeholder",
    "outside_names",
    "differs",
    "number",
    "close",
    "is_value_like",
]

NOT_YET = "not yet (replace the ... with your code)"
NOT_YET_RAISES = "not yet (your code still raises NotImplementedError: write it in place of that line)"


class Verdict(int):
    """What a check found: 1 (true) when the answer is right, else 0.

    In a notebook it displays nothing, because the check has already printed its verdict line;
    in code it is a plain truth value (``if check.slope(...):``).
    """

    def __new__(cls, ok: bool) -> Verdict:
        return super().__new__(cls, bool(ok))

    def __repr__(self) -> str:
        return repr(bool(self))

    def _ipython_display_(self) -> None:
        pass  # the verdict line is already printed


# ---- the learner's names, looked up in the notebook ----------------------------------------------------


class _FromNotebook:
    """The default of a check's arguments: look the name up in the notebook when the check runs."""

    def __repr__(self) -> str:
        return "<from the notebook>"


FROM_NOTEBOOK: Any = _FromNotebook()
"""A check's argument left out: the check uses the notebook's variable of that name (see :func:`mine`)."""


class NotDefined(NameError):
    """A name the check needs is not defined in the notebook: the verdict is ``not yet``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"`{name}` is not defined")
        self.name = name


class NotAFunction(TypeError):
    """A name the check calls holds something that cannot be called: the verdict is WRONG, saying so."""

    def __init__(self, name: str, got: object) -> None:
        super().__init__(
            f"`{name}` should be a function or a class, got {type(got).__name__}: {_short_repr(got)}"
        )
        self.name = name


class _State(threading.local):
    """What the running check got from mine() (scanned for a leftover ...), one list per thread."""

    looked_up: list[object] | None = None


_state = _State()


def mine(name: str, given: Any = FROM_NOTEBOOK) -> Any:
    """The learner's ``name``: ``given`` when the check was passed it, else the notebook's variable.

    The notebook's variables are those of the module ``__main__`` (where IPython runs the cells).
    Call it inside a check's attempt, so that a missing name becomes a ``not yet`` verdict.

    Raises:
        NotDefined: ``name`` was not given and the notebook has no variable of that name.

    Example:
        >>> mine("x", given=3)
        3
        >>> mine("no_such_name_here")
        Traceback (most recent call last):
        ...
        grad.selfcheck.NotDefined: `no_such_name_here` is not defined
    """
    if given is FROM_NOTEBOOK:
        namespace = vars(sys.modules["__main__"]) if "__main__" in sys.modules else {}
        if name not in namespace:
            raise NotDefined(name)
        given = namespace[name]
    if _state.looked_up is not None:
        _state.looked_up.append(given)
    return given


def mine_function(name: str, given: Any = FROM_NOTEBOOK) -> Any:
    """:func:`mine`, for a name the check calls: a :class:`NotAFunction` when it cannot be called.

    Example:
        >>> mine_function("slope", given=None)
        Traceback (most recent call last):
        ...
        grad.selfcheck.NotAFunction: `slope` should be a function or a class, got NoneType: None
    """
    got = mine(name, given)
    if got is not ... and not callable(got):
        raise NotAFunction(name, got)
    return got


def _not_defined(name: str) -> str:
    return f"not yet (`{name}` is not defined: run the cell above, and fix it if it shows an error)"


_LONGEST = 300  # characters of the learner's own text (an error message, a repr) that a verdict shows


def one_line(text: str, limit: int = _LONGEST) -> str:
    """``text`` on one line (each run of white space with a line break becomes a space), cut at ``limit``.

    A line break is any that ``str.splitlines`` knows. The time is linear in ``len(text)``, so a
    learner's message of a million characters costs milliseconds, not hours.

    Example:
        >>> one_line("shape mismatch:" + chr(10) + "  got [3]" + chr(10) + chr(10) + "  expected [6]")
        'shape mismatch: got [3] expected [6]'
        >>> one_line("x" * 10, limit=6)
        'xxx...'
    """
    lines = (line.strip() for line in text.splitlines())
    text = " ".join(line for line in lines if line)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_repr(x: object) -> str:
    """``repr(x)`` on one line and cut short; a repr that raises is named instead."""
    try:
        text = repr(x)
    except Exception:  # the learner's own __repr__ broke
        text = f"<{type(x).__name__}>"
    return one_line(text, 80)


def error_text(err: BaseException) -> str:
    """``str(err)`` on one line and cut short (it may be long, or raise)."""
    try:
        text = str(err)
    except Exception:
        text = ""
    return one_line(text)


# ---- what went wrong in the learner's code ---------------------------------------------------------------

_BUILTIN_TYPES = (int, float, complex, bool, str, bytes, list, tuple, dict, set, type(None), type(...))
# the attributes and methods that the course's cells give a Value (a dunder counts too): when one is
# missing, the cells that add it have to run again (say, after the class cell was run once more)
_INSTANCE_ATTRIBUTES = frozenset({"grad", "_backward", "_prev", "_op", "label"})  # set by __init__
ENGINE_NAMES = _INSTANCE_ATTRIBUTES | {"backward", "tanh", "exp", "log", "relu", "parameters"}
_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "** or pow()": "pow", "//": "floordiv"}
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (.+): '(\w+)' and '(\w+)'")
_UNARY = re.compile(r"bad operand type for unary -: '(\w+)'")


def rerun_below(owner: str, name: str) -> str:
    """The hint for a method that the class lost: the cells that add it have to run again."""
    return f"your {owner} has no `{name}`: run the cells below the class again"


_ALIASES = {"children": "_prev", "prev": "_prev", "op": "_op", "gradient": "grad", "value": "data"}


def _innermost_names(err: BaseException) -> list[str]:
    """The local variables (and arguments) of the function where ``err`` was raised."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return [] if tb is None else list(tb.tb_frame.f_code.co_varnames) + list(tb.tb_frame.f_locals)


def _suggest(name: str, candidates: Sequence[str]) -> str:
    others = [c for c in candidates if not c.startswith("__") and c != name]
    close_ones = difflib.get_close_matches(name, others, n=5)
    swapped = [c for c in close_ones if sorted(c) == sorted(name)]  # two letters the wrong way round
    close_ones = swapped or close_ones
    return f"; did you mean `{close_ones[0]}`?" if close_ones else "?"


def error_hint(err: BaseException) -> str | None:
    """A hint about a slip in the learner's code, or None when the error is not one of these.

    A NameError or an AttributeError is a name that does not exist: most often a typo, so the hint
    names it (and the nearest name that does exist); a method of the course's engine that a Value
    lost gets "run the cells below the class again"; calling a None is most often
    ``out._backward = _backward()``.

    Example:
        >>> import math
        >>> try:
        ...     math.lg(2.0)
        ... except AttributeError as err:
        ...     error_hint(err)
        '`math.lg` does not exist: a typo; did you mean `math.log`?'
    """
    if isinstance(err, NameError) and not isinstance(err, NotDefined) and getattr(err, "name", None):
        suggestion = _suggest(err.name, _innermost_names(err))
        if suggestion != "?":
            return f"`{err.name}` is not defined: a typo{suggestion}"
        return f"`{err.name}` is not defined: a typo? Use names your code defines, or the ones it is given"
    if isinstance(err, AttributeError) and getattr(err, "name", None) and hasattr(err, "obj"):
        obj, name = err.obj, err.name
        if isinstance(obj, types.ModuleType):
            where = obj.__name__
            suggestion = _suggest(name, dir(obj)).replace("`", f"`{where}.", 1)
            return f"`{where}.{name}` does not exist: a typo{suggestion}"
        if isinstance(obj, _BUILTIN_TYPES):
            return None  # a number where a Value was meant, say: the check's own hint says more
        owner = f"class {obj.__name__}" if isinstance(obj, type) else type(obj).__name__
        kind = obj if isinstance(obj, type) else type(obj)
        if name in ENGINE_NAMES and (name in _INSTANCE_ATTRIBUTES or not hasattr(kind, name)):
            return rerun_below(owner, name)
        if name.startswith("__") and name.endswith("__") and not hasattr(kind, name):
            return rerun_below(owner, name)
        if name in _ALIASES and hasattr(obj, _ALIASES[name]):
            return f"your {owner} has no `{name}`: it is called `{_ALIASES[name]}`"
        return f"your {owner} has no `{name}`: a typo{_suggest(name, dir(obj))}"
    if isinstance(err, TypeError) and str(err) == "'NoneType' object is not callable":
        return "you called a None: assign the function, don't call it: `out._backward = _backward`, no ()"
    return None


def is_slip(err: BaseException) -> bool:
    """A name that does not exist in the learner's code: a NameError, or an AttributeError of a module
    or of the learner's own objects (not of a number or a None, where a Value was meant: the check's
    own hint explains that). Such an error gets :func:`error_hint`'s hint, never the maths hint."""
    if isinstance(err, NameError):
        return not isinstance(err, NotDefined)
    return isinstance(err, AttributeError) and not isinstance(getattr(err, "obj", None), _BUILTIN_TYPES)


def missing_operator(err: BaseException, value_class: object) -> str | None:
    """The operator method (``__mul__``, ``__radd__``, ...) whose absence from ``value_class`` made ``err``.

    Example:
        >>> class V:
        ...     pass
        >>> try:
        ...     V() * V()
        ... except TypeError as err:
        ...     missing_operator(err, V)
        '__mul__'
    """
    name = getattr(value_class, "__name__", None)
    if not isinstance(err, TypeError) or name is None:
        return None
    if m := _UNARY.fullmatch(str(err)):
        return "__neg__" if m[1] == name and not hasattr(value_class, "__neg__") else None
    m = _UNSUPPORTED.fullmatch(str(err))
    if m is None or m[1] not in _OPERATORS:
        return None
    op = _OPERATORS[m[1]]
    if m[2] == name and not hasattr(value_class, f"__{op}__"):
        return f"__{op}__"
    if m[3] == name and m[2] != name and not hasattr(value_class, f"__r{op}__"):
        return f"__r{op}__"
    return None


def _functions(obj: object) -> Iterator[Callable[..., Any]]:
    """The learner's functions in ``obj``: a function, or the methods a class defines itself."""
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    if isinstance(obj, types.FunctionType):
        yield obj
    elif isinstance(obj, type) and obj.__module__ == "__main__":
        for member in vars(obj).values():
            yield from _functions(member)


def has_placeholder(obj: object) -> bool:
    """True when the source of the function ``obj`` (or of a class's methods) still holds a ``...``.

    Example:
        >>> def unfinished(x):
        ...     y = 2 * x
        ...     ...  # your code here
        ...     return y
        >>> has_placeholder(unfinished), has_placeholder(len)
        (True, False)
    """
    for fn in _functions(obj):
        try:
            tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(fn)))
        except (OSError, TypeError, SyntaxError):  # no source: the constants that the code kept
            if any(... in code.co_consts for code in _code_objects(fn.__code__)):
                return True
            continue
        if any(isinstance(n, ast.Constant) and n.value is ... for n in ast.walk(tree)):
            return True
    return False


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


# what a function may well take from outside: code, not data (an instance with __call__, such as a
# network, is data)
_CODE_KINDS = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    type,
    staticmethod,
    classmethod,
)


def outside_names(fn: object) -> list[str]:
    """The variables (not modules or functions) that function ``fn`` reads from outside itself.

    Example:
        >>> h = 0.5
        >>> def nudged(x):
        ...     return x + h
        >>> outside_names(nudged), outside_names(print)
        (['h'], [])
    """
    if not isinstance(fn, types.FunctionType):
        return []
    found = []
    for code in _code_objects(fn.__code__):
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval in fn.__globals__:
                value = fn.__globals__[ins.argval]
                if not isinstance(value, _CODE_KINDS) and ins.argval not in found:
                    found.append(ins.argval)
    return found


def _is_wrong(problem: str | None) -> bool:
    return problem is not None and problem.startswith("WRONG")


def verdict(
    task: str,
    attempt: Callable[[], Any],
    judge: Callable[[Any], str | None],
    hint: str = "",
    errors: Callable[[Exception], str | None] | None = None,
) -> Verdict:
    """Run ``attempt()``, judge its result, print ``task: OK`` / ``WRONG: ...`` / ``not yet``.

    Args:
        task: what is being checked, in a few words.
        attempt: runs the learner's code and returns its answer; it gets the learner's names with
            :func:`mine`. ``...`` (Ellipsis) as the answer, a NotImplementedError, or a name
            that is not defined means the learner has not written it yet.
        judge: takes the answer and returns None when it is right, else what is wrong with it.
            An exception in ``judge`` (say, the answer has the wrong type) counts as WRONG.
        hint: added after a WRONG verdict, unless the learner's code crashed on a slip that
            :func:`error_hint` (or ``errors``) explains better.
        errors: a check's own hints for errors of the learner's code (None when it has none).

    Returns:
        A :class:`Verdict`, true when the answer is right. Never raises (except KeyboardInterrupt).
        A WRONG answer from code that still holds a ``...`` (see :func:`has_placeholder`) is
        ``not yet``.
    """
    outer, _state.looked_up = _state.looked_up, []  # (a check run inside a check keeps its own)
    try:
        problem = _problem(attempt, judge, errors)
        looked_up = _state.looked_up
    finally:
        _state.looked_up = outer
    if _is_wrong(problem) and ("'ellipsis'" in problem or _any_placeholder(looked_up)):
        problem = NOT_YET  # a ... is still in the learner's code
    if problem is None:
        print(f"{task}: OK")
        return Verdict(True)
    if isinstance(problem, _Crash):
        problem, hint = problem.text, problem.hint if problem.hint is not None else hint
    if problem.startswith("WRONG") and hint and "Hint: " not in problem:
        problem = f"{problem.rstrip('.')}. Hint: {hint}"
    print(f"{task}: {one_line(problem, 2000)}")
    return Verdict(False)


def _any_placeholder(objects: list[object]) -> bool:
    """:func:`has_placeholder` of any of ``objects``; False when their source cannot be read."""
    try:
        return any(has_placeholder(obj) for obj in objects)
    except Exception:  # a source that inspect cannot make sense of: judged as it is
        return False


class _Crash(str):
    """A WRONG verdict for code that raised, with the hint that fits the error (None: the check's)."""

    def __new__(cls, text: str, hint: str | None) -> _Crash:
        crash = super().__new__(cls, text)
        crash.text, crash.hint = text, hint
        return crash


def _problem(
    attempt: Callable[[], Any],
    judge: Callable[[Any], str | None],
    errors: Callable[[Exception], str | None] | None,
) -> str | None:
    """What :func:`verdict` prints after the task: None when it is OK."""
    try:
        answer = attempt()
    except NotImplementedError:
        return NOT_YET_RAISES
    except NotDefined as err:
        return _not_defined(err.name)
    except NotAFunction as err:
        hint = f"run the cell that defines `{err.name}`, and give nothing else that name"
        return f"WRONG: {error_text(err)}. Hint: {hint}"
    except (Exception, SystemExit) as err:  # the learner's mistake, reported instead of raised
        text = f"WRONG: your code raised {type(err).__name__}" + (
            f": {error_text(err)}" if error_text(err) else ""
        )
        if isinstance(err, SystemExit):
            return _Crash(text, "exit() and sys.exit() stop a program: return the answer instead")
        special = (errors(err) if errors and isinstance(err, Exception) else None) or error_hint(err)
        if special:
            return _Crash(text, special)
        return _Crash(text, "" if is_slip(err) else None)  # a slip: the check's hint about the maths misleads
    try:
        problem = NOT_YET if answer is ... else judge(answer)
    except (Exception, SystemExit) as err:  # an answer of the wrong kind
        problem = error_text(err) or f"your answer made the check raise {type(err).__name__}"
    if problem is not None and not problem.startswith("not yet"):
        problem = f"WRONG: {problem}"
    return problem


def number(x: object, what: str) -> float:
    """``x`` as a float, or a TypeError that says what was expected (judges turn it into WRONG).

    Example:
        >>> import grad
        >>> number(grad.Value(2.0), "dfda")
        Traceback (most recent call last):
        ...
        TypeError: dfda should be a number, got Value with data 2: use its .data
    """
    if isinstance(x, bool) or not isinstance(x, int | float) and not hasattr(x, "__float__"):
        data = getattr(x, "data", None)
        if isinstance(data, int | float) and not isinstance(data, bool):
            kind = type(x).__name__
            raise TypeError(f"{what} should be a number, got {kind} with data {data:g}: use its .data")
        raise TypeError(f"{what} should be a number, got {type(x).__name__}: {_short_repr(x)}")
    return float(x)


def differs(
    expected: Sequence[float], got: Sequence[object], names: Sequence[str], tol: float = 1e-9
) -> str | None:
    """None when every ``got`` is within ``tol`` of ``expected``, else the first that is not.

    ``tol`` is relative, and absolute below 1.

    Example:
        >>> differs([2.0, -3.0], [2.0, 3.0], ["da", "db"])
        'db is 3, expected -3'
    """
    if len(got) != len(expected):
        return f"expected {len(expected)} numbers ({', '.join(names)}), got {len(got)}"
    for name, e, g in zip(names, expected, got):
        g = number(g, name)
        if not (abs(g - e) <= tol * max(1.0, abs(e))) or math.isnan(g):
            return f"{name} is {g:.6g}, expected {e:.6g}"
    return None


def close(got: float, expected: float, rel: float = 1e-9) -> bool:
    """|got - expected| <= rel * max(1, |expected|): relative, and absolute below 1; False for NaN."""
    return abs(got - expected) <= rel * max(1.0, abs(expected))


def is_value_like(x: object, *methods: str) -> bool:
    """True when ``x`` has ``data`` and ``grad`` (a micrograd-style Value) and the named methods."""
    return hasattr(x, "data") and hasattr(x, "grad") and all(callable(getattr(x, m, None)) for m in methods)
