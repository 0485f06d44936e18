"""Tests for nn.losses: the course's numbers, gradients, stability and bad labels."""

import math

import numpy as np
import pytest

from autograd import Value, gradcheck, topological_order
from nn import losses

COURSE_SCORES = [3.2, 5.1, -1.7]


def _values(xs):
    return [Value(x) for x in xs]


def test_svm_loss_reproduces_the_course_example():
    """Scores [3.2, 5.1, −1.7] with correct class 0 give max(0, 2.9) + max(0, −3.9) = 2.9."""
    assert losses.svm_loss(COURSE_SCORES, 0).data == pytest.approx(2.9)


def test_svm_loss_is_zero_when_the_margin_is_met():
    """When the correct score leads every other by more than the margin the loss is 0."""
    assert losses.svm_loss([10.0, 2.0, 8.5], 0).data == 0.0


def test_svm_gradient_routes_only_through_active_margins():
    """∂L/∂s_j is 1 for each violating class, 0 for the others, and −(count) for the correct class."""
    s = _values(COURSE_SCORES)
    losses.svm_loss(s, 0).backward()
    assert [v.grad for v in s] == [-1.0, 1.0, 0.0]


def test_svm_margin_is_a_parameter():
    """A larger margin Δ raises each active term by the difference."""
    assert losses.svm_loss(COURSE_SCORES, 0, margin=2.0).data == pytest.approx(3.9)


def _softmax(xs):
    e = np.exp(np.array(xs) - max(xs))
    return e / e.sum()


def test_softmax_cross_entropy_is_minus_log_probability():
    """The loss equals −log softmax(s)_y computed with numpy."""
    loss = losses.softmax_cross_entropy(COURSE_SCORES, 2)
    assert loss.data == pytest.approx(-math.log(_softmax(COURSE_SCORES)[2]))


def test_softmax_gradient_is_p_minus_onehot():
    """∂L/∂s = p − onehot(y)."""
    s = _values(COURSE_SCORES)
    losses.softmax_cross_entropy(s, 1).backward()
    np.testing.assert_allclose([v.grad for v in s], _softmax(COURSE_SCORES) - np.eye(3)[1], atol=1e-12)


def test_softmax_gradient_passes_gradcheck():
    """The engine's gradient of the softmax loss agrees with a centered difference."""
    report = gradcheck(lambda a, b, c, d: losses.softmax_cross_entropy([a, b, c, d], 3), [0.3, -1.2, 2.0, 0.5])
    assert report.ok, str(report)


def test_softmax_graph_shows_exp_normalize_and_log_gates():
    """The graph runs exp per class, then the normalization p_y = e_y / Σ, then log, as separate gates."""
    loss = losses.softmax_cross_entropy(_values(COURSE_SCORES), 0)
    order = topological_order(loss)
    ops = [n.op for n in order]
    p = next(n for n in order if n.label == "p0")
    assert ops.count("exp") == 3 and p.op == "mul" and "Σexp" in {n.label for n in order}
    assert ops.index("exp") < order.index(p) < ops.index("log")


def test_softmax_with_huge_scores_where_the_correct_class_wins():
    """Scores ±1000 with the correct class on top give loss 0 and finite gradients (the max shift)."""
    s = _values([1000.0, -1000.0])
    loss = losses.softmax_cross_entropy(s, 0)
    loss.backward()
    assert loss.data == 0.0 and [v.grad for v in s] == [0.0, 0.0]


def test_softmax_with_huge_scores_where_the_correct_class_loses():
    """Scores ±1000 with the correct class at −1000 give loss 2000 and gradients p − onehot = [1, −1]."""
    s = _values([1000.0, -1000.0])
    loss = losses.softmax_cross_entropy(s, 1)
    loss.backward()
    assert loss.data == pytest.approx(2000.0) and [v.grad for v in s] == pytest.approx([1.0, -1.0])


def test_softmax_shift_is_a_labelled_constant():
    """The max shift enters as one leaf labelled "-max", equal to minus the largest score."""
    loss = losses.softmax_cross_entropy(COURSE_SCORES, 0)
    shift = [n for n in topological_order(loss) if n.label == "-max"]
    assert len(shift) == 1 and shift[0].data == -5.1


def test_hinge_loss_values():
    """max(0, 1 − y·s): 0.75 for s = 0.25, y = +1; 0 beyond the margin; 1.5 for s = 0.5, y = −1."""
    assert [losses.hinge_loss(s, y).data for s, y in [(0.25, 1), (-3.0, -1), (0.5, -1)]] == [0.75, 0.0, 1.5]


def test_hinge_loss_gradient_is_minus_y_inside_the_margin():
    """Inside the margin ∂L/∂s = −y."""
    s = Value(0.5)
    losses.hinge_loss(s, -1).backward()
    assert s.grad == 1.0


