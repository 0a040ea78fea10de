#!/usr/bin/env bash
# Run the whole test suite on a CUDA machine, with the GPU tests (marked `gpu`) enabled.
#
#   tests/run_gpu_suite.sh [pytest arguments...]
#
# When PYTHON already has CuPy, pytest and hypothesis (a machine set up for CUDA work, perhaps
# without network access), it runs the suite with that Python and the checkout on PYTHONPATH.
# Otherwise it makes a virtual environment and installs the project with its development extras and
# the CuPy build for the machine's CUDA. Either way it checks that CuPy sees a device (otherwise the
# GPU tests would be skipped and the run would prove nothing), then runs `python -m pytest -q`.
# Environment: PYTHON (default python3), VENV (default .venv), CUDA_EXTRA (cuda12 or cuda13; read
# from nvidia-smi when unset).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

if "$PYTHON" -c "import cupy, pytest, hypothesis" 2>/dev/null; then
  SUITE_PYTHON="$PYTHON"
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
  echo "using $("$PYTHON" -c 'import sys; print(sys.executable)'), which has CuPy, pytest and hypothesis"
elif [ -z "${CUDA_EXTRA:-}" ]; then
  cuda_major="$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\).*/\1/p' | head -n 1 || true)"
  if [ -z "$cuda_major" ]; then
    echo "nvidia-smi reports no CUDA version: is this a CUDA machine? Set CUDA_EXTRA=cuda12 or cuda13." >&2
    exit 1
  elif [ "$cuda_major" -ge 13 ]; then
    CUDA_EXTRA=cuda13
  elif [ "$cuda_major" -eq 12 ]; then
    CUDA_EXTRA=cuda12
  else
    echo "the driver supports CUDA $cuda_major; CuPy's wheels here need CUDA 12 or 13" >&2
    exit 1
  fi
fi

if [ -z "${SUITE_PYTHON:-}" ]; then
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dev,$CUDA_EXTRA]"
  SUITE_PYTHON="$VENV/bin/python"
fi

"$SUITE_PYTHON" - <<'PY'
import autograd_core as ag

if not ag.gpu_available():
    raise SystemExit("CuPy is installed but sees no CUDA device, so the GPU tests would be skipped; "
                     "check the driver and CUDA_EXTRA")
import cupy

print(f"GPU tests enabled: CuPy {cupy.__version__} on {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}")
PY

exec "$SUITE_PYTHON" -m pytest -q "$@"
