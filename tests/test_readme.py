"""Every Python block of the README runs, in order, in one namespace per section (mktestdocs extracts them).

A section is the text under a level-two heading (``## ...``), its subsections included; a block may use
the names defined by the blocks before it in the same section. Blocks run in a temporary folder, so the
files they write land there.
"""
import importlib.util
import pathlib
import re
import shutil

import pytest

mktestdocs = pytest.importorskip("mktestdocs", reason="mktestdocs (the dev extra) extracts the README's blocks")

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"

#: optional packages (extras) that a section's blocks need, by the start of the section's heading
REQUIRES = {"Parallel and distributed training": ["ray"], "Tuning and diagnostics": ["matplotlib"],
            "Building and training a model": ["sklearn"], "Training with `optim`": ["sklearn"],
            "Compressing a trained model": ["sklearn"]}
#: programs that a section's blocks run, likewise
PROGRAMS = {"See the graph": ["dot"], "Watch backpropagation happen": ["dot"]}


def sections():
    """(heading, [python blocks]) for each level-two section that has Python blocks."""
    text = README.read_text()
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    found = []
    for part in parts:
        heading = part.splitlines()[0].strip()
        blocks = mktestdocs.grab_code_blocks(part, lang="python")
        if blocks:
            found.append((heading, blocks))
    return found


def test_the_readme_has_python_blocks():
    assert sum(len(blocks) for _, blocks in sections()) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("heading, blocks", sections(), ids=[heading for heading, _ in sections()])
def test_readme_section_runs(heading, blocks, tmp_path, monkeypatch):
    for prefix, modules in REQUIRES.items():
        missing = [module for module in modules
                   if heading.startswith(prefix) and importlib.util.find_spec(module) is None]
        if missing:
            pytest.skip(f"this section needs {', '.join(missing)} (an optional extra), which is not installed here")
    for prefix, programs in PROGRAMS.items():
        missing = [program for program in programs if heading.startswith(prefix) and shutil.which(program) is None]
        if missing:
            pytest.skip(f"this section renders with Graphviz's {', '.join(missing)}, which is not installed here")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "readme"}
    for number, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md, section {heading!r}, block {number + 1}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"README section {heading!r}, block {number + 1} failed: "
                                 f"{type(error).__name__}: {error}\n{block}") from error
