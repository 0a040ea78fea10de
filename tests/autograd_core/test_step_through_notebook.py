"""The step-through player inline in a notebook: a percent script made a notebook by Jupytext, run by nbclient."""
import os
from pathlib import Path

import pytest

from autograd_core.viz import dot_available

jupytext = pytest.importorskip("jupytext", reason="the notebook test needs jupytext (the dev extra)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (the dev extra)")
pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (the dev extra)")
pytestmark = pytest.mark.skipif(not dot_available(), reason="the player is drawn by Graphviz's dot, not installed here")

REPOSITORY = Path(__file__).resolve().parents[2]
NOTEBOOK = '''# %% [markdown]
# Figure 3.3, stepped through.

# %%
import autograd_core as ag
from autograd_core.examples import figure_3_3

w, o = figure_3_3(0.7)
player = ag.viz.step_through(o, title="Figure 3.3 in a notebook")
print(len(player.trace), "steps;", "w.grad is", w.grad)

# %%
player
'''


@pytest.mark.slow
def test_the_player_displays_inline_as_html(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])))
    notebook = jupytext.reads(NOTEBOOK, fmt="py:percent")
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    printed = notebook.cells[1].outputs[0]
    assert printed["text"] == "5 steps; w.grad is None\n"
    (shown,) = notebook.cells[2].outputs
    assert shown["output_type"] == "execute_result"
    html = shown["data"]["text/html"]
    assert html.startswith('<div class="agst"') and 'data-hash="0"' in html
    assert "Figure 3.3 in a notebook" in html and "<svg" in html and "<script>" in html
    assert "<StepThrough 'Figure 3.3 in a notebook': 5 steps>" == shown["data"]["text/plain"]
