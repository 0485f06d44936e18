"""autograd.exercises: model answers pass; each broken backward is caught at its first wrong step, with the numbers."""

from __future__ import annotations

import pytest

from autograd import exercises as ex
from autograd import reference

BUG_STEP = {  # bug -> (step index of backward_steps, the wrong node's label, words the message must hold)
    "assign_at_fork": (1, "q", "replaced the gradient instead of adding"),
    "wrong_order": (0, "q", "not arrived yet"),
    "no_visited_set": (2, "q", "a second time"),
    "second_backward": (0, "q", "left over from the first backward()"),
    "sub_sign": (1, "y", "wrong sign"),
}


@pytest.mark.parametrize("bug", sorted(ex.BUGS))
def test_each_broken_backward_is_caught_at_its_first_wrong_step(bug: str) -> None:
    """The report names the step and the node to mark, and says what went wrong."""
    report = ex.FindTheBug(bug).check(ex.BUGS[bug][0])
    step, label, words = BUG_STEP[bug]
    assert not report.ok and words in report.message
    where = report.where()
    assert where is not None and where[0] == step and where[1].label == label


@pytest.mark.parametrize("bug", sorted(ex.BUGS))
def test_the_model_answer_fixes_each_bug(bug: str) -> None:
    """reference.backward, the model answer, passes every find-the-bug task."""
    task = ex.FindTheBug(bug)
    assert task.check(task.model_answer()).ok


def test_a_wrong_contribution_reports_the_arithmetic() -> None:
    """The fork bug's report carries upstream × local = contribution and both numbers of the wrong cell."""
    report = ex.FindTheBug("assign_at_fork").check(ex.backward_assign_at_fork)
    assert report.arithmetic == "upstream 1 × local -4 = contribution -4"
    assert (report.expected, report.actual) == (-3.0, -4.0)
    assert "q's grad was 1, so it should become 1 + -4 = -3. Your code made it -4." in report.message


def test_the_second_backward_is_checked_in_its_own_pass() -> None:
    """micrograd's bug shows in call 2 of backward(), not in call 1."""
    report = ex.check_backward(ex.backward_no_reset, "course", calls=2)
    assert report.backward_pass == 2 and "of backward() call 2" in report.message
    assert ex.check_backward(ex.backward_no_reset, "course", calls=1).ok


@pytest.mark.parametrize("graph", sorted(ex.GRAPHS))
@pytest.mark.parametrize("calls", [1, 2])
def test_reference_backward_passes_on_every_graph(graph: str, calls: int) -> None:
    """The reference engine matches backward_steps on every exercise graph, called once or twice."""
    for seed in range(2):
        assert ex.check_backward(reference.backward, graph, seed, calls).ok


def loop_keeping_upstream(order: list) -> None:
    order[-1].grad = 1.0
    for node in reversed(order):
        upstream = node.grad  # read once per node
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad = parent.grad + local * upstream


def loop_in_two_passes(order: list) -> None:
    root = order[-1]
    root.grad = 1.0
    for node in reversed(order):
        sends = [(p, d * node.grad) for p, d in zip(node.parents, node.local_grads())]
        for parent, amount in sends:
            parent.grad += amount


@pytest.mark.parametrize("loop", [loop_keeping_upstream, loop_in_two_passes, ex.BackwardLoop().model_answer()])
@pytest.mark.parametrize("graph", sorted(ex.GRAPHS))
def test_right_loops_written_differently_all_pass(loop, graph: str) -> None:  # type: ignore[no-untyped-def]
    """The checker follows a right loop however it reads and writes the gradients."""
    assert ex.check_loop(loop, graph).ok


def test_the_learners_exception_is_theirs_with_their_line() -> None:
    """A NameError in the learner's loop is reported as theirs, with this file's line, never a crash."""
    def loop(order: list) -> None:
        order[-1].grad = 1.0
        for node in reversed(order):
            node.grad += undefined  # type: ignore[name-defined]  # noqa: F821

    report = ex.BackwardLoop().check(loop)
    assert not report.ok and report.error is not None
    assert "your code raised NameError: name 'undefined' is not defined" in report.message
    assert "test_exercises.py" in report.message and "node.grad += undefined" in report.message
    assert "autograd/exercises.py" not in report.message and "reference.py" not in report.message


