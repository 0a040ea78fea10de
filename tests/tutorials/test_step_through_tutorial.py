"""The step-through tutorial runs as a script and writes its five players, each carrying the steps it promises."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from autograd_core.viz import dot_available

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY / "tutorials" / "backprop_7_step_through.py"
# page -> (mode, number of steps)
PLAYERS = {
    "figure_3_3_step_through.html": ("dp", 5),
    "figure_3_3_paths.html": ("paths", 2),
    "figure_3_4_step_through.html": ("dp", 8),
    "figure_3_4_paths.html": ("paths", 8),
    "mlp_step_through.html": ("dp", 29),
}


def test_the_tutorial_writes_its_players(tmp_path):
    environment = dict(os.environ, AUTOGRAD_CORE_FAST="1", TUTORIAL_OUTPUT_DIR=str(tmp_path),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, env=environment, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "step 3: ∂o/∂y = ∂o/∂q · z(y, q) + ∂o/∂p · z(y, p)" in result.stdout
    assert "w: sum over 8 paths = " in result.stdout
    for page, (mode, count) in PLAYERS.items():
        if not dot_available():
            assert f"skipped {page}: " in result.stdout and not (tmp_path / page).exists()
            continue
        text = (tmp_path / page).read_text(encoding="utf-8")
        data = json.loads(re.search(r'class="agst-data">(.*?)</script>', text, re.S).group(1))
        assert data["mode"] == mode and len(data["steps"]) == count, page
        assert not re.search(r"https?:", text), page
