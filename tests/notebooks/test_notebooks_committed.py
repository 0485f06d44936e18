"""The committed teaching notebooks: executed top to bottom with outputs saved, no errors, course terms named."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Each notebook and the course's Chinese terms (with their English names) it must teach.
TERMS = {
    "01_images_and_scores.ipynb": {"得分函数": "score function"},
    "02_gates_and_chain_rule.ipynb": {
        "前向传播": "forward propagation",
        "反向传播": "backpropagation",
        "加法门单元": "add gate",
        "MAX门单元": "max gate",
        "乘法门单元": "multiply gate",
    },
    "03_losses.ipynb": {
        "得分函数": "score function",
        "损失函数": "loss function",
        "正则化惩罚项": "regularization penalty",
        "过拟合": "overfitting",
    },
    "04_networks_and_activations.ipynb": {
        "前向传播": "forward propagation",
        "反向传播": "backpropagation",
        "激活函数": "activation function",
        "过拟合": "overfitting",
    },
    "05_gradient_checking.ipynb": {
        "反向传播": "backpropagation",
        "前向传播": "forward propagation",
        "MAX门单元": "max gate",
    },
    "06_exercises.ipynb": {
        "反向传播": "backpropagation",
        "前向传播": "forward propagation",
        "加法门单元": "add gate",
        "乘法门单元": "multiply gate",
        "MAX门单元": "max gate",
    },
    "07_common_bugs.ipynb": {
        "反向传播": "backpropagation",
        "前向传播": "forward propagation",
        "加法门单元": "add gate",
        "乘法门单元": "multiply gate",
    },
}

#: A committed notebook larger than this is carrying something it should not (a huge graph, a photo).
#: Notebook 04, the largest, holds two inline steppers of the 3 → 4 → 4 → 1 network, each a whole
#: self-contained page (about 0.45 MB as the JSON of its loader) and its animated PNG for a notebook
#: opened untrusted (viz.animation; 0.44 MB gate by gate, 0.1 MB by neuron, base64 once), and the
#: health lens's collapsed 2 → 16 → 16 → 1 view (0.25 MB): about 2.5 MB.
MAX_BYTES = 2_800_000


def load(name: str) -> dict:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


def output_text(nb: dict) -> str:
    """Everything the code cells printed or displayed, as one string."""
    parts = []
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            parts.append(json.dumps(out, ensure_ascii=False))
    return "\n".join(parts)


parametrize = pytest.mark.parametrize("name", sorted(TERMS))


def test_every_notebook_is_listed() -> None:
    """The notebooks folder holds exactly the notebooks this test knows about."""
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(TERMS)


@parametrize
def test_committed_with_outputs(name: str) -> None:
    """Every code cell was executed, in order, in one run, and the notebook has outputs to read."""
    cells = code_cells(load(name))
    assert cells, f"{name} has no code cells"
    counts = [cell.get("execution_count") for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{name}: execution counts {counts}: run it top to bottom in a fresh kernel and save the outputs"
    )
    with_output = [i for i, cell in enumerate(cells) if cell.get("outputs")]
    assert len(with_output) >= len(cells) // 2, (
        f"{name}: only {len(with_output)} of {len(cells)} code cells have outputs; commit it executed"
    )


@parametrize
def test_no_error_outputs(name: str) -> None:
    """No cell holds an error or a traceback printed to stderr."""
    for i, cell in enumerate(code_cells(load(name))):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{name}, code cell {i}: {out.get('ename')}: {out.get('evalue')}"
            if out["output_type"] == "stream":
                assert "Traceback" not in out["text"], f"{name}, code cell {i} printed a traceback"


@parametrize
def test_names_the_course_terms(name: str) -> None:
    """The markdown names each of the notebook's Chinese course terms, and its English name."""
    text = "\n".join("".join(cell["source"]) for cell in load(name)["cells"] if cell["cell_type"] == "markdown")
    for chinese, english in TERMS[name].items():
        assert chinese in text, f"{name} never names {chinese} ({english})"
        assert english.lower() in text.lower(), f"{name} names {chinese} but never says {english!r}"


@parametrize
def test_small_and_free_of_local_paths(name: str) -> None:
    """A committed notebook stays small and its outputs show no path of the machine that ran it."""
    path = NOTEBOOKS / name
    assert path.stat().st_size <= MAX_BYTES, f"{name} is {path.stat().st_size:,} bytes (limit {MAX_BYTES:,})"
    outputs = output_text(load(name))
    for local in {str(NOTEBOOKS.parents[0]), tempfile.gettempdir() + "/", str(Path.home()) + "/"}:
        assert local not in outputs, f"{name}: an output shows the local path {local!r}"
