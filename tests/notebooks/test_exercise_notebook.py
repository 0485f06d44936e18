"""06_exercises with MODEL_ANSWERS = False: a learner's unwritten answers are reported by the checker, never a crash."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "06_exercises.ipynb"
SWITCH = "MODEL_ANSWERS = True"


def test_the_learner_mode_runs_and_reports_each_unwritten_answer() -> None:
    """With the one variable switched off, every cell runs and the checker names the learner's NotImplementedError."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert SWITCH in first.source, "the first code cell sets MODEL_ANSWERS"
    first.source = first.source.replace(SWITCH, "MODEL_ANSWERS = False")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "\n".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert "your code raised NotImplementedError: write dσ/dx here" in printed
    assert "your code raised NotImplementedError: write the backward loop" in printed
    assert "your code raised NotImplementedError: fix the broken backward" in printed
    assert "no answer for q" in printed  # the hand-gradients answer holds only f
    assert "Traceback" not in printed
