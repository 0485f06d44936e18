"""The words a picture or page shows, in English and Chinese (the course's own terms), and the CJK font stack."""

from __future__ import annotations

import re
from typing import Any

from autograd import Gate

__all__ = ["LANGS", "FONT_STACK", "check_lang", "gate_rule", "has_cjk", "text"]

#: The languages diagrams, pages and the CLI speak.
LANGS = ("en", "zh")

#: Fonts for SVG and HTML text, Latin first, then common CJK fonts, so Chinese labels draw with
#: real glyphs wherever one of them is installed (Noto/Source Han on Linux, PingFang on macOS,
#: Microsoft YaHei on Windows).
FONT_STACK = (
    "Helvetica, Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
)

# Runs of CJK characters (ideographs, kana, hangul, CJK and full-width punctuation).
CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a CJK character (drawing it needs a CJK font).

    >>> has_cjk("权重w"), has_cjk("w0 ∂x")
    (True, False)
    """
    return CJK_RUN.search(text) is not None


# One entry per piece of text, in every language of LANGS. Keys are grouped by the module that
# shows them; ``{name}`` fields are filled in by :func:`text`.
_TEXT: dict[str, dict[str, str]] = {
    # -- shared terms of the course
    "data": {"en": "data", "zh": "值"},
    "grad": {"en": "grad", "zh": "梯度"},
    "forward pass": {"en": "forward pass", "zh": "前向传播"},
    "backward pass": {"en": "backward pass", "zh": "反向传播"},
    "upstream gradient": {"en": "upstream gradient", "zh": "上游梯度"},
    "local gradient": {"en": "local gradient", "zh": "局部梯度"},
    # -- diagrams (dot.py)
    "gate title": {"en": "{name} gate ({symbol})", "zh": "{name}（{symbol}）"},
    "sent back rule": {"en": "gradient sent back = upstream × local", "zh": "回传梯度 = 上游梯度 × 局部梯度"},
    "local": {"en": "local", "zh": "局部梯度"},
    "sent back": {"en": "sent back", "zh": "回传"},
    "upstream": {"en": "upstream", "zh": "上游梯度"},
    "pre-activation": {"en": "pre-activation", "zh": "激活前"},
    "output": {"en": "output", "zh": "输出"},
    "params": {"en": "params", "zh": "参数"},
    "largest grad": {"en": "largest grad", "zh": "最大梯度"},
    "page key": {"en": "colour key", "zh": "颜色说明"},
    "page key data": {"en": "data = value", "zh": "值 = 前向传播算出的数"},
    "page key grad": {"en": "grad = ∂output/∂value", "zh": "梯度 = ∂输出/∂该值"},
    "key input": {"en": "input", "zh": "输入"},
    "key parameter": {"en": "parameter", "zh": "参数"},
    "key constant": {"en": "constant", "zh": "常数"},
    "key interior": {"en": "gate output", "zh": "门单元的输出"},
    "key output": {"en": "output", "zh": "最终输出"},
    "key gate": {"en": "○ gate", "zh": "○ 门单元"},
    "key active": {"en": "○ this step's gate", "zh": "○ 本步的门单元"},
    "key touched": {"en": "gradient just received", "zh": "刚收到的梯度"},
    "key data": {"en": "data: the value (forward pass)", "zh": "值：前向传播算出的数"},
    "key grad": {"en": "grad: ∂output/∂value (backward pass)", "zh": "梯度：∂输出/∂该值（反向传播）"},
    # -- gradient check on the diagram (lens.py)
    "analytic": {"en": "analytic", "zh": "解析梯度"},
    "numeric": {"en": "numeric", "zh": "数值梯度"},
    "rel error": {"en": "rel. error", "zh": "相对误差"},
    "check ok": {"en": "ok", "zh": "一致"},
    "check mismatch": {"en": "MISMATCH", "zh": "不一致"},
    "check kink": {"en": "kink: not judged", "zh": "拐点：不判定"},
    "check no step": {"en": "no step inside the domain: not judged", "zh": "定义域内无法取步长：不判定"},
    "check legend": {
        "en": "gradient check: each leaf shows its analytic gradient (backward), its numeric gradient "
              "(centered difference, h = {eps}·max(1, |x|)) and their relative error · red: mismatch "
              "(relative error > {rtol}) · violet: a kink within ±h, not judged",
        "zh": "梯度检查：每个叶子节点给出解析梯度（反向传播）、数值梯度（中心差分，h = {eps}·max(1, |x|)）"
              "及其相对误差 · 红：不一致（相对误差 > {rtol}）· 紫：±h 内有拐点，不判定",
    },
    # -- health lens (lens.py)
    "dead": {"en": "dead relu: outputs 0, its input gets no gradient", "zh": "死亡 ReLU：输出 0，输入得不到梯度"},
    "saturated": {"en": "saturated: local gradient {local}", "zh": "饱和：局部梯度 {local}"},
    "vanishing": {"en": "vanishing gradient", "zh": "梯度消失"},
    "exploding": {"en": "exploding gradient", "zh": "梯度爆炸"},
    "dead share": {"en": "dead", "zh": "死亡"},
    "saturated share": {"en": "saturated", "zh": "饱和"},
    "health legend": {
        "en": "health: red, a dead relu (outputs 0, its input gets no gradient) · violet, a saturated "
              "σ/tanh (local gradient < {sat}) · cyan, a vanishing gradient (|grad| < {vanish} of the "
              "root's) · pink, an exploding one (> {explode} times the root's)",
        "zh": "健康：红，死亡 ReLU（输出 0，输入得不到梯度）· 紫，饱和的 σ/tanh（局部梯度 < {sat}）· "
              "青，梯度消失（|梯度| < 输出梯度的 {vanish}）· 粉，梯度爆炸（> 输出梯度的 {explode} 倍）",
    },
    "health legend collapsed": {
        "en": "health: each neuron filled by the share of data points on which it is dead (white 0% → red "
              "100%); saturated: σ/tanh local gradient < {sat}",
        "zh": "健康：每个神经元按其死亡的数据点比例着色（白 0% → 红 100%）；饱和：σ/tanh 局部梯度 < {sat}",
    },
    # -- page (html.py, frames.py)
    "the output": {"en": "the output", "zh": "输出"},
    "output of": {"en": "the {symbol} output", "zh": "{symbol} 的输出"},
    "constant": {"en": "the constant {value}", "zh": "常数 {value}"},
    "part of": {"en": "{origin}'s {part}", "zh": "{origin} 的 {part}"},
    "the part": {"en": "the {part}", "zh": "{part}"},
    "its pre-activation": {"en": "its pre-activation", "zh": "它的激活前的值"},
    "caption relu pass": {
        "en": "{node} passes the upstream gradient {upstream} to {input} because it is > 0",
        "zh": "{node} 把上游梯度 {upstream} 原样传给 {input}，因为它 > 0",
    },
    "caption relu block": {
        "en": "{node} passes no gradient to {input} because it is ≤ 0 ({data})",
        "zh": "{node} 不向 {input} 传梯度，因为它 ≤ 0（{data}）",
    },
    "gate called": {"en": "{name} gate", "zh": "{name} 门单元"},
    "gate called symbol": {"en": "{symbol} gate ({name})", "zh": "{symbol} 门单元（{name}）"},
    "caption forward": {"en": "Forward pass: {name} = {value}", "zh": "前向传播：{name} = {value}"},
    "caption forward data": {
        "en": "Each box shows a node's value (data); gradients not computed yet show as ?.",
        "zh": "每个方框显示节点的值；尚未计算的梯度显示为 ?。",
    },
    "caption forward start": {
        "en": "The backward pass starts at the output with ∂{out}/∂{out} = 1, "
              "then visits the gates from the output back to the inputs.",
        "zh": "反向传播从输出开始，∂{out}/∂{out} = 1，然后从输出往回、一个门单元接一个门单元地走到输入。",
    },
    "caption step": {
        "en": "Step {index} of {total}: the {called} that made {node} = {value}",
        "zh": "第 {index} 步（共 {total} 步）：{called}，它算出 {node} = {value}",
    },
    "caption upstream": {
        "en": "upstream gradient arriving at its output: {upstream}",
        "zh": "到达它输出端的上游梯度：{upstream}",
    },
    "caption contribution": {
        "en": "to {parent} ({data}): upstream {upstream} × local {local} = {contribution}, "
              "so its grad is now {total}",
        "zh": "传给 {parent}（值 {data}）：上游梯度 {upstream} × 局部梯度 {local} = {contribution}，"
              "它的梯度现在是 {total}",
    },
    "caption rule": {"en": "rule: {rule}", "zh": "规则：{rule}"},
    "caption neuron": {
        "en": "Step {index} of {total}: neuron {name}, its {gates} gates at once",
        "zh": "第 {index} 步（共 {total} 步）：神经元 {name}，它的 {gates} 个门单元一起",
    },
    "caption layer": {
        "en": "Step {index} of {total}: layer {name}, its {gates} gates at once",
        "zh": "第 {index} 步（共 {total} 步）：层 {name}，它的 {gates} 个门单元一起",
    },
    "caption at output": {
        "en": "upstream gradient arriving at its output {node} ({data}): {upstream}",
        "zh": "到达它的输出 {node}（值 {data}）的上游梯度：{upstream}",
    },
    "caption at its output": {
        "en": "upstream gradient arriving at its output ({data}): {upstream}",
        "zh": "到达它输出端（值 {data}）的上游梯度：{upstream}",
    },
    "caption through": {
        "en": "through the {called}'s local derivative {local}: the pre-activation ({data}) gets "
              "{upstream} × {local} = {grad}",
        "zh": "经过{called}的局部梯度 {local}：激活前的值（{data}）得到 {upstream} × {local} = {grad}",
    },
    "caption adds": {
        "en": "its {count} + gates pass {grad} on unchanged to each product and the bias (add distributes)",
        "zh": "它的 {count} 个加法门单元把 {grad} 原样传给每个乘积和偏置",
    },
    "output of group": {"en": "{name}'s output", "zh": "{name} 的输出"},
    "caption gate to": {"en": "{called}: to {parts}", "zh": "{called}：传给 {parts}"},
    "caption part": {
        "en": "{parent} ({data}) {upstream} × {local} = {contribution}",
        "zh": "{parent}（值 {data}）{upstream} × {local} = {contribution}",
    },
    "caption part total": {"en": "{part}, its grad now {total}", "zh": "{part}，梯度现在是 {total}"},
    "caption many": {
        "en": "{count} more gates send gradients to inputs and parameters; the largest goes to {parent}: {contribution}",
        "zh": "另有 {count} 个门单元把梯度传给输入和参数；最大的传给 {parent}：{contribution}",
    },
    "caption rules": {"en": "rules: {rules}", "zh": "规则：{rules}"},
    "page title": {"en": "Backprop, step by step", "zh": "反向传播，逐步演示"},
    "page through": {"en": "through {name}", "zh": "（{name}）"},
    "page previous": {"en": "previous", "zh": "上一步"},
    "page next": {"en": "next", "zh": "下一步"},
    "page previous label": {"en": "previous step", "zh": "上一步"},
    "page next label": {"en": "next step", "zh": "下一步"},
    "page frame": {"en": "step", "zh": "步"},
    # the page's one counter: the forward pass is step 0, then one step per gate (or group)
    "page counter": {"en": "step {i} of {n}", "zh": "第 {i} 步，共 {n} 步"},
    "page show all": {"en": "show all {n}", "zh": "显示全部 {n} 行"},
    "page show fewer": {"en": "show fewer", "zh": "收起"},
    "page minimap": {
        "en": "the whole graph: the blue box is the part in view, the dot the active gate; click or drag to move there",
        "zh": "整张图：蓝框是当前看到的部分，圆点是当前的门单元；点击或拖动可移到那里",
    },
    "page zoom in": {"en": "zoom in", "zh": "放大"},
    "page zoom out": {"en": "zoom out", "zh": "缩小"},
    "page fit": {"en": "fit", "zh": "适合窗口"},
    "page fit label": {"en": "fit the whole graph in view", "zh": "显示整张图"},
    "page diagram": {"en": "the computation graph", "zh": "计算图"},
    "page hint": {
        "en": "Keys: ← / → step, Home / End jump; drag to pan, wheel or + / − to zoom.",
        "zh": "按键：← / → 单步，Home / End 跳到开头或结尾；拖动可平移，滚轮或 + / − 可缩放。",
    },
    # -- what-if panel (whatif.py)
    "whatif title": {"en": "What if? Change an input", "zh": "如果……会怎样？改变一个输入"},
    "whatif hint": {
        "en": "Type a number or drag a slider: every value and gradient is recomputed at once; "
              "step from the start (Home) to see the new numbers gate by gate.",
        "zh": "输入一个数或拖动滑块：所有的值和梯度立即重新计算；按 Home 从头开始，逐个门单元查看新的数值。",
    },
    "whatif reset": {"en": "reset", "zh": "复原"},
    "whatif error": {"en": "The engine stops here:", "zh": "引擎在这里报错："},
    "whatif error title": {"en": "The {called} cannot compute this", "zh": "{called}无法计算"},
    "whatif invalid": {"en": "not a number", "zh": "不是数字"},
    # -- the gradient-check toggle on the stepper page (checkpanel.py)
    "check toggle": {"en": "gradient check", "zh": "梯度检查"},
    "check leaf": {"en": "leaf", "zh": "叶子节点"},
    "check verdict": {"en": "verdict", "zh": "结论"},
    "check page legend": {
        "en": "Each leaf's analytic gradient (this page's backward pass) against its numeric gradient "
              "(centered difference, h = {eps}·max(1, |x|)) · outlined red: mismatch (relative error > {rtol}) "
              "· violet: a kink within ±h or no step inside the domain, not judged · green: ok",
        "zh": "每个叶子节点的解析梯度（本页的反向传播）与数值梯度（中心差分，h = {eps}·max(1, |x|)）对照 · "
              "红框：不一致（相对误差 > {rtol}）· 紫框：±h 内有拐点或定义域内无法取步长，不判定 · 绿框：一致",
    },
    "check stale": {
        "en": "The gradient check was computed for the inputs the page was written with; "
              "after a what-if edit it no longer applies (reset the inputs to see it again).",
        "zh": "梯度检查是按写出本页时的输入计算的；用“如果……会怎样”改变输入后它不再适用（复原输入后可再次查看）。",
    },
    "page expand hint": {
        "en": "Click a neuron to see its gates; Esc or \u201cback\u201d returns.",
        "zh": "点击一个神经元可看到它的各个门单元；按 Esc 或“返回”回到整个网络。",
    },
    "page back": {"en": "back", "zh": "返回"},
    "page back label": {"en": "back to the whole network", "zh": "返回整个网络"},
    "page gates of": {"en": "{name}, gate by gate", "zh": "{name}：逐个门单元"},
    # -- training timeline (timeline.py)
    "timeline title": {"en": "Training, epoch by epoch", "zh": "训练过程，逐轮查看"},
    "timeline epoch": {"en": "epoch", "zh": "轮次"},
    "timeline previous": {"en": "previous", "zh": "上一轮"},
    "timeline next": {"en": "next", "zh": "下一轮"},
    "timeline counter": {"en": "epoch {i} of {n}", "zh": "第 {i} 轮，共 {n} 轮"},
    "timeline status": {"en": "train loss {loss}, accuracy {acc}", "zh": "训练损失 {loss}，准确率 {acc}"},
    "timeline val status": {"en": "validation loss {loss}, accuracy {acc}", "zh": "验证损失 {loss}，准确率 {acc}"},
    "timeline train": {"en": "train", "zh": "训练"},
    "timeline val": {"en": "validation", "zh": "验证"},
    "timeline loss": {"en": "loss", "zh": "损失"},
    "timeline accuracy": {"en": "accuracy", "zh": "准确率"},
    "timeline boundary": {"en": "decision boundary", "zh": "决策边界"},
    "timeline weights": {"en": "weights per class (red promotes, blue suppresses)",
                         "zh": "每个类别的权重（红色促进，蓝色抑制）"},
    "timeline class": {"en": "class {k}", "zh": "类别 {k}"},
    "timeline graph": {"en": "one data point's loss, by neuron, at this epoch",
                       "zh": "一个数据点的损失（按神经元折叠），本轮的值与梯度"},
    "timeline hint": {
        "en": "Press play, or drag the slider (← / → on it), to move through the epochs; every picture shows "
              "the parameters after that epoch. In the graph the wheel or − / + zooms and a drag pans; "
              "gradients are orange.",
        "zh": "按播放，或拖动滑块（在滑块上按 ← / →）逐轮查看；每张图都显示该轮结束后的参数。"
              "在图中用滚轮或 − / + 缩放，拖动平移；梯度为橙色。",
    },
    "timeline play": {"en": "play", "zh": "播放"},
    "timeline pause": {"en": "pause", "zh": "暂停"},
    "timeline fit": {"en": "fit", "zh": "适应"},
    "timeline boundary key": {
        "en": "colour: the class the model picks; paler: less sure (probability near 1/classes); "
              "ringed: the traced point",
        "zh": "颜色：模型选的类别；越浅越不确定（概率接近 1/类别数）；圆圈：所追踪的数据点",
    },
    "timeline neurons": {"en": "first hidden layer: each neuron's output over the plane",
                         "zh": "第一隐藏层：每个神经元在平面上的输出"},
    "timeline neurons key": {"en": "blue: positive, orange: negative, white: 0 (each map scaled to its largest |value|)",
                             "zh": "蓝色：正，橙色：负，白色：0（每张图按其最大 |值| 缩放）"},
    "timeline edges key": {"en": "edges: blue w > 0, orange w < 0, width ∝ |w|",
                           "zh": "连线：蓝色 w > 0，橙色 w < 0，粗细 ∝ |w|"},
    "timeline other shape": {
        "en": "At epochs {epochs} this point's graph has another shape than the one drawn (a gate took "
              "another branch); at those epochs its numbers are not shown.",
        "zh": "在第 {epochs} 轮，这个数据点的图形状与所画的不同（某个门单元走了另一个分支）；这些轮次不显示它的数值。",
    },
    # -- a stepper in a notebook (viz.html.Stepper, viz.animation)
    "anim counter": {"en": "Step {k} of {n}", "zh": "第 {k} 步，共 {n} 步"},
    "anim alt": {"en": "The backward pass of {name}, step by step (an animation)",
                 "zh": "{name} 的反向传播，逐步播放（动画）"},
    # one line (about 100 characters) under a saved stepper's animation, where its live page cannot run
    "page untrusted": {
        "en": "The saved stepper, animated. To step it yourself: run the cell, or Command Palette "
              "\u25b8 Trust Notebook.",
        "zh": "这是保存的逐步演示（动画）。要自己逐步操作：运行本单元，或在命令面板（Command Palette）"
              "\u25b8 Trust Notebook。",
    },
    # -- worksheets and the exercise checker's page (worksheet.py)
    "ws title": {"en": "worksheet", "zh": "练习"},
    "ws heading": {"en": "Your gradients", "zh": "你的梯度"},
    "ws instructions": {
        "en": "Type ∂{out}/∂node for every node, output first, and press Enter: each answer is checked "
              "to 4 significant digits (relative error 1e-3). Click a node to jump to its box.",
        "zh": "按从输出往回的顺序，为每个节点填写 ∂{out}/∂节点，然后按回车：每个答案按 4 位有效数字"
              "（相对误差 1e-3）检查。点击图中的节点可跳到它的输入框。",
    },
    "ws score": {"en": "{right} of {n} right", "zh": "答对 {right} 个，共 {n} 个"},
    "ws answer label": {"en": "∂{out}/∂{node}", "zh": "∂{out}/∂{node}"},
    "ws right": {"en": "right", "zh": "正确"},
    "ws not a number": {
        "en": "not a number: type a decimal such as -4, 0.25 or 1.5e-3",
        "zh": "不是数字：请输入小数，例如 -4、0.25 或 1.5e-3",
    },
    "ws wrong": {
        "en": "not yet. ∂{out}/∂{node} = upstream × local, added up over every gate {node} feeds:",
        "zh": "还不对。∂{out}/∂{node} = 上游梯度 × 局部梯度，对 {node} 输入的每个门单元求和：",
    },
    "ws wrong root": {
        "en": "not yet. {node} is the output: the backward pass starts with ∂{out}/∂{out} = 1.",
        "zh": "还不对。{node} 是输出：反向传播从 ∂{out}/∂{out} = 1 开始。",
    },
    "ws use": {"en": "upstream {upstream} × local {local} = {up} × {lo}", "zh": "上游梯度 {upstream} × 局部梯度 {local} = {up} × {lo}"},
    "ws use pending": {
        "en": "upstream {upstream} × local {local} = ? × {lo} (fill in {upstream} first)",
        "zh": "上游梯度 {upstream} × 局部梯度 {local} = ? × {lo}（先填 {upstream}）",
    },
    "ws hint rule": {"en": "the {gate} that takes {node}: {rule}", "zh": "接收 {node} 的{gate}：{rule}"},
    "ws hint again": {"en": "wrong again: here are the numbers.", "zh": "还是不对：下面是数值。"},
    "ws hint answer": {"en": "the answer: {answer}", "zh": "答案：{answer}"},
    "ws caption forward": {"en": "Worksheet: {name} = {value}", "zh": "练习：{name} = {value}"},
    "ws caption forward data": {
        "en": "Each box shows a node's value (data); its gradient is yours to fill in, in the table under the drawing.",
        "zh": "每个方框显示节点的值；它的梯度由你在图下方的表格里填写。",
    },
    "ws caption forward start": {
        "en": "Start at the output with ∂{out}/∂{out} = 1 and work back one gate at a time; "
              "→ shows which gate comes next.",
        "zh": "从输出开始，∂{out}/∂{out} = 1，然后一个门单元接一个门单元地往回算；按 → 查看下一个门单元。",
    },
    "ws caption upstream": {
        "en": "upstream gradient arriving at its output: ∂{out}/∂{node}",
        "zh": "到达它输出端的上游梯度：∂{out}/∂{node}",
    },
    "ws caption contribution": {
        "en": "to {parent} ({data}): add ∂{out}/∂{node} × local ∂{node}/∂{dparent}",
        "zh": "传给 {parent}（值 {data}）：加上 ∂{out}/∂{node} × 局部梯度 ∂{node}/∂{dparent}",
    },
    "key title": {"en": "Answer key", "zh": "答案"},
    "key variant": {"en": "Variant {k:02d}: {bindings}", "zh": "第 {k:02d} 份：{bindings}"},
    "key node": {"en": "node", "zh": "节点"},
    "exercise wrong": {
        "en": "The first wrong step: ∂{out}/∂{node} should be {expected}; your code made it {actual}.",
        "zh": "第一个出错的步骤：∂{out}/∂{node} 应为 {expected}；你的代码算出 {actual}。",
    },
    "exercise wrong here": {
        "en": "The first wrong step is this one, at the marked node {node}.",
        "zh": "第一个出错的步骤就是这一步，在标出的节点 {node}。",
    },
    "exercise pass": {"en": "(in backward() call {n})", "zh": "（第 {n} 次调用 backward()）"},
    "exercise checker": {"en": "The checker says: {message}", "zh": "检查器的说明：{message}"},
}


def check_lang(who: str, lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a ValueError naming ``who`` and the choices.

    >>> check_lang("draw_graph", "zh")
    'zh'
    >>> check_lang("draw_graph", "fr")
    Traceback (most recent call last):
    ...
    ValueError: draw_graph: lang must be one of 'en', 'zh'; got 'fr'
    """
    if not isinstance(lang, str) or lang not in LANGS:
        raise ValueError(f"{who}: lang must be one of {', '.join(map(repr, LANGS))}; got {lang!r}")
    return lang


def text(key: str, lang: str = "en", **fields: Any) -> str:
    """The text ``key`` in ``lang``, with ``{name}`` fields filled in.

    >>> text("upstream gradient", "zh")
    '上游梯度'
    """
    return _TEXT[key][lang].format(**fields) if fields else _TEXT[key][lang]


def gate_rule(gate: Gate, lang: str = "en") -> str:
    """A gate's rule in words, from its row of the gate table (English where a row has no Chinese).

    >>> from autograd import GATES
    >>> gate_rule(GATES["mul"], "zh")[:5]
    '乘法门单元'
    """
    return (gate.rule_zh or gate.rule) if lang == "zh" else gate.rule
