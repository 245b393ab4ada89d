"""Build the course's JupyterLite site: the workbooks run in the browser, on Pyodide, with nothing to install.

    .venv/bin/python scripts/build_lite.py [--out lecture_notes/_build/html/lite]

``make notes`` runs it after the Sphinx build, so the notes site carries ``lite/``; a workbook opens at
``lite/lab/index.html?path=notebooks/NN_name.ipynb``. Its files are laid out as the repository's, so the
links between workbooks and notes work as in ``make lab``: ``notebooks/`` holds the workbooks (and
``my_micrograd/``), ``lecture_notes/`` the notes (``*.md``, rendered by jupyterlab-myst's Markdown Preview,
as locally) and the figures they show; a book a note links to is there too.

Everything it serves comes from pinned packages, fetched once into ``.venv-lite/`` (git-ignored by a
``.gitignore`` of its own) and reused:

1. a venv of its own with JupyterLite (``LITE_PINS``, every package of it held to ``LITE_CONSTRAINTS``);
2. the Pyodide runtime and ``@viz-js/viz`` (Graphviz compiled to WebAssembly), by ``npm pack``;
3. the wheels the kernel installs as it starts, from PyPI at the versions of Pyodide's lock, with their
   sha256 written into the lock; every other lock entry points at Pyodide's CDN, so numpy and matplotlib
   load from there when the browser is online (and fail at once when it is not);
4. the ``grad`` wheel of this work tree, in the lock as ``grad-course`` (imports ``grad``, depends on
   nothing): a cell's ``import grad`` loads it, with no install cell;
5. ``jupyter lite build`` of those files, with no source maps, piplite's PyPI fallback off (a missing
   package fails at once instead of waiting on pypi.org) and ``make lab``'s JupyterLab settings
   (``jupyterlab-settings/overrides.json5``: a note opens rendered);
6. ``viz.js`` at ``static/viz/viz.js``, where :meth:`grad.viz.graph.ComputationGraph.pipe` looks for it.

The same tree gives the same site, byte for byte: every time it records is the last commit's (or
``SOURCE_DATE_EPOCH``'s). Prints
the site's size and number of files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from workbook import EXTERNAL, LINK, MY_MICROGRAD, NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv-lite"
# jupyterlite-pyodide-kernel 0.8.6 starts Pyodide 314.0.6 (its PYODIDE_VERSION); jupyter-server is what
# `jupyter lite build --contents` needs; jupyterlab-myst (as in the course's venv) renders the notes.
LITE_PINS = [
    "jupyterlite-core==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "jupyter-server==2.21.1",
    "jupyterlab-myst==2.7.0",
]
LITE_CONSTRAINTS = """\
anyio==4.16.0 argon2-cffi==25.1.0 argon2-cffi-bindings==26.2.0 arrow==1.4.0 attrs==26.1.0
beautifulsoup4==4.15.0 bleach==6.4.0 cffi==2.1.1 defusedxml==0.7.1 doit==0.37.0 fastjsonschema==2.22.3
fqdn==1.6.0 idna==3.21 isoduration==20.11.0 Jinja2==3.1.6 jsonpointer==3.12 jsonschema==4.26.0
jsonschema-specifications==2025.9.1 jupyter-events==0.12.1 jupyter_client==8.10.0 jupyter_core==5.9.1
jupyter_server_terminals==0.5.4 jupyterlab_pygments==0.3.0 lark==1.3.1 MarkupSafe==3.0.4 mistune==3.4.0
nbclient==0.11.0 nbconvert==7.17.2 nbformat==5.11.1 overrides==7.7.0 packaging==26.4 pandocfilters==1.5.1
pkginfo==2.0 platformdirs==4.14.9 prometheus_client==0.26.0 ptyprocess==0.7.0 pycparser==3.12
Pygments==2.21.0 python-dateutil==4.0.0 python-json-logger==4.2.0 PyYAML==6.0.4 pyzmq==27.3.0
referencing==0.37.0 rfc3339-validator==0.1.4 rfc3986-validator==0.1.1 rfc3987-syntax==1.1.0
rpds-py==2026.9.1 Send2Trash==2.2.0 six==1.17.0 soupsieve==4.1.4 terminado==0.18.1 tinycss2==1.5.1
tornado==6.6.1 traitlets==5.16.1 typing_extensions==4.16.0 tzdata==2026.6 uri-template==1.3.0
webcolors==25.10.0 webencodings==0.6.1 websocket-client==1.9.2
"""


def last_commit_time(root: Path) -> int:
    """SOURCE_DATE_EPOCH, else the time of ``root``'s last commit, else 1980-01-01 (no git, or a copy of
    the files without their history): every time the site and the wheel record (the same tree gives the
    same site)."""
    try:
        git = ["git", "-C", str(root), "log", "-1", "--format=%ct"]
        committed = subprocess.run(git, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        committed = ""
    return int(os.environ.get("SOURCE_DATE_EPOCH") or committed or 315532800)


EPOCH = last_commit_time(ROOT)
MY_README = """\
Your own micrograd: each time a check in a notebook says OK, it saves that piece of your code into
engine.py (Value) or nn.py (Neuron, Layer, MLP), and the next notebook starts from it.
"""
BROWSER_README = (
    MY_README
    + """
