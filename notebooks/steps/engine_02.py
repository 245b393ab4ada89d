"""The course's copy of the Value class as notebook 02 leaves it (generated: do not edit).

Written by scripts/export_steps.py from the course's own cells tagged "export-engine" in
02_value_object.ipynb
(not from a learner's edits, so a mistake made in a notebook does not follow into the next one).
To change it, change those cells and run `make notebooks`.
"""

# ruff: noqa

import math


# ---- 02_value_object.ipynb ----

class Value:
    """A number that remembers how it was computed."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self._prev = set(_children)  # the Values this one was computed from
        self._op = _op  # the operation that computed it ("" for an input)
        self.label = label  # a name, for pictures

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")
        return out
