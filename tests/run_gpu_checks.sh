#!/usr/bin/env bash
# On a CUDA machine: the test suite with the GPU tests enabled, then the GPU benchmark, in one log.
#
#   tests/run_gpu_checks.sh [LOG]        # LOG defaults to gpu_checks.log
#
# The suite runs through tests/run_gpu_suite.sh (see there for how it finds or makes its Python);
# the benchmark is benchmarks/bench_gpu.py with the same Python. Exits non-zero if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG="${1:-gpu_checks.log}"
PYTHON="${PYTHON:-python3}"
{
  echo "== $(date -u '+%Y-%m-%d %H:%M UTC'): $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
  echo "== test suite with the GPU tests"
  # shellcheck disable=SC2086  # GPU_PYTEST_ARGS holds extra pytest options, split on spaces
  bash tests/run_gpu_suite.sh -p no:cacheprovider ${GPU_PYTEST_ARGS:-}
  suite=$?
  echo "== GPU benchmark"
  if "$PYTHON" -c "import cupy" 2>/dev/null; then BENCH_PYTHON="$PYTHON"; else BENCH_PYTHON="${VENV:-.venv}/bin/python"; fi
  PYTHONPATH="$PWD" "$BENCH_PYTHON" benchmarks/bench_gpu.py --json "${LOG%.log}.json" ${GPU_BENCH_ARGS:-}
  bench=$?
  echo "== suite exit $suite, benchmark exit $bench"
  [ "$suite" = 0 ] && [ "$bench" = 0 ]
} 2>&1 | tee "$LOG"
