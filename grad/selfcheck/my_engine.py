"""The learner's own engine: each piece that passes its check is saved, and the next notebook starts from it.

When a folder ``my_micrograd/`` sits next to the notebook (``make lab`` makes one), a check that
says OK writes that piece of your code into ``my_micrograd/engine.py`` (a method of ``class
Value``) or ``my_micrograd/nn.py`` (``Neuron``, ``Layer``, ``MLP``), under a comment naming the
check and its stage. Nothing else writes there, and without the folder nothing is written at all.

Each notebook begins with ``Value = check.start()``, which calls :func:`start` with the stage the
notebook begins at: your ``Value`` from ``engine.py``, with each method you have not yet got right
*for that stage* taken from the course's (:class:`grad.lecture.Value`), and one line saying which.

The stages, in the lecture's order (a method saved at a stage is used from then on, until the
lecture rewrites it):

======================  ==============================================================
``02.value``            Value: data, _prev, _op, label, __repr__, + and * (no gradient)
``03.grad``             __init__ gains grad; tanh's forward pass
``04.closures``         __init__ gains _backward; +, * and tanh get closures (with =)
``04.backward``         backward() with build_topo
``04.fix``              the closures add with +=, so a node used twice gets both parts
``05.wrap``             + and * take plain numbers; __radd__, __rmul__
``05.ops``              __pow__, exp, division, negation, subtraction
``05.nn``               Neuron, Layer, MLP (in nn.py)
``06.training``         the training loop
======================  ==============================================================
"""

from __future__ import annotations

import ast
import builtins
import dis
import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
import types
from pathlib import Path

from grad import lecture
from grad.selfcheck.core import one_line, source_of

__all__ = ["ORDER", "REWRITES", "STAGES", "save", "start"]

STAGES = tuple("02.value 03.grad 04.closures 04.backward 04.fix 05.wrap 05.ops 05.nn 06.training".split())
ORDER = (  # the lecture's order of Value's methods; others follow in the order they were saved
    "__init__ __repr__ __add__ __mul__ __pow__ __rmul__ __truediv__ __neg__ __sub__ __radd__ __rsub__ "
    "__rtruediv__ tanh exp backward"
).split()
REWRITES = {  # the stages at which the lecture (re)writes each method
    "__init__": ("02.value", "03.grad", "04.closures"),
    "__repr__": ("02.value",),
    "__add__": ("02.value", "04.closures", "04.fix", "05.wrap"),
    "__mul__": ("02.value", "04.closures", "04.fix", "05.wrap"),
    "tanh": ("03.grad", "04.closures", "04.fix"),
    "backward": ("04.backward",),
    **{name: ("05.wrap",) for name in ("__radd__", "__rmul__")},
    **{name: ("05.ops",) for name in ORDER[4:12] + ["exp"] if name not in ("__radd__", "__rmul__")},
}
FOLDER = "my_micrograd"
IMPORTS = "import math\nimport random\n"  # what a saved piece may use, besides builtins and the classes
ENGINE_HEADER = f'"""My micrograd engine: each method saved by the check it passed."""\n\n{IMPORTS}'
NN_HEADER = f'"""My neural net: each class saved by its check."""\n\n{IMPORTS}\nfrom .engine import Value\n'
MAY_READ = frozenset(vars(builtins)) | {"math", "random", "Value", "Neuron", "Layer", "MLP", "Module"}
STAMP = re.compile(r"\s*# saved by check\.(\w+)\(\) at stage (\S+)")
MARKER = re.compile(r"^[ \t]*### (?:BEGIN|END) SOLUTION[ \t]*(?:\n|$)", re.M)  # the book's, whole lines


def _stamp(check: str, stage: str) -> str:
    return f"# saved by check.{check}() at stage {stage}"


