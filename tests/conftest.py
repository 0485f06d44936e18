"""Fixtures shared by every test folder."""

from __future__ import annotations

import dataclasses

import pytest

import autograd.value
from autograd import GATES


@pytest.fixture
def wrong_mul(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a deliberately wrong mul rule (no swap: ∂(ab)/∂a = a) in the engine.

    backward, backward_steps and the diagrams read a node's row from the record its gate stamped
    on it (``autograd.value._made``, see ``autograd.gate_of``): patched, for nodes made from now on.
    """
    bad = dataclasses.replace(GATES["mul"], local_grads=lambda out, a, b: (a, b))
    table = {**GATES, "mul": bad}
    monkeypatch.setattr(autograd.value, "GATES", table)
    monkeypatch.setattr(autograd.value, "_made", tuple(autograd.value._Info(op=name) for name in table))
