"""Neural networks on the autograd engine: neurons, layers, MLPs, losses, optimizers, data, training."""

from . import data, losses
from .module import ACTIVATIONS, MLP, Layer, Linear, Module, Neuron
from .health import HealthReport, NeuronHealth, health
from .optim import SGD, DivergedError
from .train import LOSSES, History, fit

__all__ = [
    "ACTIVATIONS",
    "DivergedError",
    "LOSSES",
    "HealthReport",
    "History",
    "Layer",
    "Linear",
    "MLP",
    "Module",
    "Neuron",
    "NeuronHealth",
    "SGD",
    "data",
    "fit",
    "health",
    "losses",
]