In the browser, these files and your notebooks live in this browser's storage for this site only:
clearing the site's data deletes them. To keep a copy, right-click a file in the file browser and
choose Download.
"""
)
PYODIDE_VERSION = "314.0.6"
VIZ_VERSION = "3.31.0"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
# The kernel's worker loads micropip, then installs ipykernel, comm, pyodide-kernel, jedi and ipython: the
# closure of these roots in Pyodide's lock is served from the site. comm is not in the lock: piplite's
# index (pypi/) serves it.
START_PACKAGES = ["micropip", "ipython", "jedi"]
PIPLITE_EXTRA = ["comm==0.2.3"]
# Files of the npm package the site does not serve (the kernel starts from pyodide.mjs).
PYODIDE_SKIP = (".map", ".d.ts", "console.html", "console-v2.html", "README.md", "package.json", "pyodide.js")
PIP = ["-m", "pip", "--disable-pip-version-check", "-q"]
# The home page's {where-code} directive (lecture_notes/_ext/where_code.py: the repository, the commands and
# the zip) is the notes site's own: JupyterLab's MyST shows it as "where-code - Unknown Directive". The
# copies of index.md (the course map each workbook links to) say it in words instead.
WHERE_CODE = "```{where-code}\n```\n"
WHERE_CODE_TEXT = (
    "From a clone of the course's repository, `make lab` runs the notebooks and `make test` checks\n"
    "everything. The notes site names the repository at the top of every page, beside the zip of the\n"
    "workbooks, these notes and `grad`.\n"
)


def run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lite_venv() -> Path:
    """The venv with JupyterLite, made once per set of pins (a stamp file names them)."""
    venv = CACHE / "lite-venv"
    pins = " ".join(LITE_PINS) + LITE_CONSTRAINTS
    stamp = venv / ("pins-" + hashlib.sha256(pins.encode()).hexdigest()[:12])
    if not stamp.exists():
        run(sys.executable, "-m", "venv", "--clear", venv)
        constraints = CACHE / "constraints.txt"
        constraints.write_text("\n".join(LITE_CONSTRAINTS.split()) + "\n")
        run(venv / "bin/python", *PIP, "install", *LITE_PINS, env=pinned(constraints))
        stamp.touch()
    return venv


def npm_pack(spec: str) -> Path:
    """The tarball of an npm package (``npm pack`` checks the registry's integrity hash), fetched once."""
    dest = CACHE / "npm"
    dest.mkdir(parents=True, exist_ok=True)
    name = spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
    if not (dest / name).exists():
        run("npm", "pack", "--silent", spec, cwd=dest, stdout=subprocess.DEVNULL)
    return dest / name


def extract(tgz: Path, dest: Path, keep) -> None:
    """The files of an npm tarball whose paths in the package (``dist/viz.js``) ``keep`` accepts, under
    ``dest`` (without ``package/``)."""
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            rel = Path(member.name).relative_to("package")
            if member.isfile() and keep(rel.as_posix()):
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out)


def pip_download(venv: Path, specs: list[str], dest: Path) -> None:
    """Pure-Python wheels for Python 3.14 (Pyodide's), fetched once into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = [s for s in specs if not any(dest.glob(wheel_stem(*s.split("==")) + "*.whl"))]
    if wanted:
        platform = [
            "--implementation",
            "py",
            "--abi",
            "none",
            "--platform",
            "any",
            "--python-version",
            "3.14",
        ]
        run(
            venv / "bin/python",
            *PIP,
            "download",
            "--no-deps",
            "--only-binary=:all:",
            *platform,
            "-d",
            dest,
            *wanted,
        )


def wheel_stem(name: str, version: str) -> str:
    return f"{name.replace('-', '_').lower()}-{version}-"


def normalize(name: str) -> str:
    """A project name as the lock's keys spell it (prompt_toolkit -> prompt-toolkit)."""
    return name.lower().replace("_", "-").replace(".", "-")


