"""viz.i18n: every text in every language, every gate's Chinese rule in its row."""

from __future__ import annotations

import pytest

from autograd import GATES
from viz import i18n


@pytest.mark.parametrize("key", sorted(i18n._TEXT))
def test_every_text_is_given_in_every_language(key: str) -> None:
    """No entry of the text table misses a language of LANGS, or leaves one empty."""
    assert all(i18n._TEXT[key].get(lang) for lang in i18n.LANGS)


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_gate_row_has_a_chinese_rule(name: str) -> None:
    """Each built-in row carries its rule in Chinese, with at least one CJK character."""
    rule = i18n.gate_rule(GATES[name], "zh")
    assert rule != GATES[name].rule and any("\u4e00" <= ch <= "\u9fff" for ch in rule)


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    """check_lang names the caller and lists the languages."""
    with pytest.raises(ValueError, match=r"draw_graph: lang must be one of 'en', 'zh'; got 'de'"):
        i18n.check_lang("draw_graph", "de")
