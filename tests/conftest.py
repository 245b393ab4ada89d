"""Shared test configuration: the Hypothesis profiles, a fresh notebook for grad.selfcheck, a broken torch.

The default profile, ``ci``, is derandomised (the same examples on every run, in
every process) and writes no example database, so ``make test`` is reproducible
and leaves no ``.hypothesis/`` directory behind. For a longer randomised search
while developing, run ``HYPOTHESIS_PROFILE=explore pytest tests/test_properties.py``.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=400,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    database=None,
    deadline=None,
    max_examples=2000,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def notebook(monkeypatch):
    """A fresh notebook: the module ``__main__``, where grad.selfcheck looks up the learner's names."""
    main = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", main)
    return main


@pytest.fixture
def broken_torch(monkeypatch, tmp_path) -> Path:
    """A torch that is installed but fails to import (a dependency of its own is missing), first on
    sys.path for the test; returns its folder, for a subprocess's PYTHONPATH."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("import sympy_is_missing  # a dependency of its own\n")
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # the real one comes back after the test
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path
