"""grad: a scalar autograd engine and a tiny neural-network library, built to teach backprop."""

from grad.engine import Value

__all__ = ["Value"]
__version__ = "0.1.0"
