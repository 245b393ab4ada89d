"""The checks of notebooks/06_exercises.ipynb judge answers correctly, and never crash.

The exercise notebook is executed in real python3 kernels (cwd notebooks/), in four variants:

- ``stubs``: as shipped, every exercise still ``raise NotImplementedError``;
- ``wrong``: every stubbed function or method replaced by a deliberately wrong body that runs fine (a
  gradient off by one, a backward pass with ``=`` instead of ``+=``, a softmax that forgets to
  normalise, ...);
- ``crashing``: every stub replaced by a body that raises (a missing argument, endless recursion in
  ``__radd__``, a float where a Value belongs, ...) or returns something of the wrong shape;
- ``solved``: every stub cell replaced by the matching code of 06_exercises_solutions.ipynb.

The assertions are on the text the ``check_...`` cells print. Stub, check and score cells are found by
their content, not by position, so editing the prose of the notebooks does not break this file; a change
of the exercises themselves (a new stub, a renamed check) fails `test_the_notebooks_have_the_expected_shape`
with a message saying what to update here. The four kernels run concurrently (about 8 s in all).
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import copy
import functools
import math
import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXERCISES = NOTEBOOKS / "06_exercises.ipynb"
SOLUTIONS = NOTEBOOKS / "06_exercises_solutions.ipynb"

# The check calls of the exercise notebook, in order.
CHECKS = ["check_analytic", "check_forward", "check_central", "check_backward", "check_ops", "check_nll"]

# A deliberately wrong body for every stubbed function or method (keyed by its name). Each one runs
# without raising and returns something of the right shape, so every check must answer WRONG.
WRONG_BODIES = {
    # Exercise 1
    "gradient_analytic": """
        return [-3 * a**2 - 0.5 * a**-0.5 + 1.0, 3 * math.cos(3 * b) + 2.5 * b**1.5, 1 / c**2]  # df/da + 1
    """,
    "gradient_forward": """
        base = f(a, b, c)
        nudged = [f(a + h, b, c), f(a, b + h, c), f(a, b, c + h)]
        return [(y - base) / (2 * h) for y in nudged]  # wrong: the two points are h apart, not 2h
    """,
    "gradient_central": """
        up = [f(a + h, b, c), f(a, b + h, c), f(a, b, c + h)]
        down = [f(a - h, b, c), f(a, b - h, c), f(a, b, c - h)]
        return [(u - d) / h for u, d in zip(up, down)]  # wrong: the two points are 2h apart
    """,
    # Exercise 2a: the right order, but `=` instead of `+=`
    "backward": """
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._prev, node._local):
                child.grad = local * node.grad  # wrong: overwrites what other paths sent
    """,
    # Exercise 2b: each operation has a right result and a wrong local derivative
    "__radd__": """
        return Value(other + self.data, (self,), (0.0,))  # wrong: d/dself is 1
    """,
    "__mul__": """
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (self.data, other.data))  # wrong: swapped
    """,
    "__rmul__": """
        return Value(other * self.data, (self,), (1.0,))  # wrong: d/dself is other
    """,
    "__neg__": """
        return Value(-self.data, (self,), (1.0,))  # wrong: d/dself is -1
    """,
    "__sub__": """
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data - other.data, (self, other), (1.0, 1.0))  # wrong: d/dother is -1
    """,
    "__truediv__": """
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        return Value(a / b, (self, other), (1.0 / b, a / b**2))  # wrong: d/db is -a/b**2
    """,
    "exp": """
        return Value(math.exp(self.data), (self,), (self.data,))  # wrong: d/dx e^x is e^x
    """,
    "log": """
        return Value(math.log(self.data), (self,), (math.log(self.data),))  # wrong: d/dx log x is 1/x
    """,
    # Exercise 2c
    "softmax": """
        return [z.exp() for z in logits]  # wrong: not divided by the sum
    """,
    "nll": """
        return softmax(logits)[target].log()  # wrong: the minus sign is missing
    """,
}

# Bodies that crash, or return the wrong kind of thing: the checks must still answer, not raise.
CRASHING_BODIES = {
    "gradient_analytic": "return -3 * a**2  # one float, not a list of three",
    "gradient_forward": "return [(f(a + h) - f(a)) / h]  # TypeError: f takes three arguments",
    "gradient_central": "return [(f(a + h, b, c) - f(a - h, b, c)) / (2 * h)]  # only df/da",
    "backward": """
        for child in self._prev:
            child.grad += self._local  # TypeError: a float plus a tuple
    """,
    "__radd__": "return other + self  # RecursionError: float + Value comes straight back here",
    "__mul__": "return self.data * other.data  # a float, not a Value (and fails for numbers)",
    "__rmul__": "return self * other",
    "__neg__": "return -self.data  # a float, not a Value",
    "__sub__": "return Value(self.data - other.data, (self, other), (1.0, -1.0))  # numbers not wrapped",
    "__truediv__": "return self * other**-1  # TypeError: this Value has no __pow__",
    "exp": "return Value(math.exp(self))  # TypeError: math.exp needs a number",
    "log": "return math.log(self.data)  # a float, not a Value",
    "softmax": """
        total = logits.exp().sum()  # AttributeError: a list has no exp (numpy habits)
        return [z.exp() / total for z in logits]
    """,
    "nll": "return -math.log(softmax(logits)[target])",
}
BODIES = {"wrong": WRONG_BODIES, "crashing": CRASHING_BODIES}
KINDS = ("stubs", "wrong", "crashing", "solved")

STUB_LINE = re.compile(r"^(?P<indent>\s*)raise NotImplementedError\s*$")
DEF_LINE = re.compile(r"^\s*def (?P<name>\w+)\(")
VERDICT = re.compile(r"^(?P<label>.*?\S)\s*: (?P<verdict>OK|WRONG.*|not yet implemented.*)$")
SCORE = re.compile(r"^(?P<passed>\d+) of (?P<total>\d+) checks passed$", re.M)


# ---- finding cells by their content --------------------------------------------------------------


@functools.cache
def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb) -> list[tuple[int, str]]:
    return [(i, cell.source) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def _check_call(source: str) -> str | None:
    """The name of the check_... function a cell calls at top level, if any."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id.startswith("check_"):
                return func.id
    return None


