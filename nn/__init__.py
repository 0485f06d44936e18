"""Neural networks on the autograd engine: neurons, layers, MLPs, losses, optimizers, data, training."""

import _gategraph

_gategraph.check(__file__)  # first: the Python version, and no other distribution's package of the same name

from . import data, losses
from .module import ACTIVATIONS, MLP, Layer, Linear, Module, Neuron
from .health import HealthReport, NeuronHealth, health
from .optim import SGD, DivergedError
from ._replay import LossProgram, loss_program
from .train import ENGINES, LOSSES, History, fit

__all__ = [
    "ACTIVATIONS",
    "DivergedError",
    "ENGINES",
    "LOSSES",
    "HealthReport",
    "History",
    "Layer",
    "Linear",
    "LossProgram",
    "MLP",
    "Module",
    "Neuron",
    "NeuronHealth",
    "SGD",
    "data",
    "fit",
    "loss_program",
    "health",
    "losses",
]
