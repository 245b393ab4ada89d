"""Self-checks for the course's tasks: each notebook imports the module of its part as ``check``.

======================  =============================================================
``derivatives``         01: f, the slope, nudging a, b and c
``value``               02: Value, the lecture's L, the graph walk, ``a + a``
``backprop``            03: grad, L's gradients by hand, tanh's forward pass, the neuron
``backward``            04: the closures, build_topo, backward, the ``+=`` fix
``neurons``             05: wrapping numbers, pow, exp, division, Neuron, Layer, MLP, torch
``training``            06: the data, the loss, a step, the training loop, ``MyTanh``
``exercises``           07: the exercise sheet
======================  =============================================================

A task cell ends in its check, ``check.NAME()``. The check finds your names in the notebook, runs
your code against a reference it computes itself, prints one line and returns a
:class:`~grad.selfcheck.core.Result`, true when OK::

    slope: OK
    slope: WRONG: the slope of 3x**2 - 4x + 5 at x = -3, h = 0.001 came out -0.021997, expected
      about -22. Hint: f(x + h) - f(x) is the rise: divide it by h, the run
    slope: not yet (replace the ... with your code)

A check never raises for your code: an error in it is WRONG with a hint; ``...`` is the one
placeholder. ``check.NAME(solution=True)`` prints the book's code for the task, read from
``solutions.json``, which ``scripts/workbook.py build`` writes from the books.

From notebook 03 on, the first cell is ``Value = check.start()``. With a ``my_micrograd/`` folder
next to the notebook (``make lab`` makes one), each piece that passes its check is saved there, and
``start()`` builds your Value from it, with the course's pieces in place of those not yet passed
(:mod:`grad.selfcheck.my_engine`). :mod:`grad.selfcheck.core` is what every check shares.
"""