def _check_cells(nb) -> dict[str, int]:
    found = [(name, i) for i, src in _code_cells(nb) if (name := _check_call(src))]
    names = [name for name, _ in found]
    assert names == CHECKS, (
        f"{EXERCISES.name}: expected the check cells {CHECKS} in this order, found {names}; "
        "update CHECKS (and WRONG_BODIES, CRASHING_BODIES) in tests/test_exercises.py"
    )
    return dict(found)


def _stubbed_functions(source: str) -> list[str]:
    """Names of the functions/methods in `source` whose body is `raise NotImplementedError`."""
    names, current = [], None
    for line in source.splitlines():
        if m := DEF_LINE.match(line):
            current = m["name"]
        elif STUB_LINE.match(line):
            assert current is not None, f"`raise NotImplementedError` outside a def:\n{source}"
            names.append(current)
    return names


def _stub_cells(nb) -> dict[int, list[str]]:
    return {i: names for i, src in _code_cells(nb) if (names := _stubbed_functions(src))}


def _with_bodies(source: str, bodies: dict[str, str]) -> str:
    """`source` with the `raise NotImplementedError` of each def replaced by bodies[def name]."""
    out, current = [], None
    for line in source.splitlines():
        if m := DEF_LINE.match(line):
            current = m["name"]
        if m := STUB_LINE.match(line):
            body = _dedent(bodies[current])
            out += [m["indent"] + b if b else "" for b in body.splitlines()]
        else:
            out.append(line)
    return "\n".join(out)


