"""backprop_frames: one diagram for the forward pass, then one per backward step, each different."""

from __future__ import annotations

import re

import pytest

import viz.frames
from autograd import Value
from viz import backprop_frames


def grads_shown(frame) -> list[str]:
    """The gradient texts of a frame's value nodes, in node order."""
    return re.findall(r"grad ([^<]+)</font>", frame.source)


def test_one_frame_plus_one_per_gate(fresh) -> None:
    """(x + y)·z has two gates, so three frames."""
    assert len(backprop_frames(fresh.f)) == 3


def test_frame_count_for_a_neuron_with_a_reused_input() -> None:
    """tanh(w·x + w·b + b): 5 gates (two ×, two +, tanh), 6 frames, whatever the reuse."""
    w, x, b = Value(0.5, "w"), Value(-1.0, "x"), Value(0.2, "b")
    out = (w * x + w * b + b).tanh()
    assert len(backprop_frames(out)) == 1 + 5


def test_leaf_root_gives_the_forward_frame_only() -> None:
    """A lone leaf has no gates: one frame."""
    assert len(backprop_frames(Value(1.0, "x"))) == 1


def test_consecutive_frames_differ(fresh) -> None:
    """No frame repeats the one before it."""
    sources = [frame.source for frame in backprop_frames(fresh.f)]
    assert all(a != b for a, b in zip(sources, sources[1:]))


def test_first_frame_shows_forward_values_and_no_gradient(fresh) -> None:
    """Frame 0: data everywhere, every grad '?', no active gate."""
    first = backprop_frames(fresh.f)[0]
    assert "data -12" in first.source and set(grads_shown(first)) == {"?"} and "active" not in first.source
    assert first.step is None


def test_step_frames_fill_gradients_in_as_computed(fresh) -> None:
    """After the × step x and y still show '?'; after the + step every grad is final."""
    frames = backprop_frames(fresh.f)
    assert grads_shown(frames[1]) == ["?", "?", "-4", "3", "1"]  # x, y, x+y, z, f
    assert grads_shown(frames[2]) == ["-4", "-4", "-4", "3", "1"]


def test_active_gate_is_highlighted(fresh) -> None:
    """Each step frame marks exactly one gate, the step's, as active."""
    frames = backprop_frames(fresh.f)
    assert [f.source.count('class=active') for f in frames] == [0, 1, 1]
    assert "n5 [label=<<b>×</b>> class=active" in frames[1].source
    assert "n2 [label=<<b>+</b>> class=active" in frames[2].source


def test_captions_say_upstream_times_local_with_numbers_and_the_rule(fresh) -> None:
    """The × step's caption has 1 × -4 = -4 and 1 × 3 = 3, and the mul rule."""
    caption = backprop_frames(fresh.f)[1].caption
    assert "upstream 1 × local -4 = -4, so its grad is now -4" in caption
    assert "upstream 1 × local 3 = 3" in caption and "rule: mul swaps its inputs" in caption


def test_frames_show_this_pass_even_after_an_earlier_backward(course) -> None:
    """With grads already accumulated on the leaves, the frames still show -4, -4, -4, 3, 1."""
    assert grads_shown(backprop_frames(course.f)[-1]) == ["-4", "-4", "-4", "3", "1"]


def test_too_many_gates_are_refused(monkeypatch) -> None:
    """Past MAX_STEPS gates: ValueError with the count and what to do (the one-page stepper has no limit)."""
    monkeypatch.setattr(viz.frames, "MAX_STEPS", 3)
    node = Value(1.0, "x")
    for _ in range(4):
        node = node + 1.0
    with pytest.raises(ValueError, match=r"has 4 gates.*limit is 3 gates\. Step through it on one page with viz\.save_html\(root, path\) or viz\.stepper\(root\)"):
        backprop_frames(node)


def test_graph_too_large_to_film_suggests_what_it_accepts(monkeypatch) -> None:
    """Over the node limit, the error suggests a subgraph or one whole drawing, not an option it lacks."""
    monkeypatch.setattr(viz.frames, "DEFAULT_MAX_NODES", 3)
    node = Value(1.0, "x") * 2.0 + 1.0
    with pytest.raises(ValueError, match=r"backprop_frames: the graph has 5 value nodes.*viz\.draw_graph\(root, max_nodes=None\)"):
        backprop_frames(node)


# -- captions name what each node is ----------------------------------------------------------


def _network_captions(lang: str = "en") -> list[tuple[str, list[str], str]]:
    """The captions of nn.MLP(3, [4, 4, 1]) under the hinge loss with label −1, gate by gate."""
    import nn
    from autograd import backward_steps, topological_order
    from nn.losses import hinge_loss

    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    total = sum(1 for n in topological_order(loss) if n.op)
    return [caption for _, caption, _ in viz.frames.walk(loss, backward_steps(loss), total, lang)]


def test_a_relus_step_names_its_neuron_and_says_why_it_passes_the_gradient() -> None:
    """Each hidden relu's step says "L2.N3's relu passes the upstream gradient g to its pre-activation
    because it is > 0", or that it passes none because its input is <= 0."""
    captions = _network_captions()
    relu_heads = [head for head, _, _ in captions if "'s relu =" in head]
    assert len(relu_heads) == 8 and any("L2.N3's relu" in head for head in relu_heads)
    lines = [line for _, body, _ in captions for line in body if "'s relu passes" in line]
    assert len(lines) == 8
    assert all(re.fullmatch(r"L[12]\.N[0-3]'s relu passes (the upstream gradient \S+ to its pre-activation "
                            r"because it is > 0|no gradient to its pre-activation because it is ≤ 0 \(\S+\))", line)
               for line in lines)


def test_the_hinge_tail_is_named_in_the_captions() -> None:
    """The loss's steps name the hinge, the margin and -y·s, and the score's neuron."""
    head1, body1, _ = _network_captions()[1]
    assert head1.startswith("Step 1 of 75: the max gate that made the hinge = ")
    assert "the hinge passes the upstream gradient 1 to the margin because it is > 0" in body1
    assert any(line.startswith("to the margin (") for line in body1)


def test_zh_captions_name_the_neuron_too() -> None:
    """In Chinese: "L2.N3 的 relu" and 激活前的值."""
    lines = [line for _, body, _ in _network_captions("zh") for line in body]
    assert any(re.match(r"L[12]\.N[0-3] 的 relu (把上游梯度 \S+ 原样传给|不向) 它的激活前的值", line) for line in lines)


def test_every_frame_has_the_key_of_a_backward_pass(course) -> None:
    """Each frame's graph label is the colour key with the active gate and a gradient just received."""
    from viz.dot import ACTIVE_FILL, TOUCHED_FILL

    for frame in backprop_frames(course.f):
        label = [line for line in frame.source.splitlines() if line.startswith("\tlabel=<")]
        assert len(label) == 1 and ACTIVE_FILL in label[0] and TOUCHED_FILL in label[0]


def test_zh_frames_name_the_cells_in_chinese(course) -> None:
    """A frame in Chinese prints 值 and 梯度 in its cells (it printed data and grad)."""
    source = backprop_frames(course.f, lang="zh")[1].source
    assert "值 </font> -12" in source and "data -12" not in source