def test_a_loop_that_stops_early_is_caught() -> None:
    """A loop that only processes the output's gate is told which gate comes next."""
    def loop(order: list) -> None:
        order[-1].grad = 1.0
        node = order[-1]
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad

    report = ex.check_loop(loop, "course")
    assert not report.ok and "sent no more gradient" in report.message and report.where()[1].label == "q"


@pytest.mark.parametrize("gate", ex.COURSE_GATES)
def test_local_grads_model_answers_pass(gate: str) -> None:
    """The row's own local_grads passes each gate's task."""
    task = ex.LocalGrads(gate)
    assert task.check(task.model_answer()).ok


@pytest.mark.parametrize("gate, wrong", [
    ("sigmoid", lambda out, x: (out,)),  # missing factor (1 − σ)
    ("tanh", lambda out, x: (1 - out,)),  # missing square
    ("log", lambda out, x: (-1 / x,)),  # wrong sign
    ("mul", lambda out, a, b: (a, b)),  # no swap
    ("max", lambda out, a, b: (1.0, 0.0) if a > b else (0.0, 1.0)),  # wrong input at the tie
    ("pow", lambda out, x, c: (c * x ** c,)),  # exponent not lowered
])
def test_wrong_local_grads_are_caught(gate: str, wrong) -> None:  # type: ignore[no-untyped-def]
    """A wrong local derivative is reported with upstream × local = contribution, both ways."""
    report = ex.LocalGrads(gate).check(wrong)
    assert not report.ok and "with your local derivative it sends" in report.message
    assert report.arithmetic.startswith("upstream ") and report.where() is not None


def test_local_grads_must_be_a_tuple() -> None:
    """A bare number instead of a tuple is named, with the form expected."""
    report = ex.LocalGrads("exp").check(lambda out, x: out)
    assert "it must return a tuple of 1 number(s), one per input, e.g. (d,)" in report.message


def test_hand_gradients_points_at_the_first_complete_wrong_cell() -> None:
    """A wrong ∂f/∂x is reported once x's gradient is complete, with its arithmetic."""
    task = ex.HandGradients("fork")
    answer = task.model_answer()
    assert task.check(answer).ok
    answer["q"] += 1.0
    report = task.check(answer)
    assert not report.ok and report.node is not None and report.node.label == "q"
    assert " + " in report.arithmetic  # q's gradient is a sum over the fork's two paths


def test_hand_gradients_missing_a_label() -> None:
    """An answer without a node's label says which one is missing."""
    assert "no answer for f" in ex.HandGradients().check({}).message


def test_seeds_change_the_numbers_and_repeat() -> None:
    """The same seed gives the same task; another seed, other numbers."""
    assert ex.HandGradients(seed=1).prompt == ex.HandGradients(seed=1).prompt
    assert ex.HandGradients(seed=1).prompt != ex.HandGradients(seed=2).prompt


def test_unknown_names_are_refused() -> None:
    """A gate, bug or graph the exercises do not know is a clear error."""
    with pytest.raises(ValueError, match="LocalGrads: gate must be one of add, mul"):
        ex.LocalGrads("cube")
    with pytest.raises(ValueError, match="FindTheBug: bug must be one of assign_at_fork"):
        ex.FindTheBug("typo")
    with pytest.raises(ValueError, match="check_backward: graph must be one of course"):
        ex.check_backward(reference.backward, "nope")


def test_the_report_carries_their_gradients_for_a_diagram() -> None:
    """report.theirs is the graph with the learner's gradients; report.root has the right ones."""
    from autograd import topological_order

    report = ex.FindTheBug("sub_sign").check(ex.backward_sub_sign)
    assert report.root is not None and report.theirs is not None
    right = {n.label: n.grad for n in topological_order(report.root)}
    theirs = {n.label: n.grad for n in topological_order(report.theirs)}
    assert right["y"] == -theirs["y"] != 0 and right["x"] == theirs["x"]