def _dedent(text: str) -> str:
    lines = text.strip("\n").splitlines()
    indent = min(len(ln) - len(ln.lstrip()) for ln in lines if ln.strip())
    return "\n".join(ln[indent:] for ln in lines)


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names a cell defines for later cells: defs, classes, assigned names, and `X` in `X.attr = ...`."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _free_names(tree: ast.Module) -> set[str]:
    """Names a cell reads but does not bind anywhere in itself (roughly: what it needs from elsewhere)."""
    loaded, bound = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            (loaded if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
            bound.add(n.name)
    return loaded - bound - set(dir(builtins))


def _solution_for(names: set[str]) -> str:
    """The code of the solutions notebook that defines `names`, with the helper cells it relies on.

    Candidates are the solutions' code cells that do not appear verbatim in the exercise notebook and call
    no check. The solved `Value` is spread over several cells (the class, then `Value.backward = ...` and
    the operations patched in later); they are all picked, in notebook order.
    """
    shared = {src for _, src in _code_cells(_read(EXERCISES))}
    cands = {
        i: ast.parse(src)
        for i, src in _code_cells(_read(SOLUTIONS))
        if src not in shared and not _check_call(src)
    }
    chosen = {i for i, tree in cands.items() if _top_level_names(tree) & names}
    assert chosen, f"{SOLUTIONS.name}: no cell defines {sorted(names)}"
    while True:
        needed = set().union(*(_free_names(cands[i]) for i in chosen))
        needed -= set().union(*(_top_level_names(cands[i]) for i in chosen))
        helpers = {i for i, tree in cands.items() if i not in chosen and _top_level_names(tree) & needed}
        if not helpers:
            break
        chosen |= helpers
    cells = _read(SOLUTIONS).cells
    return "\n\n\n".join(cells[i].source for i in sorted(chosen))


def _variant(kind: str):
    """A copy of the exercise notebook with its stubs left alone, replaced (wrong, crashing), or solved."""
    nb = copy.deepcopy(_read(EXERCISES))
    for i in _stub_cells(nb):
        source = nb.cells[i].source
        if kind in BODIES:
            nb.cells[i].source = _with_bodies(source, BODIES[kind])
        elif kind == "solved":
            nb.cells[i].source = _solution_for(_top_level_names(ast.parse(source)))
    return nb


# ---- running them ----------------------------------------------------------------------------------


@functools.cache
def _all_runs() -> dict:
    """Run every variant top to bottom, each in a fresh python3 kernel in notebooks/, concurrently.

    The root conftest.py has already set GRAD_STATIC_OUTPUTS=1 and PYTHONHASHSEED; the kernels inherit them.
    """
    env = dict(os.environ)  # plots go to the inline backend, as in Jupyter, whatever MPLBACKEND says here
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    runs = {kind: _variant(kind) for kind in KINDS}
    clients = [
        nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=120,
            allow_errors=True,  # collect every error, and report them all in _assert_clean
            record_timing=False,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        for nb in runs.values()
    ]

    async def run_all():
        await asyncio.gather(*(client.async_execute(env=env) for client in clients))

    asyncio.run(run_all())
    return runs


def _executed(kind: str):
    return _all_runs()[kind]


def _text(cell) -> str:
    return "".join(out.text for out in cell.get("outputs", []) if out.output_type == "stream")


def _assert_clean(nb, kind: str) -> None:
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i}: stderr: {out.text.strip()[:200]}")
    assert not problems, f"{kind} run of {EXERCISES.name}:\n" + "\n".join(problems)


def _verdicts(text: str) -> list[tuple[str, str, list[str]]]:
    """(label, verdict, the lines after it up to the next verdict) for every verdict line."""
    lines = text.splitlines()
    marks = [(k, m) for k, line in enumerate(lines) if (m := VERDICT.match(line))]
    ends = [k for k, _ in marks[1:]] + [len(lines)]
    return [(m["label"], m["verdict"], lines[k + 1 : end]) for (k, m), end in zip(marks, ends)]


def _numbers(line: str, word: str) -> list[float]:
    m = re.fullmatch(rf"\s*{word}\s+\[(?P<xs>[^\]]*)\]", line)
    assert m, f"expected a `{word} [...]` line, got {line!r}"
    return [float(x) for x in m["xs"].split(",")]


