"""Losses built only from Value operations: multiclass SVM, softmax cross-entropy, binary hinge, L2."""

from __future__ import annotations

import math
import numbers
from typing import Iterable, Sequence, Union

from autograd import Value, origin

from ._checks import check_real, check_values
from ._gc import cyclic_gc_paused

__all__ = ["svm_loss", "softmax_cross_entropy", "hinge_loss", "l2_penalty", "data_loss", "total_loss"]

Scores = Sequence[Union[float, Value]]

# −log p_y is built as the course's chain while p_y >= e^−700 ≈ 1e−304: there 1/p_y (the log
# gate's local derivative) is still a finite float. Below it we switch to log space.
_LOG_P_MIN = -700.0


def total(values: Sequence[Value]) -> Value:
    """v₀ + v₁ + … as a chain of add gates (no constant 0 leaf, unlike the builtin ``sum``).

    >>> total([Value(1.0), Value(2.0), Value(3.0)]).data
    6.0
    """
    it = iter(values)
    out = next(it)
    for v in it:
        out = out + v
    return out


def _as_scores(scores: Scores, who: str) -> list[Value]:
    """The scores as Values (a plain number s[j] becomes a leaf labelled ``s{j}``); at least 2 classes."""
    if isinstance(scores, (str, bytes, Value, numbers.Number)) or not hasattr(scores, "__len__"):
        raise TypeError(f"{who} needs a list of class scores (numbers or Values), got {type(scores).__name__}")
    if len(scores) < 2:
        raise ValueError(f"{who} needs scores for at least 2 classes, got {len(scores)}")
    return [s if isinstance(s, Value) else Value(s, f"s{j}") for j, s in enumerate(scores)]


def _check_label(y: object, k: int, who: str) -> int:
    if not isinstance(y, numbers.Integral) or isinstance(y, bool) or not 0 <= y < k:
        raise ValueError(f"{who}: label y must be a class index in 0..{k - 1}, got {y!r}")
    return int(y)


@cyclic_gc_paused()
def svm_loss(scores: Scores, y: int, margin: float = 1.0) -> Value:
    """The multiclass SVM (hinge) loss Σ_{j≠y} max(0, s_j − s_y + margin).

    Each wrong class that scores within ``margin`` of the correct one adds its shortfall; the
    max gate routes the gradient only to the terms that are active.

    Args:
        scores: one score per class (numbers or Values), at least 2.
        y: the correct class, an integer in 0..len(scores)−1.
        margin: Δ, how far the correct score must lead every other one.

    Returns:
        The loss as a Value.

    Raises:
        ValueError: fewer than 2 scores, a label outside 0..K−1, or a non-finite margin.

    Its nodes say what they are (``part``): ``"margin"`` for s_j − s_y + Δ, ``"hinge"`` for its
    max(0, ·), ``"loss"`` for their sum.

    The course's example: class 0 scores 3.2, class 1 leads with 5.1, class 2 is far behind.

    >>> round(svm_loss([3.2, 5.1, -1.7], 0).data, 10)  # max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1)
    2.9
    """
    s = _as_scores(scores, "svm_loss")
    y = _check_label(y, len(s), "svm_loss")
    delta = check_real("svm_loss: margin", margin)
    with origin(None, {"mul": "-s_y", "add": "Δ - s_y"}):
        offset = delta - s[y]  # Δ − s_y, one node shared by every term
    with origin(None, {"add": "margin", "max": "hinge"}):
        hinges = [(s[j] + offset).relu() for j in range(len(s)) if j != y]  # relu(a) = max(0, a)
    with origin(None, "loss"):
        return total(hinges)


@cyclic_gc_paused()
def softmax_cross_entropy(scores: Scores, y: int) -> Value:
    """Softmax cross-entropy −log p_y, with p = softmax(scores), built gate by gate.

    The graph is the course's chain: shift every score by the largest one (a constant leaf
    labelled ``"-max"``: it changes no probability, and makes the largest exp 1 so nothing
    overflows), ``exp`` per class, their sum ``"Σexp"``, the normalization p_y = e_y / Σ (node
    ``"p{y}"``), then −log. Its gradient with respect to the scores is p − onehot(y).

    When p_y is below about 1e−304 (the correct score trails the best by more than ~700), p_y
    itself is not a usable float: then the loss is built in log space as log Σ − (s_y − max),
    the same number, so scores like ±1000 still give a finite loss and finite gradients.

    Args:
        scores: one score per class (numbers or Values), at least 2.
        y: the correct class, an integer in 0..len(scores)−1.

    Returns:
        The loss as a Value (labelled ``"loss"``).

    Raises:
        ValueError: fewer than 2 scores or a label outside 0..K−1.

    >>> loss = softmax_cross_entropy([3.2, 5.1, -1.7], 0)
    >>> round(loss.data, 4)  # −log(e^3.2 / (e^3.2 + e^5.1 + e^−1.7))
    2.0404
    >>> softmax_cross_entropy([1000.0, -1000.0], 1).data  # p_1 = e^−2000 underflows; log space
    2000.0
    """
    s = _as_scores(scores, "softmax_cross_entropy")
    y = _check_label(y, len(s), "softmax_cross_entropy")
    shift = Value(-max(v.data for v in s), "-max", "constant")
    shifted = [v + shift for v in s]  # s_j − max <= 0
    exps = [v.exp() for v in shifted]  # e_j = exp(s_j − max), the largest is exactly 1
    denom = total(exps)  # Σ_j e_j >= 1
    denom.label = "Σexp"
    if shifted[y].data - math.log(denom.data) > _LOG_P_MIN:
        p = exps[y] / denom  # normalize: p_y = e_y / Σ_j e_j
        p.label = f"p{y}"
        loss = -p.log()
    else:
        loss = denom.log() - shifted[y]  # −log(e_y / Σ) = log Σ − (s_y − max)
    loss.label = "loss"
    return loss