def test_hinge_loss_rejects_01_labels():
    """A label 0 raises ValueError explaining the −1/+1 mapping."""
    with pytest.raises(ValueError, match=r"label y must be -1 or \+1 \(map labels 0/1 with 2\*y - 1\), got 0"):
        losses.hinge_loss(0.3, 0)


def test_l2_penalty_has_no_half():
    """l2_penalty is reg·Σp² (no ½): for p = [1, −2, 3] and reg 0.5 it is 7."""
    assert losses.l2_penalty(_values([1.0, -2.0, 3.0]), 0.5).data == pytest.approx(7.0)


def test_l2_penalty_gradient_is_two_reg_p():
    """∂(reg·Σp²)/∂p = 2·reg·p."""
    ps = _values([1.0, -2.0])
    losses.l2_penalty(ps, 0.25).backward()
    assert [p.grad for p in ps] == [0.5, -1.0]


def test_l2_penalty_rejects_negative_reg():
    """A negative regularization strength raises ValueError."""
    with pytest.raises(ValueError, match=r"reg must be a finite number >= 0, got -0.1"):
        losses.l2_penalty(_values([1.0]), -0.1)


def test_l2_penalty_rejects_no_params():
    """An empty parameter list raises ValueError instead of a silent 0."""
    with pytest.raises(ValueError, match=r"params is empty"):
        losses.l2_penalty([], 0.1)


@pytest.mark.parametrize("fn", [losses.svm_loss, losses.softmax_cross_entropy])
@pytest.mark.parametrize("label", [3, -1, 1.0, True])
def test_multiclass_losses_reject_labels_outside_the_classes(fn, label):
    """A label that is not an integer in 0..K−1 raises ValueError naming the range."""
    with pytest.raises(ValueError, match=r"label y must be a class index in 0..2, got"):
        fn(COURSE_SCORES, label)


@pytest.mark.parametrize("fn", [losses.svm_loss, losses.softmax_cross_entropy])
def test_multiclass_losses_need_two_scores(fn):
    """A single score is not a classification: ValueError."""
    with pytest.raises(ValueError, match=r"at least 2 classes, got 1"):
        fn([1.0], 0)


# -- every node says what it is ---------------------------------------------------------------


def test_hinge_loss_names_its_parts_and_has_one_anonymous_constant_besides_relus_zero() -> None:
    """relu(1 + (−y)·s): the nodes are "-y·s", "margin", "hinge"; −y is a constant labelled "-y"
    (no two anonymous −1 constants, for either label)."""
    for y in (-1, 1):
        s = Value(0.25, "s")
        loss = losses.hinge_loss(s, y)
        made = [n.part for n in topological_order(loss) if n.op]
        constants = [n for n in topological_order(loss) if not n.op and n.role == "constant"]
        assert made == ["-y·s", "margin", "hinge"]
        assert sorted((n.label, n.data) for n in constants) == sorted([("", 0.0), ("", 1.0), ("-y", float(-y))])


def test_hinge_loss_is_the_same_number_as_one_minus_y_s() -> None:
    """relu(1 + (−y)·s) gives exactly max(0, 1 − y·s) and the same gradient."""
    for y, s in [(1, 0.3), (-1, 0.3), (-1, -2.5), (1, 7.0)]:
        score = Value(s)
        loss = losses.hinge_loss(score, y)
        loss.backward()
        assert loss.data == max(0.0, 1 - y * s) and score.grad == (-y if 1 - y * s > 0 else 0.0)


def test_l2_penalty_names_its_parts() -> None:
    """λ·Σp²: the squares "p²", their sum "Σp²", the penalty "L2 penalty"; λ a constant labelled "λ"."""
    penalty = losses.l2_penalty([Value(3.0), Value(-4.0)], 0.1)
    lam, squares = penalty.parents
    assert (penalty.part, squares.part, squares.parents[0].part) == ("L2 penalty", "Σp²", "p²")
    assert (lam.label, lam.role) == ("λ", "constant")


def test_data_loss_and_total_loss_name_their_nodes() -> None:
    """data_loss is the mean (1/N)·ΣLᵢ, "data loss"; total_loss adds the penalty, "total"."""
    data = losses.data_loss([Value(1.0), Value(2.0)])
    total = losses.total_loss(data, losses.l2_penalty([Value(1.0)], 0.5))
    assert (data.data, data.part, total.data, total.part) == (1.5, "data loss", 2.0, "total")


def test_svm_loss_names_margins_and_hinges() -> None:
    """Σ_{j≠y} max(0, s_j − s_y + Δ): each term's margin and hinge are named; softmax's −max is a constant."""
    loss = losses.svm_loss([3.2, 5.1, -1.7], 0)
    parts = {n.part for n in topological_order(loss) if n.op}
    assert {"margin", "hinge", "loss"} <= parts and loss.part == "loss"
    shift = [n for n in topological_order(losses.softmax_cross_entropy([1.0, 2.0], 0)) if n.label == "-max"]
    assert [n.role for n in shift] == ["constant"]