def _check_outputs(kind: str) -> dict[str, list[tuple[str, str, list[str]]]]:
    nb = _executed(kind)
    _assert_clean(nb, kind)
    out = {}
    for name, i in _check_cells(nb).items():
        text = _text(nb.cells[i])
        out[name] = _verdicts(text)
        assert out[name], f"{kind} run: the `{name}` cell printed no verdict:\n{text}"
    return out


def _score(kind: str) -> tuple[int, int]:
    nb = _executed(kind)
    found = [m for cell in nb.cells if cell.cell_type == "code" for m in SCORE.finditer(_text(cell))]
    assert len(found) == 1, f"{kind} run: expected one 'N of M checks passed' line, found {len(found)}"
    return int(found[0]["passed"]), int(found[0]["total"])


def _plot_cells(nb) -> list[int]:
    return [i for i, src in _code_cells(nb) if "No plot yet" in src]


def _assert_plots(kind: str, shown: bool) -> None:
    """The plotting cells of 1d and 2d draw a PNG when the answers run, and say why not otherwise."""
    nb = _executed(kind)
    for i in _plot_cells(nb):
        cell = nb.cells[i]
        pngs = [out for out in cell.outputs if "image/png" in out.get("data", {})]
        if shown:
            assert len(pngs) == 1, f"{kind} run: cell {i} should show one plot"
        else:
            assert not pngs and "No plot yet" in _text(cell), f"{kind} run: cell {i}"


# ---- the tests --------------------------------------------------------------------------------------


def test_the_notebooks_have_the_expected_shape():
    """Fast: stubs, checks and solutions can all be found, and every stub has replacement bodies here."""
    nb = _read(EXERCISES)
    _check_cells(nb)
    assert len(_plot_cells(nb)) == 2, "expected two plotting cells (exercises 1d and 2d)"
    stubs = _stub_cells(nb)
    stubbed = [name for names in stubs.values() for name in names]
    assert len(stubbed) == len(set(stubbed)), f"a function is stubbed twice: {stubbed}"
    for table in ("WRONG_BODIES", "CRASHING_BODIES"):
        missing = sorted(set(stubbed) - set(globals()[table]))
        assert not missing, f"new stubs {missing} in {EXERCISES.name}: add bodies for them to {table}"
        unused = sorted(set(globals()[table]) - set(stubbed))
        assert not unused, f"{table} has {unused}, which {EXERCISES.name} no longer stubs"
    for i in stubs:
        names = _top_level_names(ast.parse(nb.cells[i].source))
        solution = _solution_for(names)
        assert "raise NotImplementedError" not in solution
        assert _top_level_names(ast.parse(solution)) >= names
    # the solved Value is assembled from several cells of the solutions notebook, helpers included
    value = _solution_for({"Value"})
    assert "class Value" in value and "Value.backward" in value and "def truediv" in value


def test_the_variants_differ_only_in_the_stub_cells():
    original = _read(EXERCISES)
    stubs = _stub_cells(original)
    for kind in ("wrong", "crashing", "solved"):
        variant = _variant(kind)
        for i, cell in enumerate(original.cells):
            assert (variant.cells[i].source != cell.source) == (i in stubs), f"{kind}: cell {i}"
            if i in stubs:
                assert "raise NotImplementedError" not in variant.cells[i].source
                compile(variant.cells[i].source, f"{kind} cell {i}", "exec")


@pytest.mark.slow
def test_stubs_are_reported_as_not_yet_implemented():
    stub_names = {name for names in _stub_cells(_read(EXERCISES)).values() for name in names}
    for check, verdicts in _check_outputs("stubs").items():
        for label, verdict, _ in verdicts:
            m = re.fullmatch(r"not yet implemented \(`(\w+)` still raises NotImplementedError\)", verdict)
            assert m, f"{check}: {label}: {verdict!r}"
            assert m[1] in stub_names, f"{check}: {label} names `{m[1]}`, which is not a stub"
    assert _score("stubs") == (0, len(CHECKS))
    _assert_plots("stubs", shown=False)