def _globals_read(fn: types.FunctionType) -> list[str]:
    codes, names = [fn.__code__], []
    for code in codes:
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        names += [i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
    names += [n for n in fn.__code__.co_freevars if n != "__class__"]  # variables of an enclosing function
    return sorted({n for n in names if n not in MAY_READ})


def _unsaveable(piece: object) -> str | None:
    """Why ``piece`` cannot go into a file of its own, or None."""
    fns = [piece] if isinstance(piece, types.FunctionType) else []
    fns += [getattr(m, "__func__", m) for m in vars(piece).values()] if isinstance(piece, type) else []
    fns = [f for f in fns if isinstance(f, types.FunctionType)]
    if any(f.__name__ == "<lambda>" for f in fns):
        return "write it with def to save it"
    outside = sorted({n for f in fns for n in _globals_read(f)})
    if outside:
        return (
            f"it reads {', '.join(f'`{n}`' for n in outside[:4])} from the notebook, which {FOLDER}/ has not"
        )
    return None if fns else "it is not a function or a class"


def _pieces(lines: list[str], body: list[ast.stmt], kind: type) -> dict[str, tuple[int, int, str]]:
    """Each ``kind`` node of ``body`` by name: (first line, end line, stage), its stamp line included.

    A piece without a stamp was written into the file by hand: it is trusted, as if of the last stage.
    """
    found = {}
    for node in body:
        if isinstance(node, kind):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
            stamp = STAMP.fullmatch(lines[first - 1].rstrip()) if first > 0 else None
            stage = stamp[2] if stamp and stamp[2] in STAGES else STAGES[-1]
            found[node.name] = (first - 1 if stamp else first, node.end_lineno or first + 1, stage)
    return found


def _later(lines: list[str], tree: ast.Module, name: str, stage: str, is_class: bool) -> str | None:
    """The stage of the saved ``name`` when a check saved it at a stage after ``stage`` (a notebook run
    again later in the course must not put back an earlier version), else None."""
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value"), None)
    body = tree.body if is_class else [] if cls is None else cls.body
    piece = _pieces(lines, body, ast.ClassDef if is_class else ast.FunctionDef).get(name)
    if piece is None or not STAMP.fullmatch(lines[piece[0]].rstrip()):  # none, or written by hand
        return None
    return piece[2] if STAGES.index(piece[2]) > STAGES.index(stage) else None


def _put(lines: list[str], pieces: dict[str, tuple[int, int, str]], name: str, new: str, end: int) -> None:
    """Replace the piece ``name`` in ``lines`` by ``new``, or add it before the first that the lecture
    writes after it (else at line ``end``). Everything else in the file stays as it is."""
    if name in pieces:
        first, last, _ = pieces[name]
        lines[first:last] = [new]
        return
    rank = {n: i for i, n in enumerate(ORDER)}
    later = [
        first for k, (first, _, _) in pieces.items() if rank.get(k, len(ORDER)) > rank.get(name, len(ORDER))
    ]
    if later:
        lines[min(later) : min(later)] = [new, "\n"]
    else:
        lines[end:end] = ["\n" if lines[end - 1].strip() else "", new]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # whole or not at all: a crash never leaves half a file
    finally:
        tmp.unlink(missing_ok=True)


def _dedent_to(code: str, indent: str) -> str:
    lines = code.splitlines()
    cut = min((len(s) - len(s.lstrip()) for s in lines if s.strip()), default=0)
    return "".join(f"{indent}{s[cut:]}\n" if s.strip() else "\n" for s in lines)


def save(name: str, piece: object, stage: str, check: str) -> str | None:
    """Save ``piece`` (a method of Value, or a class for nn.py) under ``name``; a note for the verdict line.

    Returns None when there is no ``my_micrograd/`` folder here (nothing is saved, nothing said).
    Never raises: a file that does not parse is left as it is, and the note says so.
    """
    if stage not in STAGES:
        raise ValueError(f"my_engine.save: stage must be one of {STAGES}, got {stage!r}")
    folder = Path.cwd() / FOLDER
    if not folder.is_dir():
        return None
    why = _unsaveable(piece)
    code = source_of(piece) if why is None else None
    if why is None and code is None:
        why = "its source cannot be read"
    if why:
        return f"not saved: {why}"
    is_class = isinstance(piece, type)
    path = folder / ("nn.py" if is_class else "engine.py")
    try:
        text = (
            path.read_text(encoding="utf-8") if path.exists() else (NN_HEADER if is_class else ENGINE_HEADER)
        )
        tree = ast.parse(text)
    except SyntaxError as err:
        return f"not saved: {FOLDER}/{path.name} does not parse (line {err.lineno}): fix it or delete it"
    except (OSError, ValueError) as err:
        return f"not saved: {FOLDER}/{path.name} cannot be read ({type(err).__name__})"
    code = MARKER.sub("", code)
    code = re.sub(r"^(\s*(?:async\s+)?(?:def|class)\s+)\w+", rf"\g<1>{name}", code, count=1, flags=re.M)
    stamp, lines = _stamp(check, stage), text.splitlines(keepends=True)
    if (later := _later(lines, tree, name, stage, is_class)) is not None:
        return f"not saved: {FOLDER}/{path.name} keeps your {name} of stage {later}, a later one"
    if is_class:
        new = f"{stamp}\n{_dedent_to(code, '')}"
        if name not in (pieces := _pieces(lines, tree.body, ast.ClassDef)):
            lines.append("\n\n" if lines and lines[-1].strip() else "\n")
        _put(lines, pieces, name, new, len(lines))
    else:
        cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value"), None)
        new = f"    {stamp}\n{_dedent_to(code, '    ')}"
        if cls is None:
            lines.append(f"\n\nclass Value:\n{new}")
        else:
            _put(lines, _pieces(lines, cls.body, ast.FunctionDef), name, new, cls.end_lineno or len(lines))
    text = "".join(lines)
    try:
        _write(path, text)
    except OSError as err:
        return f"not saved: {FOLDER}/{path.name} cannot be written ({type(err).__name__})"
    return f"saved to {FOLDER}/{path.name}"


def _import(folder: Path) -> types.ModuleType:
    """``my_micrograd.engine`` imported afresh from ``folder`` (sys.path untouched)."""
    for key in [k for k in sys.modules if k == FOLDER or k.startswith(FOLDER + ".")]:
        del sys.modules[key]
    package = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(FOLDER, None, is_package=True))
    package.__path__ = [str(folder)]
    sys.modules[FOLDER] = package
    importlib.invalidate_caches()
    return importlib.import_module(f"{FOLDER}.engine")


