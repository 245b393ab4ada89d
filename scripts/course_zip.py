"""Build the course's offline download: the workbooks, the notes and the ``grad`` wheel in one zip.

    .venv/bin/python scripts/course_zip.py [--out lecture_notes/_build/html/_downloads/grad-course.zip]

The notes site's build (``lecture_notes/_ext/where_code.py``) makes it into the site, so a learner can
take the whole course away: unzip, ``pip install`` the wheel, ``jupyter lab``. The zip holds, under one
folder ``grad-course/``:

- ``README.txt``, three lines: what it is (and that the PyTorch tasks need ``pip install torch``: the
  course extra leaves PyTorch out), the ``pip install`` command, ``jupyter lab``;
- the ``grad`` wheel of this work tree (``build_lite.grad_wheel``: the one the browser copy runs);
- the learner's files as the site's lite/ has them (``build_lite.contents``): ``notebooks/`` with the
  workbooks and an empty ``my_micrograd/``, where the checks save the learner's engine, and
  ``lecture_notes/`` with the notes and their figures, so that a workbook's link to a note works.

The same files give the same zip, byte for byte: entries sorted, every time stamp 1980-01-01 and every
mode 0644 (``zip_files``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

import build_lite

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "grad-course"
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold


def readme(wheel: str) -> str:
    """The README's three lines, for the wheel named ``wheel``.

    >>> print(readme("grad_course-0.1.0-py3-none-any.whl"), end="")
    The grad course: needs Python 3.11+ and Graphviz; in a venv (python3 -m venv .venv, then activate it):
    pip install "./grad_course-0.1.0-py3-none-any.whl[course]"
    jupyter lab notebooks/01_derivatives.ipynb
    """
    return (
        "The grad course: needs Python 3.11+ and Graphviz; "
        "in a venv (python3 -m venv .venv, then activate it):\n"
        f'pip install "./{wheel}[course]"\n'
        "jupyter lab notebooks/01_derivatives.ipynb\n"
    )


def zip_files(files: dict[str, bytes], out: Path) -> Path:
    """Write ``files`` (name in the zip -> content) into the zip ``out``, sorted, with fixed times and modes.

    >>> import io, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a = zip_files({"b.txt": b"2", "a.txt": b"1"}, Path(d, "x.zip")).read_bytes()
    ...     b = zip_files({"a.txt": b"1", "b.txt": b"2"}, Path(d, "y.zip")).read_bytes()
    >>> a == b, zipfile.ZipFile(io.BytesIO(a)).namelist()
    (True, ['a.txt', 'b.txt'])
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return out


def course_files(wheel: Path) -> dict[str, bytes]:
    """The zip's contents: README, wheel, and the learner's files laid out as in the repository (the
    workbooks and an empty ``my_micrograd/`` in notebooks/, the notes with their figures in
    lecture_notes/), so that the links between them work, as in the site's lite/."""
    files = {"README.txt": readme(wheel.name).encode(), wheel.name: wheel.read_bytes()}
    with tempfile.TemporaryDirectory(prefix="course_zip-") as tmp:
        build_lite.contents(Path(tmp, "c"), readme=build_lite.MY_README)
        for path in sorted(Path(tmp, "c").rglob("*")):
            if path.is_file():
                files[path.relative_to(Path(tmp, "c")).as_posix()] = path.read_bytes()
    return {f"{FOLDER}/{name}": data for name, data in files.items()}


def build(out: Path) -> Path:
    """Build the wheel and write the course's zip to ``out``."""
    with tempfile.TemporaryDirectory(prefix="course_zip-") as tmp:
        wheel = build_lite.grad_wheel(Path(sys.executable), Path(tmp))
        return zip_files(course_files(wheel), out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "lecture_notes/_build/html/_downloads/grad-course.zip")
    out = build(ap.parse_args().out.resolve())
    print(f"course_zip: {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
