"""Every check of notebooks 01-07, called as the notebooks call it: ``check.NAME()`` and, for a stuck
learner, ``check.NAME(solution=True)``.

The book's code for each task lives in grad/selfcheck/solutions.json (written by
``scripts/workbook.py build``): each check has its entry, and each entry its check. Each check's
verdicts are tested in tests/test_selfcheck_<module>.py; the shipped workbooks and books run in
tests/test_course.py and under nbval.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ROOT
from test_selfcheck_hardening import CHECKS, IDS, _id

from grad.selfcheck import core

BOOK = json.loads(core.SOLUTIONS.read_text(encoding="utf-8"))


def test_every_check_has_the_books_solution_and_every_solution_its_check():
    assert sorted(_id(check) for check in CHECKS) == sorted(BOOK)


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_solution_true_prints_the_books_code_after_the_verdict_and_only_then(
    check, notebook, tmp_path, capsys
):
    entry = BOOK[_id(check)]
    assert (ROOT / entry["notebook"]).is_file() and Path(entry["notebook"]).parts[:2] == (
        "notebooks",
        "solutions",
    )
    result = check(solution=True)
    out = capsys.readouterr().out
    verdict, _, solution = out.partition("\n")
    assert verdict == str(result) and not result
    assert solution == f"the book's solution ({entry['notebook']}):\n{entry['code'].rstrip()}\n"
    check()
    assert capsys.readouterr().out.count("\n") == 1  # without solution=True: the verdict alone