def _needed(stage: str) -> dict[str, str]:
    """Each method a notebook that begins at ``stage`` needs, with the stage its version must have."""
    at = STAGES.index(stage)
    needed = {m: [s for s in rewrites if STAGES.index(s) < at] for m, rewrites in REWRITES.items()}
    return {m: needed[m][-1] for m in sorted(needed, key=ORDER.index) if needed[m]}


def _course(course: dict[str, object], why: str) -> type:
    print(one_line(f"Value: the course's ({why})"))
    return type("Value", (), {"__module__": "__main__", **course})  # a copy: installing a piece never
    # changes grad.lecture.Value


def start(stage: str) -> type:
    """The Value a notebook beginning at ``stage`` uses: the learner's, filled in from the course's.

    Prints one line naming the learner's methods and the course's. Never raises for the learner's
    file: one that fails to import gives the course's Value, and the error, in that line.
    """
    if stage not in STAGES:
        raise ValueError(f"my_engine.start: stage must be one of {STAGES}, got {stage!r}")
    needed, folder = _needed(stage), Path.cwd() / FOLDER
    course = {m: vars(lecture.Value)[m] for m in needed}
    if not folder.is_dir():
        return _course(course, f"no {FOLDER}/ folder here: `make lab` gives you your own copy to work in")
    if not (folder / "engine.py").exists():
        return _course(course, f"{FOLDER}/engine.py has nothing yet: each check you pass saves your piece")
    try:
        text = (folder / "engine.py").read_text(encoding="utf-8")
        value = _import(folder).Value
        cls = next(
            (n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == "Value"), None
        )
        if cls is None or not isinstance(value, type):
            raise TypeError("it has no class Value")
    except (Exception, SystemExit) as err:
        return _course(course, f"{FOLDER}/engine.py failed to import: {type(err).__name__}: {err}")
    stages = {
        m: s for m, (_, _, s) in _pieces(text.splitlines(keepends=True), cls.body, ast.FunctionDef).items()
    }
    yours, theirs = [], []
    for method, wanted in needed.items():
        if method in vars(value) and STAGES.index(stages.get(method, STAGES[-1])) >= STAGES.index(wanted):
            yours.append(method)
            continue
        early = method in vars(value) and method in stages
        theirs.append(f"{method} (yours is {stages[method]}, this needs {wanted})" if early else method)
        setattr(value, method, course[method])
    session = sys.platform == "emscripten" and not str(Path.cwd()).startswith("/drive")
    print(
        one_line(
            f"Value from {FOLDER}/engine.py: yours: {', '.join(yours) or 'none yet'}"
            + (f"; the course's, until yours passes: {', '.join(theirs)}" if theirs else "")
            + ("; this browser keeps your pieces for this session only" if session else "")
        )
    )
    return value
