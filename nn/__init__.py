"""Neural networks on the autograd engine: neurons, layers, MLPs, losses, optimizers, data, training."""
