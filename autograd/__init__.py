"""gategraph's scalar autograd engine: Value, the gate table, backprop and gradient checks."""

from .check import GradcheckError, GradcheckReport, InputCheck, gradcheck, numeric_grad, relative_error
from .gates import GATES, FixedGrads, Gate, NumpyTwin, SwappedInputs
from .graph import Step, backward_steps, topological_order
from .value import GateError, Value, origin
from .replay import MATMUL_MIN_TERMS, Program, TraceMismatch, trace

__all__ = [
    "GATES",
    "Gate",
    "FixedGrads",
    "GateError",
    "GradcheckError",
    "GradcheckReport",
    "InputCheck",
    "MATMUL_MIN_TERMS",
    "NumpyTwin",
    "Program",
    "Step",
    "SwappedInputs",
    "TraceMismatch",
    "Value",
    "backward_steps",
    "gradcheck",
    "numeric_grad",
    "origin",
    "relative_error",
    "topological_order",
    "trace",
]