@pytest.mark.slow
def test_wrong_answers_are_reported_as_wrong_with_both_values():
    outputs = _check_outputs("wrong")
    for check, verdicts in outputs.items():
        for label, verdict, rest in verdicts:
            assert verdict == "WRONG", f"{check}: {label}: {verdict!r} (every answer in this run is wrong)"
            assert len(rest) >= 2, f"{check}: {label}: WRONG without the expected and the learner's values"
            expected, yours = _numbers(rest[0], "expected"), _numbers(rest[1], "yours")
            assert len(expected) == len(yours) and expected != yours, f"{check}: {label}"
    assert _score("wrong") == (0, len(CHECKS))
    _assert_plots("wrong", shown=True)  # wrong answers still run, so the plots are drawn

    def values(check, k=0):
        _, _, rest = outputs[check][k]
        return _numbers(rest[0], "expected"), _numbers(rest[1], "yours")

    # The printed values are the learner's, so each deliberate bug can be read off them.
    expected, yours = values("check_analytic")
    assert [y - e for e, y in zip(expected, yours)] == pytest.approx([1.0, 0.0, 0.0], abs=2e-6)
    expected, yours = values("check_forward")  # divided by 2h: half the slope
    assert yours == pytest.approx([e / 2 for e in expected], rel=1e-5, abs=1e-6)
    expected, yours = values("check_central")  # divided by h: twice the slope
    assert yours == pytest.approx([2 * e for e in expected], rel=1e-5, abs=1e-6)
    expected, yours = values("check_backward")  # e = 4a + 2b at a = 2, b = -3; `=` keeps one path each
    assert (expected, yours) == ([2.0, 4.0, 2.0], [2.0, 1.0, 1.0])
    expected, yours = values("check_nll", 0)  # softmax probabilities, not normalised: exp(z)
    nb = _executed("wrong")
    logits = re.search(r"logits \[(.*?)\]", _text(nb.cells[_check_cells(nb)["check_nll"]]))
    assert logits, "check_nll no longer prints its logits"
    assert sum(expected) == pytest.approx(1.0, abs=1e-5)
    assert yours == pytest.approx([math.exp(float(z)) for z in logits[1].split(",")], abs=2e-6)


@pytest.mark.slow
def test_answers_that_crash_are_reported_as_wrong_not_raised():
    outputs = _check_outputs("crashing")
    raised = {}
    for check, verdicts in outputs.items():
        for label, verdict, rest in verdicts:
            if m := re.fullmatch(r"WRONG: it raised (\w+): .+", verdict):
                raised[label.strip()] = m[1]
            else:
                assert verdict == "WRONG", f"{check}: {label}: {verdict!r}"
                shown = [line.split()[0] for line in rest[:2]]
                assert shown == ["expected", "yours"], f"{check}: {label}: {rest}"
    assert _score("crashing") == (0, len(CHECKS))
    _assert_plots("crashing", shown=False)
    # a scalar and a too-short list are shown as they are
    yours = outputs["check_analytic"][0][2][1]
    assert yours.split() == ["yours", "-12.0"], yours
    assert len(_numbers(outputs["check_central"][0][2][1], "yours")) == 1
    assert raised["Exercise 1b (forward difference)"] == "TypeError"
    assert raised["Exercise 2a (backward)"] == "TypeError"
    assert raised["3.0 + a, sum([a, b, a])"] == "RecursionError"
    assert raised["Exercise 2c (softmax + NLL)"] == "AttributeError"
    ops = [label.strip() for label, _, _ in outputs["check_ops"]]
    assert set(ops) <= set(raised), "every operation in this run raises"


@pytest.mark.slow
def test_solutions_pass_every_check():
    solved = _check_outputs("solved")
    for check, verdicts in solved.items():
        for label, verdict, rest in verdicts:
            assert verdict == "OK" and not rest, f"{check}: {label}: {verdict} {rest}"
    assert _score("solved") == (len(CHECKS), len(CHECKS))
    _assert_plots("solved", shown=True)
    # Every sub-check of the wrong run was judged, and passes here: the same labels, in the same order.
    wrong = _check_outputs("wrong")
    for check in CHECKS:
        assert [label for label, _, _ in solved[check]] == [label for label, _, _ in wrong[check]], check
    assert len(solved["check_ops"]) >= 2 and len(solved["check_nll"]) == 3
