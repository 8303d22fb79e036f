"""The notebooks: each paired with its plain-text script, valid, and the researcher's one run end to end."""
import os

import pytest

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")


@pytest.mark.parametrize("name", ["reports", "model_selection"])
def test_each_notebook_is_valid_and_paired_with_its_script(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    script = jupytext.read(NOTEBOOKS / f"{name}.py")
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert [(c.cell_type, c.source) for c in notebook.cells] == [(c.cell_type, c.source) for c in script.cells]


def test_the_reports_notebook_runs_and_draws_its_charts(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(NOTEBOOKS / "reports.py")  # the script as it is now, not the saved outputs
    # The kernel inherits the environment: it imports this checkout's package.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 2  # categories per report, indicators by status
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "5 reports, 0 could not be read" in text
    assert "004_657db78fa8902e38" in text and "labels:" in text
