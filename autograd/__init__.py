"""gategraph's scalar autograd engine: Value, the gate table, backprop and gradient checks."""

import _gategraph

_gategraph.check(__file__)  # first: the Python version, and no other distribution's package of the same name

from .gatecheck import GateProblem, GateReport, check_gate
from .check import GradcheckError, GradcheckReport, InputCheck, gradcheck, numeric_grad, relative_error
from . import reference
from .gates import GATES, OPERATORS, FixedGrads, Gate, JsTwin, NumpyTwin, SwappedInputs
from .check import LeafCheck, NumericGrad, check_leaves, numeric_grads_of
from .graph import Step, backward_steps, topological_order
from .value import ROLES, GateError, Value, apply, gate_function, gate_of, origin
from .replay import MATMUL_MIN_TERMS, Program, TraceMismatch, trace

__all__ = [
    "GATES",
    "OPERATORS",
    "Gate",
    "FixedGrads",
    "GateError",
    "GradcheckError",
    "GradcheckReport",
    "InputCheck",
    "MATMUL_MIN_TERMS",
    "NumpyTwin",
    "Program",
    "ROLES",
    "JsTwin",
    "LeafCheck",
    "NumericGrad",
    "Step",
    "SwappedInputs",
    "TraceMismatch",
    "Value",
    "apply",
    "backward_steps",
    "gate_function",
    "gate_of",
    "check_leaves",
    "gradcheck",
    "numeric_grad",
    "numeric_grads_of",
    "origin",
    "relative_error",
    "topological_order",
    "trace",
]
