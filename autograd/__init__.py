"""gategraph's scalar autograd engine: Value, the gate table, backprop and gradient checks."""

from .check import GradcheckError, GradcheckReport, InputCheck, gradcheck, numeric_grad, relative_error
from .gates import GATES, FixedGrads, Gate, SwappedInputs
from .check import LeafCheck, NumericGrad, check_leaves, numeric_grads_of
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
    "LeafCheck",
    "NumericGrad",
    "Step",
    "SwappedInputs",
    "Value",
    "backward_steps",
    "check_leaves",
    "gradcheck",
    "numeric_grad",
    "numeric_grads_of",
    "origin",
    "relative_error",
    "topological_order",
]
