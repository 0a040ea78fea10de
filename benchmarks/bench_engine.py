"""Side-by-side measurements of autograd_core against its peers.

    python benchmarks/bench_engine.py            # full run (a few minutes)
    python benchmarks/bench_engine.py --quick    # fewer repeats, smaller deep graphs

Everything runs in one process, so hand-written NumPy, PyTorch, micrograd and
autograd_core share the same NumPy build, BLAS and thread settings. The
results are printed as a Markdown table and written to
``benchmarks/results/latest.json``. See ``benchmarks/README.md`` for what each
row measures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Measure the checkout this file lives in; the benchmark helpers sit next to it.
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numpy as np

from baselines import micrograd_mlp, mygrad_impl, torch_mlp
from baselines.numpy_mlp import NumpyMLP
from baselines.problems import (
    MLP_LARGE,
    MLP_SMALL,
    make_mlp_problem,
    make_moons,
    scalar_mlp_weights,
)
from timing import measure, measure_fresh, peak_memory, time_once

CHAIN_BLOCKS = 50  # x = tanh(x * 1.01 + 0.1) - 0.05 : 4 ops per block
CHAIN_OPS = 4 * CHAIN_BLOCKS
CHAIN_SHAPE = (16,)

CONFIGS = {
    "full": dict(
        mlp_small=dict(repeats=50, warmup=5),
        mlp_large=dict(repeats=20, warmup=3),
        chain=dict(repeats=100, warmup=10),
        scalar=dict(repeats=5, warmup=1),
        deep_ag_ops=1_000_000,
        deep_micrograd_ops=100_000,
        path_depth=20,
        path_repeats=dict(count=5, paths=3, dp=5),
    ),
    "quick": dict(
        mlp_small=dict(repeats=8, warmup=2),
        mlp_large=dict(repeats=3, warmup=1),
        chain=dict(repeats=10, warmup=2),
        scalar=dict(repeats=1, warmup=0),
        deep_ag_ops=200_000,
        deep_micrograd_ops=100_000,
        path_depth=16,
        path_repeats=dict(count=1, paths=1, dp=3),
    ),
}

SECTIONS = ("mlp", "chain", "scalar", "deep", "memory", "paths")


# --- environment ------------------------------------------------------------------------------
def import_engine():
    """``(module, None)`` or ``(None, reason)``."""
    try:
        import autograd_core_impl
    except Exception as exc:  # ImportError, or a half-written package
        return None, f"{type(exc).__name__}: {exc}"
    return autograd_core_impl, None


def environment(engine_error):
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))},
        "torch": torch_mlp.info() if torch_mlp.available() else None,
        "micrograd": micrograd_mlp.info() if micrograd_mlp.available() else None,
        "mygrad": _mygrad_version() if mygrad_impl.available() else None,
        "autograd_core": None if engine_error else "imported",
    }
    try:
        from threadpoolctl import threadpool_info

        env["blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture", "filepath")}
            for d in threadpool_info()
        ]
    except ImportError:
        env["blas"] = "threadpoolctl not installed"
    return env


def _mygrad_version():
    import mygrad

    return mygrad.__version__


def print_environment(env):
    print(f"Python {env['python']} on {env['platform']}, {env['cpu_count']} CPUs")
    print(f"NumPy {env['numpy']}; PyTorch {env['torch'] or 'not installed'}; "
          f"micrograd {env['micrograd'] or 'not installed'}; MyGrad {env.get('mygrad') or 'not installed'}")
    if env["env"]:
        print("Environment: " + ", ".join(f"{k}={v}" for k, v in sorted(env["env"].items())))
    if isinstance(env["blas"], list):
        for lib in env["blas"]:
            print(f"Thread pool: {lib['internal_api']} {lib['version']} ({lib['architecture']}), "
                  f"{lib['num_threads']} threads — {lib['filepath']}")
    else:
        print(f"BLAS info: {env['blas']}")
    print()


# --- sections ---------------------------------------------------------------------------------
def bench_mlp(cfg, ag_impl, results, progress):
    for label, (sizes, batch), timing_cfg in (
        ("small", MLP_SMALL, cfg["mlp_small"]),
        ("large", MLP_LARGE, cfg["mlp_large"]),
    ):
        X, y, params = make_mlp_problem(sizes, batch)
        entry = {"sizes": list(sizes), "batch": batch, "dtype": "float32"}
        results[f"mlp_{label}"] = entry
        impls = {"numpy": NumpyMLP}
        if torch_mlp.available():
            impls["torch"] = torch_mlp.TorchMLP
        if mygrad_impl.available():
            impls["mygrad"] = mygrad_impl.MygradMLP
        if ag_impl is not None:
            impls["autograd_core"] = ag_impl.AgMLP
        first_losses = {}
        for name, cls in impls.items():
            progress(f"MLP {label}: {name}")
            try:
                model = cls(params, X, y)
                first_losses[name] = [model.step() for _ in range(3)]
                t = measure(model.step, **timing_cfg)
                entry[name] = {"ms_per_step": t.ms, **t.as_dict()}
            except Exception as exc:
                entry[name] = error_entry(exc)
        ref = first_losses.get("numpy")
        if ref is not None:
            entry["loss_check"] = {
                name: float(np.max(np.abs(np.array(v) - ref) / np.abs(ref)))
                for name, v in first_losses.items() if name != "numpy"
            }
            entry["losses_first_3_steps"] = first_losses


def bench_chain(cfg, ag_impl, results, progress):
    x0 = np.random.default_rng(1).standard_normal(CHAIN_SHAPE)  # float64
    entry = {"ops": CHAIN_OPS, "shape": list(CHAIN_SHAPE), "dtype": "float64",
             "chain": f"{CHAIN_BLOCKS} x [x = tanh(x * 1.01 + 0.1) - 0.05]"}
    results["chain"] = entry

    def numpy_forward():
        x = x0
        for _ in range(CHAIN_BLOCKS):
            x = np.tanh(x * 1.01 + 0.1) - 0.05
        return x

    impls = {"numpy": (numpy_forward, None)}
    if torch_mlp.available():
        impls["torch"] = torch_mlp.make_chain(x0, CHAIN_BLOCKS)
    if mygrad_impl.available():
        impls["mygrad"] = mygrad_impl.make_chain(x0, CHAIN_BLOCKS)
    if ag_impl is not None:
        impls["autograd_core"] = ag_impl.make_chain(x0, CHAIN_BLOCKS)
    reference = numpy_forward()
    for name, (fwd, fwd_bwd) in impls.items():
        progress(f"chain: {name}")
        try:
            out = _as_array(fwd())
            e = {"forward_max_abs_err": float(np.max(np.abs(out - reference)))}
            t = measure(fwd, **cfg["chain"])
            e["forward_us_per_op"] = t.us / CHAIN_OPS
            if fwd_bwd is not None:
                t2 = measure(fwd_bwd, **cfg["chain"])
                e["forward_backward_us_per_op"] = t2.us / CHAIN_OPS
            entry[name] = e
        except Exception as exc:
            entry[name] = error_entry(exc)


def _as_array(value):
    """A NumPy array from an ndarray, a torch tensor, an autograd_core Tensor or a MyGrad tensor."""
    if isinstance(value, np.ndarray):
        return value
    if not hasattr(value, "detach"):  # MyGrad: its tensors convert through __array__
        return np.asarray(value)
    return np.asarray(value.detach().numpy())


def bench_scalar(cfg, ag_impl, results, progress):
    X, y = make_moons(100)
    layers = scalar_mlp_weights((2, 16, 16, 1))
    entry = {"sizes": [2, 16, 16, 1], "points": len(X), "loss": "mean hinge max(0, 1 - y*score)"}
    results["scalar_mlp"] = entry
    impls = {}
    if micrograd_mlp.available():
        impls["micrograd"] = lambda: micrograd_mlp.MicrogradTrainer(layers, X, y)
    else:
        entry["micrograd"] = {"skipped": micrograd_mlp.MISSING}
    if ag_impl is not None:
        impls["autograd_core"] = lambda: ag_impl.ScalarTrainer(layers, X, y)
    losses = {}
    for name, make in impls.items():
        progress(f"scalar MLP: {name}")
        try:
            trainer = make()
            # The first step is timed too: it is also the loss check.
            t_first, loss0 = time_once(trainer.step)
            losses[name] = [loss0, trainer.step()]
            t = measure(trainer.step, **cfg["scalar"])
            entry[name] = {"s_per_step": t.median, "first_step_s": t_first, **t.as_dict()}
        except Exception as exc:
            entry[name] = error_entry(exc)
        gc.collect()
    entry["losses_first_2_steps"] = losses
    if len(losses) == 2:
        a, b = np.array(losses["micrograd"]), np.array(losses["autograd_core"])
        entry["loss_check"] = float(np.max(np.abs(a - b)))


def _time_deep_chain(entry, key, label, contestant, n, progress):
    """Time ``contestant.deep_chain(n)`` (forward and backward once) and check its gradient, 1.0001^ceil(n/2)."""
    if not contestant.available():
        entry[key] = {"skipped": contestant.MISSING}
        return
    progress(f"deep chain: {label}, {n:,} ops")
    try:
        t, g = time_once(contestant.deep_chain, n)
        expected = 1.0001 ** ((n + 1) // 2)
        entry[key] = {"ops": n, "seconds": t, "grad": g, "grad_rel_err": abs(g - expected) / expected}
    except Exception as exc:
        entry[key] = error_entry(exc)
    gc.collect()


def bench_deep(cfg, ag_impl, results, progress):
    entry = {}
    results["deep_chain"] = entry
    n_mg = cfg["deep_micrograd_ops"]
    if micrograd_mlp.available():
        progress(f"deep chain: micrograd, {n_mg:,} ops")
        try:
            t, r = time_once(lambda: micrograd_mlp.deep_chain(n_mg))
            entry["micrograd"] = {**r, "seconds": t}
        except Exception as exc:
            entry["micrograd"] = error_entry(exc)
        gc.collect()
    else:
        entry["micrograd"] = {"skipped": micrograd_mlp.MISSING}
    _time_deep_chain(entry, "mygrad", "MyGrad", mygrad_impl, cfg["deep_micrograd_ops"], progress)
    _time_deep_chain(entry, "torch", "PyTorch", torch_mlp, cfg["deep_ag_ops"], progress)
    if ag_impl is not None:
        n = cfg["deep_ag_ops"]
        progress(f"deep chain: autograd_core, {n:,} ops")
        e = {"ops": n}
        try:
            # One untimed build first, freed at once: the process's heap then holds a graph of this size
            # once before every timed forward, the collector on and off alike, and none pays alone for
            # growing it (the contestants before leave it in different states).
            ag_impl.build_deep_chain(n)
            gc.collect()
            t_fwd, (x0, x) = time_once(lambda: ag_impl.build_deep_chain(n))
            e["forward_s"] = t_fwd
            # the graph walks of the path-sum view, on the same graph before backward frees its saved values
            e["count_paths_s"], e["count_paths"] = time_once(lambda: ag_impl.count_paths(x, x0))
            e["paths_setup_s"], _ = time_once(lambda: ag_impl.first_path_length(x, x0))
            t_bwd, g = time_once(lambda: ag_impl.backward_deep_chain(x0, x))
            e["backward_s"] = t_bwd
            expected = 1.0001 ** ((n + 1) // 2)
            e["grad"] = g
            e["grad_rel_err"] = abs(g - expected) / expected
            t0 = time.perf_counter()
            del x0, x
            gc.collect()
            e["free_s"] = time.perf_counter() - t0
            e["raised"] = None
            # The same forward with the cyclic garbage collector paused: the
            # difference is the collector walking the ever-growing graph.
            gc.disable()
            try:
                t_nogc, (x0, x) = time_once(lambda: ag_impl.build_deep_chain(n))
            finally:
                gc.enable()
            e["forward_s_gc_disabled"] = t_nogc
            del x0, x
            gc.collect()
            if hasattr(ag_impl.ag, "collector_paused"):  # the engine's own switch for a large forward
                t_paused, (x0, x) = time_once(lambda: ag_impl.build_deep_chain_collector_paused(n))
                e["forward_s_collector_paused"] = t_paused
                del x0, x
        except RecursionError as exc:
            e.update(raised="RecursionError", message=str(exc)[:120])
        except Exception as exc:
            e.update(error_entry(exc))
        entry["autograd_core"] = e
        gc.collect()


def bench_memory(cfg, ag_impl, results, progress):
    sizes, batch = MLP_LARGE
    X, y, params = make_mlp_problem(sizes, batch)
    entry = {"sizes": list(sizes), "batch": batch,
             "note": "tracemalloc peak above the live weights and batch, during one step"}
    results["memory"] = entry
    impls = {"numpy": lambda: NumpyMLP(params, X, y)}
    if ag_impl is not None:
        impls["autograd_core"] = lambda: ag_impl.AgMLP(params, X, y)
    for name, make in impls.items():
        progress(f"peak memory: {name}")
        try:
            model = make()
            entry[name] = {"peak_bytes": peak_memory(model.step, warmup=1)}
        except Exception as exc:
            entry[name] = error_entry(exc)
        gc.collect()
    # For scale: parameters plus their gradients, and the batch.
    entry["param_bytes"] = int(sum(p.nbytes for p in params))
    entry["batch_bytes"] = int(X.nbytes)


def bench_paths(cfg, ag_impl, results, progress):
    depth = cfg["path_depth"]
    entry = {"depth": depth, "expected_paths": 2 ** depth, "max_paths": 2 ** 21,
             "graph": "layer 1: (w*1.0, w*1.0); layer k+1: (a*b, a*b); output a*b"}
    results["paths"] = entry
    if ag_impl is None:
        return
    reps = cfg["path_repeats"]

    def setup():
        return ag_impl.build_path_graph(depth)

    for key, fn in (
        ("count_paths", lambda g: ag_impl.count_paths(g[1], g[0])),
        ("grad_paths", lambda g: ag_impl.grad_paths(g[1], g[0], 2 ** 21)),
        ("grad_dp", lambda g: ag_impl.grad_dp(g[1], g[0])),
    ):
        progress(f"path-sum depth {depth}: {key}")
        try:
            value = fn(setup())
            n_rep = reps[{"count_paths": "count", "grad_paths": "paths", "grad_dp": "dp"}[key]]
            t = measure_fresh(setup, fn, repeats=n_rep, warmup=0)
            entry[key] = {"value": value, "seconds": t.median, **t.as_dict()}
        except Exception as exc:
            entry[key] = error_entry(exc)
        gc.collect()


def error_entry(exc):
    traceback.print_exc(file=sys.stderr)
    return {"error": f"{type(exc).__name__}: {exc}"[:300]}


# --- correctness of what was timed -----------------------------------------------------------
def check_results(results):
    """Each timed implementation must compute what the reference computes;
    returns a list of disagreements (empty when all agree)."""
    problems = []
    for label in ("mlp_small", "mlp_large"):
        for name, rel in (_get(results, label, "loss_check") or {}).items():
            if not rel <= 1e-4:
                problems.append(f"{label}: {name}'s first losses differ from NumPy's by {rel:.2g} (relative)")
    for name, e in (results.get("chain") or {}).items():
        if isinstance(e, dict) and "forward_max_abs_err" in e and not e["forward_max_abs_err"] <= 1e-12:
            problems.append(f"chain: {name}'s forward differs from NumPy's by {e['forward_max_abs_err']:.2g}")
    diff = _get(results, "scalar_mlp", "loss_check")
    if diff is not None and not diff <= 1e-9:
        problems.append(f"scalar MLP: autograd_core's losses differ from micrograd's by {diff:.2g}")
    if _get(results, "deep_chain", "autograd_core", "count_paths") not in (None, 1):
        problems.append("deep chain: ag.count_paths found "
                        f"{_get(results, 'deep_chain', 'autograd_core', 'count_paths')} paths, expected 1")
    rel_mygrad = _get(results, "deep_chain", "mygrad", "grad_rel_err")
    if rel_mygrad is not None and rel_mygrad > 1e-9:
        problems.append(f"deep chain: MyGrad's gradient is off by {rel_mygrad:.2g} (relative)")
    rel = _get(results, "deep_chain", "autograd_core", "grad_rel_err")
    if rel is not None and not rel <= 1e-6:
        problems.append(f"deep chain: autograd_core's gradient is off by {rel:.2g} (relative)")
    paths = results.get("paths") or {}
    expected = paths.get("expected_paths")
    for key in ("count_paths", "grad_paths", "grad_dp"):
        value = _get(paths, key, "value")
        if value is not None and value != expected:
            problems.append(f"path-sum: {key} gave {value}, expected {expected}")
    for section, e in results.items():
        for name, sub in (e.items() if isinstance(e, dict) else ()):
            if isinstance(sub, dict) and "error" in sub:
                problems.append(f"{section}: {name} raised {sub['error']}")
        if section.endswith("_error"):
            problems.append(f"{section}: {e.get('error')}")
    return problems


# --- table ------------------------------------------------------------------------------------
def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _cell(entry, key, fmt, engine_error=None, missing="—"):
    """Format ``entry[key]``; explain errors and skips instead of leaving holes."""
    if entry is None:
        return "not importable" if engine_error else missing
    if "error" in entry:
        return "error"
    if "skipped" in entry:
        return "not installed"
    value = entry.get(key)
    if value is None:
        return missing
    return fmt.format(value) + (" †" if entry.get("noisy") else "")


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt_ratio(r, what):
    """``what`` names the quotient, e.g. ``"autograd_core / NumPy"``."""
    return "—" if r is None else f"{what} = {r:.2f}"


def _forward_backward_cell(entry):
    """The deep-chain cell of a contestant timed once, forward and backward together."""
    if "skipped" in entry:
        return "not installed"
    if "error" in entry or not entry:
        return "error" if entry else "—"
    return f"{entry['ops']:,} ops: {entry['seconds']:.1f} s forward + backward"


def render_table(results, engine_error):
    rows = []
    AG = "autograd_core"

    for label in ("small", "large"):
        e = results.get(f"mlp_{label}")
        if not e:
            continue
        name = f"MLP step {'-'.join(map(str, e['sizes']))}, batch {e['batch']} (float32)"
        np_ms = _get(e, "numpy", "ms_per_step")
        ratio = "; ".join(
            _fmt_ratio(_ratio(_get(e, k, "ms_per_step"), np_ms), f"{label_k} / NumPy")
            for k, label_k in ((AG, AG), ("torch", "PyTorch"), ("mygrad", "MyGrad"))
            if _get(e, k, "ms_per_step") is not None
        ) or "—"
        rows.append([name, "ms/step",
                     _cell(e.get("numpy"), "ms_per_step", "{:.2f}"),
                     _cell(e.get("torch"), "ms_per_step", "{:.2f}", missing="not installed"),
                     "—",
                     _cell(e.get("mygrad"), "ms_per_step", "{:.2f}", missing="not installed"),
                     _cell(e.get(AG), "ms_per_step", "{:.2f}", engine_error),
                     ratio])

    e = results.get("chain")
    if e:
        shape = "x".join(map(str, e["shape"]))
        for key, what in (("forward_us_per_op", "forward"),
                          ("forward_backward_us_per_op", "forward + backward")):
            ag_v = _get(e, AG, key)
            parts = []
            if key == "forward_us_per_op":
                parts.append(_fmt_ratio(_ratio(ag_v, _get(e, "numpy", key)), f"{AG} / NumPy"))
            parts.append(_fmt_ratio(_ratio(ag_v, _get(e, "torch", key)), f"{AG} / PyTorch"))
            parts.append(_fmt_ratio(_ratio(ag_v, _get(e, "mygrad", key)), f"{AG} / MyGrad"))
            rows.append([f"Chain of {e['ops']} ops on ({shape},) float64, {what}", "µs/op",
                         _cell(e.get("numpy"), key, "{:.2f}"),
                         _cell(e.get("torch"), key, "{:.2f}", missing="not installed"),
                         "—",
                         _cell(e.get("mygrad"), key, "{:.2f}", missing="not installed"),
                         _cell(e.get(AG), key, "{:.2f}", engine_error),
                         "; ".join(p for p in parts if p != "—") or "—"])

    e = results.get("scalar_mlp")
    if e:
        r = _ratio(_get(e, AG, "s_per_step"), _get(e, "micrograd", "s_per_step"))
        rows.append([f"Scalar MLP 2-16-16-1, tanh, {e['points']} moons, full batch", "s/step",
                     "—", "—",
                     _cell(e.get("micrograd"), "s_per_step", "{:.3f}", missing="not installed"),
                     "—",
                     _cell(e.get(AG), "s_per_step", "{:.3f}", engine_error),
                     _fmt_ratio(r, f"{AG} / micrograd")])

    e = results.get("deep_chain")
    if e:
        mg = e.get("micrograd") or {}
        if "skipped" in mg:
            mg_cell = "not installed"
        elif "error" in mg:
            mg_cell = "error"
        elif mg:
            mg_cell = (f"{mg['ops']:,} ops: RecursionError" if mg.get("raised")
                       else f"{mg['ops']:,} ops: ok")
        else:
            mg_cell = "—"
        my_cell = _forward_backward_cell(e.get("mygrad") or {})
        a = e.get(AG)
        if a is None:
            ag_cell = "not importable" if engine_error else "—"
        elif a.get("raised"):
            ag_cell = f"{a['ops']:,} ops: {a['raised']}"
        elif "error" in a:
            ag_cell = f"{a['ops']:,} ops: error"
        else:
            nogc = a.get("forward_s_gc_disabled")
            nogc = f" ({nogc:.1f} s with gc paused" if nogc is not None else ""
            if nogc and a.get("forward_s_collector_paused") is not None:
                nogc += f", {a['forward_s_collector_paused']:.1f} s inside ag.collector_paused()"
            nogc += ")" if nogc else ""
            walks = ""
            if a.get("count_paths_s") is not None:
                walks = (f"; count_paths {a['count_paths_s']:.2f} s, paths set-up {a['paths_setup_s']:.2f} s")
            ag_cell = (f"{a['ops']:,} ops: {a['forward_s']:.1f} s forward{nogc} + "
                       f"{a['backward_s']:.1f} s backward{walks}")
        pt = e.get("torch") or {}
        pt_cell = _forward_backward_cell(pt)
        ratio = "—"
        if a and pt.get("seconds") and a.get("forward_s") is not None and a.get("ops") == pt.get("ops"):
            ratio = _fmt_ratio(_ratio(a["forward_s"] + a["backward_s"], pt["seconds"]),
                               f"{AG} / PyTorch, forward + backward")
        rows.append(["Deep chain of scalar ops (alternating *1.0001, +0.0001), backward",
                     "", "—", pt_cell, mg_cell, my_cell, ag_cell, ratio])

    e = results.get("memory")
    if e:
        mib = "{:.1f}"
        np_b = _get(e, "numpy", "peak_bytes")
        ag_b = _get(e, AG, "peak_bytes")
        def to_mib(d):
            if d is None or "peak_bytes" not in d:
                return d
            return {**d, "mib": d["peak_bytes"] / 2**20}

        rows.append([f"Peak memory of one MLP step {'-'.join(map(str, e['sizes']))}, batch {e['batch']}",
                     "MiB",
                     _cell(to_mib(e.get("numpy")), "mib", mib),
                     "—", "—", "—",
                     _cell(to_mib(e.get(AG)), "mib", mib, engine_error),
                     _fmt_ratio(_ratio(ag_b, np_b), f"{AG} / NumPy")])

    e = results.get("paths")
    if e:
        d = e["depth"]
        count = e.get("count_paths")
        count_str = (f"{count['value']:,} paths" if count and "value" in count else None)
        for key, what in (("count_paths", "ag.count_paths(o, w)"),
                          ("grad_paths", 'ag.grad(o, [w], method="paths")'),
                          ("grad_dp", "ag.grad(o, [w]) (dynamic programme)")):
            sub = e.get(key)
            if sub is None:
                cell = "not importable" if engine_error else "—"
            elif "error" in sub:
                cell = "error"
            else:
                v = sub["value"]
                shown = f"{v:,}" if isinstance(v, int) else f"{v:.6g}"
                cell = f"{sub['seconds'] * 1e3:.3g} ms (= {shown})"
            ratio = "—"
            if key == "grad_paths":
                ratio = _fmt_ratio(_ratio(_get(e, "grad_paths", "seconds"),
                                          _get(e, "grad_dp", "seconds")), "paths / DP")
            label = f"Path-sum depth {d} ({2 ** d:,} paths expected"
            label += f"; counted {count_str})" if count_str and key == "count_paths" else ")"
            rows.append([f"{label}: {what}", "time", "—", "—", "—", "—", cell, ratio])

    header = ["Benchmark", "Unit", "NumPy (hand-written)", "PyTorch (CPU)", "micrograd", "MyGrad",
              "autograd_core", "Ratio"]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * 5 + ["---"]) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller deep graphs (well under a minute)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "latest.json"),
                        help="where to write the JSON results")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    cfg = CONFIGS[mode]
    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    ag_impl, engine_error = import_engine()
    env = environment(engine_error)
    print_environment(env)
    if engine_error:
        print(f"autograd_core could not be imported ({engine_error}); measuring the baselines only.\n")
    if not torch_mlp.available():
        print(torch_mlp.MISSING + ": skipping the PyTorch columns.\n")
    if not micrograd_mlp.available():
        print(micrograd_mlp.MISSING + ": skipping the micrograd columns.\n")

    start = time.perf_counter()

    def progress(msg):
        print(f"[{time.perf_counter() - start:6.1f} s] {msg}", file=sys.stderr, flush=True)

    results = {}
    runners = {"mlp": bench_mlp, "chain": bench_chain, "scalar": bench_scalar,
               "deep": bench_deep, "memory": bench_memory, "paths": bench_paths}
    for name in SECTIONS:
        if name in wanted:
            try:
                runners[name](cfg, ag_impl, results, progress)
            except Exception as exc:  # keep going: one broken section must not hide the rest
                results[f"{name}_error"] = error_entry(exc)
            gc.collect()
    elapsed = time.perf_counter() - start

    table = render_table(results, engine_error)
    print(f"\n## autograd_core benchmarks ({mode} run, {elapsed:.0f} s)\n")
    print(table)
    print()
    print(f"Chain: {CHAIN_BLOCKS} x [x = tanh(x * 1.01 + 0.1) - 0.05], {CHAIN_OPS} ops; "
          "forward records the graph; backward from x.sum().")
    print("Times are medians after warm-up; memory is the tracemalloc peak above the live "
          "weights and batch.")
    if "†" in table:
        print("† noisy: the median is more than 25 % above the fastest repeat (other load on the "
              "CPUs?); rerun on a quiet machine before comparing.")

    problems = check_results(results)
    if problems:
        print("\nChecks FAILED:")
        for line in problems:
            print(f"  - {line}")
    else:
        print("Checks: every timed implementation agrees with its reference (losses, outputs, gradients).")

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    payload = {"mode": mode, "elapsed_s": elapsed, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "config": cfg, "environment": env, "engine_error": engine_error,
               "results": results, "checks_failed": problems, "table": table}
    with open(args.output, "w") as fh:
        json.dump(payload, fh, indent=2, default=_json_default)
    print(f"\nResults written to {os.path.relpath(args.output)}")
    return 0


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


if __name__ == "__main__":
    sys.exit(main())