def closure(packages: dict, roots: list[str]) -> set[str]:
    """The lock's packages that ``roots`` need, themselves included."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [normalize(d) for d in packages[name]["depends"]]
    return seen


def wheel_for(folder: Path, name: str, version: str) -> Path:
    found = [w for w in folder.glob("*.whl") if w.name.lower().startswith(wheel_stem(name, version))]
    if len(found) != 1:
        raise SystemExit(f"build_lite: expected one wheel of {name} {version} in {folder}, found {found}")
    return found[0]


def pinned(constraints: Path) -> dict[str, str]:
    """The environment in which pip holds every install to ``constraints``, the wheels it builds too (its
    ``-c`` does not reach a build's own environment). pip splits the variable at spaces, so it names the
    file by its ``file:`` URL: a checkout in a folder with a space in its name works.

    >>> pinned(Path("/a b/constraints.txt"))["PIP_CONSTRAINT"]
    'file:///a%20b/constraints.txt'
    """
    return {**os.environ, "PIP_CONSTRAINT": constraints.as_uri()}


def grad_wheel(python: Path, dest: Path) -> Path:
    """The wheel of this work tree's grad, built by the Python ``python`` (pip), its zip times the last
    commit's (the same tree, the same wheel)."""
    source = dest / "source"  # a copy, not the work tree: pip wheel writes build/ beside its source
    shutil.copytree(ROOT / "grad", source / "grad", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    # setuptools, in the wheel's own build environment, held to the course's pins as `make setup` holds it
    env = {**pinned(ROOT / "constraints.txt"), "SOURCE_DATE_EPOCH": str(EPOCH)}
    run(python, *PIP, "wheel", "--no-deps", "-w", dest, source, env=env)
    wheel = next(dest.glob("grad_course-*.whl"))
    os.utime(wheel, (EPOCH, EPOCH))  # piplite's index lists its time
    return wheel


def pyodide_files(venv: Path, pyodide: Path, tmp: Path) -> None:
    """Pyodide's core into ``pyodide``, the start-up wheels and grad beside it, and its lock to match."""
    extract(npm_pack(f"pyodide@{PYODIDE_VERSION}"), pyodide, lambda n: not n.endswith(PYODIDE_SKIP))
    lock_path = pyodide / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    packages = lock["packages"]
    local = closure(packages, START_PACKAGES)
    wheels = CACHE / "wheels"
    pip_download(venv, [f"{n}=={packages[n]['version']}" for n in sorted(local)], wheels)
    for name, entry in packages.items():
        if name in local:  # PyPI's wheel, not Pyodide's rebuild of it: its own hash
            wheel = wheel_for(wheels, name, entry["version"])
            shutil.copy2(wheel, pyodide / wheel.name)
            entry.update(file_name=wheel.name, sha256=sha256(wheel), unvendored_tests=False)
        else:
            entry["file_name"] = PYODIDE_CDN + entry["file_name"]
    wheel = grad_wheel(venv / "bin" / "python", tmp / "grad")
    shutil.copy2(wheel, pyodide / wheel.name)
    packages["grad-course"] = {
        "name": "grad-course",
        "version": wheel.name.split("-")[1],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": ["grad"],
        "depends": [],  # numpy and matplotlib are imported where they are used, and load from the CDN
        "unvendored_tests": False,
    }
    lock_path.write_text(json.dumps(lock, separators=(",", ":")))
    shutil.copy2(wheel, tmp / "piplite")  # `%pip install grad-course` finds it too


def contents(dest: Path, readme: str = BROWSER_README) -> None:
    """The learner's files, laid out as in the repository: the workbooks and an empty my_micrograd/ (where
    the checks save their work, said by its README.md, ``readme``) in notebooks/, the notes (index.md's
    ``{where-code}`` said in words: ``WHERE_CODE_TEXT``) and their figures in lecture_notes/, and each
    other file of the repository that a workbook or a note links to (a book). The site's lite/ and the
    course's zip (scripts/course_zip.py) hold these."""
    notebooks, notes = dest / "notebooks", dest / "lecture_notes"
    (notebooks / "my_micrograd").mkdir(parents=True)
    for notebook in sorted((ROOT / "notebooks").glob(NOTEBOOKS)):
        shutil.copy2(notebook, notebooks)
    for name, text in {**MY_MICROGRAD, "README.md": readme}.items():
        (notebooks / "my_micrograd" / name).write_text(text, encoding="utf-8")
    notes.mkdir()
    for note in sorted((ROOT / "lecture_notes").glob("*.md")):
        shutil.copy2(note, notes)
    home = notes / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace(WHERE_CODE, WHERE_CODE_TEXT), encoding="utf-8")
    sys.path.insert(0, str(ROOT / "lecture_notes" / "_figures"))
    import make_figures  # the figures the notes show, as the site draws them (git-ignored in the repository)

    figures = notes / "_generated" / "figures"
    figures.mkdir(parents=True)
    for name, data in sorted(make_figures.render_all().items()):
        (figures / name).write_bytes(data)
    while missing := linked(dest):  # and what the files copied link to (a book links to the others)
        for target in sorted(missing):
            (dest / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / target, dest / target)
    for path in [*dest.rglob("*"), dest]:  # the file browser shows these times: the last commit's
        os.utime(path, (EPOCH, EPOCH))


def linked(dest: Path) -> set[str]:
    """The repository's files (paths from its root) that the workbooks and notes in ``dest`` link to
    and ``dest`` lacks. A link that leaves the repository (``../../x``) is not followed: its file is no
    course's, and it would be written outside ``dest``."""
    missing = set()
    for page in sorted([*dest.rglob("*.ipynb"), *dest.rglob("*.md")]):
        for href in relative_links(page):
            target = os.path.normpath(os.path.join(page.parent.relative_to(dest), href))
            inside = target != ".." and not target.startswith("../")
            if inside and not (dest / target).exists() and (ROOT / target).is_file():
                missing.add(Path(target).as_posix())
    return missing


def relative_links(page: Path) -> list[str]:
    """The relative links (anchors dropped) in a note, or in a notebook's markdown cells."""
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    hrefs = (m[2].partition("#")[0] for m in LINK.finditer(text))
    return [h for h in hrefs if h and not EXTERNAL.match(h)]


def replaceable(out: Path) -> None:
    """Refuse an ``out`` that the build, which replaces it whole, must not delete: a file, or a folder
    with files that is not a lite site built before (it has no ``jupyter-lite.json``), such as the notes
    site itself (``--out lecture_notes/_build/html``) or the repository. (The build never leaves a part
    of a site there: it builds beside and replaces ``out`` once done.)"""
    if out.is_file() or (out.is_dir() and any(out.iterdir()) and not (out / "jupyter-lite.json").is_file()):
        raise SystemExit(
            f"build_lite: --out {out} holds files of something else than a lite site (no "
            "jupyter-lite.json), which the build would delete: give an empty or new folder, or an old lite/"
        )


def build(out: Path) -> None:
    replaceable(out)
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    venv = lite_venv()
    with tempfile.TemporaryDirectory(prefix="build_lite-") as name:
        tmp = Path(name)
        work = tmp / "lite-dir"  # the lite dir's static/pyodide is copied by the build, which points at it
        (tmp / "piplite").mkdir()
        pip_download(venv, PIPLITE_EXTRA, CACHE / "wheels")
        for spec in PIPLITE_EXTRA:
            shutil.copy2(wheel_for(CACHE / "wheels", *spec.split("==")), tmp / "piplite")
        pyodide_files(venv, work / "static" / "pyodide", tmp)
        contents(tmp / "contents")
        settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}}
        config = {"appName": "grad course", "exposeAppInBrowser": True, "litePluginSettings": settings}
        (work / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": config}, indent=2))
        (work / "overrides.json").write_text(json.dumps(lab_settings(), indent=2))
        site = tmp / "site"  # built beside, then put in out's place: a failed build leaves out as it was
        run(
            venv / "bin/jupyter",
            "lite",
            "build",
            "--lite-dir",
            work,
            "--output-dir",
            site,
            "--contents",
            tmp / "contents",
            "--piplite-wheels",
            tmp / "piplite",
            "--no-sourcemaps",
            "--no-unused-shared-packages",
            f"--source-date-epoch={EPOCH}",
            cwd=work,
            stdout=subprocess.DEVNULL,
        )
        viz = site / "static" / "viz"
        extract(npm_pack(f"@viz-js/viz@{VIZ_VERSION}"), viz, lambda n: n == "dist/viz.js")  # not src/viz.js
        (viz / "dist" / "viz.js").replace(viz / "viz.js")
        (viz / "dist").rmdir()
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(site, out)


def lab_settings() -> dict:
    """``make lab``'s JupyterLab settings (``jupyterlab-settings/overrides.json5``, whose comments are
    whole lines)."""
    text = (ROOT / "jupyterlab-settings" / "overrides.json5").read_text(encoding="utf-8")
    return json.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "lecture_notes" / "_build" / "html" / "lite")
    out = ap.parse_args().out.resolve()
    build(out)
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(
        f"build_lite: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}: "
        f"{size / 1e6:.1f} MB in {len(files)} files"
    )


if __name__ == "__main__":
    main()
