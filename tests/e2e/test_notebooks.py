"""Every notebook in notebooks/ runs top to bottom against a generated warehouse (the shared clean run of the
end-to-end tests, 56 days x 700 contacts/day; its published copy, as `make notebooks` reads it), draws its figures,
and is committed without outputs. A new notebook is covered by adding the file.

Here, beside the other clean-run tests, because a session fixture is cached per definition: a copy of clean_run
in another folder's conftest would build a second warehouse (~2.5 min)."""
import nbformat
import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# Figures a healthy run of each notebook draws (a notebook not listed must draw at least one).
MIN_FIGURES = {"satisfaction_drivers.ipynb": 5, "fcr_investigation.ipynb": 3, "forecast_accuracy.ipynb": 5,
               "qa_calibration_disputes.ipynb": 4}


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= set(MIN_FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_on_the_published_warehouse(path, clean_run):
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "callqa_serving.duckdb" in text, text[:500]  # it read the published copy
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    assert figures >= MIN_FIGURES.get(path.name, 1), (path.name, figures, text[:2000])
