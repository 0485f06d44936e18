"""Pictures of the engine: Graphviz diagrams, gate-by-gate views, backprop frames, HTML stepper, plots, CLI."""
