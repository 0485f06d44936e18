"""gategraph's scalar autograd engine: Value, the gate table, backprop and gradient checks."""

from .check import GradcheckError, GradcheckReport, InputCheck, gradcheck, numeric_grad, relative_error
from .gates import GATES, FixedGrads, Gate, JsTwin, SwappedInputs
from .graph import Step, backward_steps, topological_order
from .value import GateError, Value, origin

__all__ = [
    "GATES",
    "Gate",
    "FixedGrads",
    "GateError",
    "GradcheckError",
    "GradcheckReport",
    "InputCheck",
    "JsTwin",
    "Step",
    "SwappedInputs",
    "Value",
    "backward_steps",
    "gradcheck",
    "numeric_grad",
    "origin",
    "relative_error",
    "topological_order",
]