@cyclic_gc_paused()
def hinge_loss(score: Union[float, Value], y: int) -> Value:
    """The binary hinge loss max(0, 1 − y·score) for a label y of −1 or +1 (micrograd's demo).

    Zero once the score has the label's sign with a margin of 1; otherwise it grows linearly.
    Built as micrograd's demo builds it, relu(1 + (−y)·s), where −y is a constant leaf labelled
    ``"-y"``; its nodes say what they are (``part``): ``"-y·s"``, ``"margin"`` (1 − y·s) and
    ``"hinge"`` (the loss).

    Args:
        score: the model's one output (a number or a Value).
        y: −1 or +1 (map class labels 0/1 to −1/+1 first: y = 2·label − 1).

    Returns:
        The loss as a Value.

    Raises:
        ValueError: a label other than −1 or +1.

    >>> hinge_loss(0.25, 1).data, hinge_loss(-3.0, -1).data
    (0.75, 0.0)
    >>> loss = hinge_loss(0.25, -1)
    >>> loss.part, loss.parents[1].part, [p.label for p in loss.parents[1].parents[1].parents]
    ('hinge', 'margin', ['-y', 's'])
    """
    if isinstance(y, bool) or not isinstance(y, numbers.Real) or y not in (-1, 1):
        raise ValueError(f"hinge_loss: label y must be -1 or +1 (map labels 0/1 with 2*y - 1), got {y!r}")
    s = score if isinstance(score, Value) else Value(score, "s")
    with origin(None, {"mul": "-y·s", "add": "margin", "max": "hinge"}):
        return (1 + Value(-y, "-y", "constant") * s).relu()  # max(0, 1 − y·s)


@cyclic_gc_paused()
def l2_penalty(params: Iterable[Value], reg: float) -> Value:
    """The L2 regularization penalty reg · Σ p², *without* a ½ (CS231n's and micrograd's convention).

    Its gradient is therefore 2·reg·p for each parameter: added to the data loss, it pulls every
    weight towards 0 in proportion to its size, preferring many small weights to a few large ones.

    Args:
        params: the Values to penalize (e.g. ``model.parameters()``), at least one.
        reg: the regularization strength λ >= 0.

    Returns:
        The penalty as a Value (its ``part`` is ``"L2 penalty"``; λ is a constant leaf labelled ``"λ"``).

    Raises:
        TypeError: an entry that is not a Value.
        ValueError: no params, the same Value twice, or a negative or non-finite reg.

    >>> w = [Value(3.0), Value(-4.0)]
    >>> penalty = l2_penalty(w, 0.1)  # 0.1 · (9 + 16)
    >>> penalty.backward()
    >>> round(penalty.data, 10), w[0].grad  # ∂/∂w₀ = 2 · 0.1 · 3
    (2.5, 0.6000000000000001)
    """
    ps = check_values("l2_penalty: params", params)
    lam = check_real("l2_penalty: reg", reg, low=0.0)
    with origin(None, {"mul": "p²", "add": "Σp²"}):
        squares = total([p * p for p in ps])
    with origin(None, "L2 penalty"):
        return Value(lam, "λ", "constant") * squares  # λ · Σ p²


@cyclic_gc_paused()
def data_loss(losses: Sequence[Value]) -> Value:
    """The data loss (1/N) Σᵢ Lᵢ, the mean of the samples' losses; its node's ``part`` is ``"data loss"``.

    >>> loss = data_loss([Value(1.0), Value(2.0), Value(6.0)])
    >>> loss.data, loss.part, loss.parents[0].part
    (3.0, 'data loss', 'Σ losses')
    """
    ls = check_values("data_loss: losses", losses)
    with origin(None, "Σ losses"):
        summed = total(ls)
    with origin(None, "data loss"):
        return summed * (1.0 / len(ls))  # (1/N) Σᵢ Lᵢ


def total_loss(data: Value, penalty: Value) -> Value:
    """The objective L = data loss + regularization penalty; its node's ``part`` is ``"total"``.

    >>> total_loss(Value(0.5), Value(0.25)).part
    'total'
    """
    with origin(None, "total"):
        return data + penalty
