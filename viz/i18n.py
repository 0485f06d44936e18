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
