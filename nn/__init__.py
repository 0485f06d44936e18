"""Neural networks on the autograd engine: neurons, layers, MLPs, losses, optimizers, data, training."""

from . import data, losses
from .module import ACTIVATIONS, MLP, Layer, Linear, Module, Neuron
from .optim import SGD, DivergedError
from ._replay import LossProgram, loss_program
from .train import ENGINES, LOSSES, History, fit

__all__ = [
    "ACTIVATIONS",
    "DivergedError",
    "ENGINES",
    "LOSSES",
    "History",
    "Layer",
    "Linear",
    "LossProgram",
    "MLP",
    "Module",
    "Neuron",
    "SGD",
    "data",
    "fit",
    "loss_program",
    "losses",
]
