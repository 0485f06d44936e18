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
    "legend": {
        "en": "blue input · amber parameter · grey constant · white interior · green output · "
              "circles: gates · data in grey, grad in orange",
        "zh": "蓝：输入 · 黄：参数 · 灰：常数 · 白：中间值 · 绿：输出 · 圆：门单元 · "
              "值为灰色，梯度为橙色",
    },
    # -- page (html.py, frames.py)
    "the output": {"en": "the output", "zh": "输出"},
    "output of": {"en": "the {symbol} output", "zh": "{symbol} 的输出"},
    "constant": {"en": "the constant {value}", "zh": "常数 {value}"},
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
    "page title": {"en": "Backprop, step by step", "zh": "反向传播，逐步演示"},
    "page through": {"en": "through {name}", "zh": "（{name}）"},
    "page previous": {"en": "previous", "zh": "上一步"},
    "page next": {"en": "next", "zh": "下一步"},
    "page previous label": {"en": "previous step", "zh": "上一步"},
    "page next label": {"en": "next step", "zh": "下一步"},
    "page frame": {"en": "frame", "zh": "帧"},
    "page counter": {"en": "frame {i} of {n}", "zh": "第 {i} 帧，共 {n} 帧"},
    "page zoom in": {"en": "zoom in", "zh": "放大"},
    "page zoom out": {"en": "zoom out", "zh": "缩小"},
    "page fit": {"en": "fit", "zh": "适合窗口"},
    "page fit label": {"en": "fit the whole graph in view", "zh": "显示整张图"},
    "page diagram": {"en": "the computation graph", "zh": "计算图"},
    "page hint": {
        "en": "Keys: ← / → step, Home / End jump; drag to pan, wheel or + / − to zoom. "
              "Gradients are orange; ? means not computed yet.",
        "zh": "按键：← / → 单步，Home / End 跳到开头或结尾；拖动可平移，滚轮或 + / − 可缩放。"
              "梯度为橙色；? 表示尚未计算。",
    },
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
        "en": "Drag the slider (or use ← / → on it) to move through the epochs; every picture shows "
              "the parameters after that epoch. Gradients are orange.",
        "zh": "拖动滑块（或在滑块上按 ← / →）逐轮查看；每张图都显示该轮结束后的参数。梯度为橙色。",
    },
    "page untrusted": {
        "en": "The backprop stepper shows here once the notebook is trusted (JupyterLab: File ▸ Trust "
              "Notebook) or the cell is run again; viz.save_html writes the same page as a file.",
        "zh": "笔记本被信任后（JupyterLab：File ▸ Trust Notebook）或重新运行本单元后，这里会显示反向传播"
              "逐步演示；viz.save_html 可把同一页面写成文件。",
    },
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
