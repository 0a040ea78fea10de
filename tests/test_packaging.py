"""One installed name: ``nn`` and ``optim`` live under ``autograd_core`` and nowhere else."""
import importlib.metadata
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_python(code, cwd):
    """``python -c code`` in ``cwd``, finding autograd_core as this test session does (installed or the checkout)."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=120)


def test_nn_and_optim_are_subpackages():
    import autograd_core as ag
    from autograd_core import nn, optim

    assert nn.__name__ == "autograd_core.nn" and optim.__name__ == "autograd_core.optim"
    assert ag.nn is nn and ag.optim is optim


@pytest.mark.parametrize("name", ["nn", "optim"])
def test_top_level_import_from_the_checkout_fails_instead_of_making_a_second_copy(name):
    result = run_python(f"import {name}", cwd=ROOT)
    assert result.returncode != 0
    assert f"from autograd_core import {name}" in result.stderr


def test_a_users_own_nn_and_optim_modules_do_not_shadow_the_packages(tmp_path):
    (tmp_path / "nn.py").write_text("raise SystemExit('the user module was imported')\n")
    (tmp_path / "optim.py").write_text("raise SystemExit('the user module was imported')\n")
    result = run_python("from autograd_core import nn, optim; print(nn.MLP.__module__, optim.SGD.__module__)",
                        cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["autograd_core.nn.mlp", "autograd_core.optim.sgd"]


def setuptools_is_recent_enough():
    try:
        return int(importlib.metadata.version("setuptools").split(".")[0]) >= 77
    except importlib.metadata.PackageNotFoundError:
        return False


@pytest.mark.slow
def test_the_wheel_has_one_top_level_package(tmp_path):
    isolation = [] if not setuptools_is_recent_enough() else ["--no-build-isolation"]
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation,
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and not isolation and "No matching distribution found for setuptools" in result.stderr:
        pytest.skip("building the wheel needs setuptools>=77, which is neither installed here nor reachable")
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"autograd_core"}
    assert "autograd_core/nn/module.py" in names and "autograd_core/optim/sgd.py" in names
