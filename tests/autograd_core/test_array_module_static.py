"""autograd_core, nn and optim reach array functions through the array's own module (Section 3.7.1).

A hard-coded ``numpy.exp(x)`` works on the CPU and breaks on the GPU, where
``x`` is a CuPy array. This test reads the source of the three packages and
lists every ``numpy.<name>`` they mention. Names that never touch array data
(dtypes, type tests, the host's random generators, floating-point limits) are
allowed anywhere; every other use must be one of the sites below, each with the
reason it works on host values only (shapes, state_dict copies, files, the
initial weights that ``Module.to`` then moves). A new ``numpy.`` call on data
fails here; a listed site that has gone fails too, so the list stays true.
test_array_module_standin.py checks the same property by running the code.
"""
import ast
import collections
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("autograd_core", "nn", "optim")

#: numpy names that never apply a function to array data.
NEVER_ON_DATA = {
    "float64", "float32", "float16", "int64", "int32", "int8", "uint8", "bool_", "dtype", "generic", "ndarray",
    "integer", "floating", "number", "random", "finfo", "iinfo", "errstate", "broadcast_shapes",
}

NUMPY_MESSAGES = "arrays cross between Ray processes as NumPy arrays (moved to a replica's device on arrival)"

#: (file, numpy name) -> why that use only ever sees host values.
HOST_SITES = {
    ("autograd_core/__main__.py", "all"): "the command line checks its example graph's output on a host copy",
    ("autograd_core/__main__.py", "isfinite"): "the command line checks its example graph's output on a host copy",
    ("autograd_core/backend.py", "asarray"): "to_numpy: the host copy it exists to make",
    ("autograd_core/creation.py", "asarray"): "*_like given a list or NumPy array as its template (a Tensor's own "
                                              "array is used as it is)",
    ("autograd_core/namespace.py", "asarray"): "erf without SciPy, on NumPy's branch only (CuPy's uses cupyx)",
    ("autograd_core/namespace.py", "frompyfunc"): "erf without SciPy, on NumPy's branch only (CuPy's uses cupyx)",
    ("autograd_core/step_through.py", "asarray"): "the player's numbers are written from host copies (to_numpy)",
    ("autograd_core/step_through.py", "sqrt"): "the player's numbers are written from host copies (to_numpy)",
    ("autograd_core/step_through.py", "square"): "the player's numbers are written from host copies (to_numpy)",
    ("autograd_core/step_through.py", "sum"): "the player's numbers are written from host copies (to_numpy)",
    ("autograd_core/trace.py", "abs"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "allclose"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "asarray"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "max"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "ndim"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "result_type"): "a dtype, for the tolerance of the comparison",
    ("autograd_core/trace.py", "sqrt"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "square"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "sum"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/trace.py", "zeros"): "the trace compares and summarises host copies (to_numpy)",
    ("autograd_core/viz.py", "linalg"): "drawings print the norm of a host copy (.numpy())",
    ("autograd_core/viz.py", "log"): "the layout's direction, from two numbers",
    ("autograd_core/engine.py", "asarray"): "a gradient NumPy returned as a scalar (host only), made 0-d",
    ("autograd_core/examples.py", "sqrt"): "the chapter's worked examples are defined on the host",
    ("autograd_core/examples.py", "zeros"): "the chapter's worked examples are defined on the host",
    ("autograd_core/function.py", "ascontiguousarray"): "the anomaly-mode fingerprint hashes a host copy (to_numpy)",
    ("autograd_core/function.py", "asarray"): "a NumPy ufunc's scalar result on NumPy inputs, made 0-d",
    ("autograd_core/function.py", "prod"): "a Jacobian's expected shape, from a shape tuple",
    ("autograd_core/function.py", "shape"): "shapes for a broadcasting error message",
    ("autograd_core/functional.py", "sqrt"): "the square root of machine epsilon, a number",
    ("autograd_core/gradcheck.py", "unravel_index"): "positions in a shape tuple",
    ("autograd_core/gradcheck.py", "zeros"): "finite differences are compared on host copies (.numpy())",
    ("autograd_core/ops/losses.py", "shape"): "shapes for an error message",
    ("autograd_core/ops/shape.py", "ndim"): "numpy.ndim reads an array's own .ndim; it converts only lists",
    ("autograd_core/ops/shape.py", "argsort"): "the inverse of a permutation of axes given as a tuple",
    ("autograd_core/paths.py", "abs"): "compare() reports on host copies (.numpy())",
    ("autograd_core/paths.py", "max"): "compare() reports on host copies (.numpy())",
    ("autograd_core/paths.py", "zeros"): "compare() reports on host copies (.numpy())",
    ("autograd_core/paths.py", "asarray"): "printing values of the path table",
    ("autograd_core/paths.py", "prod"): "sizes from shape tuples",
    ("autograd_core/tensor.py", "array2string"): "repr() formats the host copy (.numpy())",
    ("autograd_core/tensor.py", "asarray"): "a NumPy scalar result made 0-d",
    ("autograd_core/tensor.py", "prod"): "a size from a shape tuple",
    ("autograd_core/viz.py", "array2string"): "drawings format host copies",
    ("nn/activations.py", "asarray"): "a learnable alpha starts on the host; Module.to moves it",
    ("nn/data.py", "arange"): "the order of examples, host indices",
    ("nn/data.py", "concatenate"): "train/test indices, host indices",
    ("nn/data.py", "flatnonzero"): "stratification on a host copy of the labels",
    ("nn/data.py", "unique"): "stratification on a host copy of the labels",
    ("nn/functional.py", "asarray"): "a target given as numbers or a nested list, which live on the host",
    ("nn/functional.py", "zeros"): "the penalty of a module without parameters",
    ("nn/init.py", "full"): "initial weights are drawn on the host; Module.to moves them",
    ("nn/init.py", "zeros"): "initial weights are drawn on the host; Module.to moves them",
    ("nn/module.py", "array"): "state_dict gives NumPy copies by contract",
    ("nn/module.py", "array_equal"): "load_state_dict checks its casts on the host values it reads",
    ("nn/module.py", "asarray"): "load_state_dict reads NumPy values, then moves them to the parameter's device",
    ("nn/module.py", "isfinite"): "load_state_dict checks its casts on the host values it reads",
    ("nn/normalization.py", "asarray"): "population statistics are merged on host copies in float64",
    ("nn/normalization.py", "ones"): "initial gamma and running variance on the host; Module.to moves them",
    ("nn/normalization.py", "zeros"): "initial beta and running mean on the host; Module.to moves them",
    ("nn/parallel/cluster.py", "linspace"): "the bounds of the shards of a batch, host integers",
    ("nn/parallel/data_parallel.py", "concatenate"): NUMPY_MESSAGES,
    ("nn/parallel/hybrid.py", "array"): NUMPY_MESSAGES,
    ("nn/parallel/hybrid.py", "concatenate"): NUMPY_MESSAGES,
    ("nn/parallel/hybrid.py", "zeros"): NUMPY_MESSAGES,
    ("nn/parallel/model_parallel.py", "array"): NUMPY_MESSAGES,
    ("nn/parallel/model_parallel.py", "ascontiguousarray"): NUMPY_MESSAGES,
    ("nn/parallel/model_parallel.py", "concatenate"): NUMPY_MESSAGES,
    ("nn/parallel/model_parallel.py", "zeros"): NUMPY_MESSAGES,
    ("nn/parallel/parameter_server.py", "array"): NUMPY_MESSAGES,
    ("nn/parallel/parameter_server.py", "array_split"): "the indices of the workers' shards, host integers",
    ("nn/parallel/parameter_server.py", "zeros"): NUMPY_MESSAGES,
    ("nn/parallel/replica.py", "array"): NUMPY_MESSAGES,
    ("nn/parallel/replica.py", "zeros"): NUMPY_MESSAGES,
    ("nn/serialization.py", "array"): "files hold host arrays",
    ("optim/newton.py", "sqrt"): "the square root of machine epsilon, a number",
    ("optim/problems.py", "asarray"): "test problems are defined on the host (a chosen spectrum)",
    ("optim/problems.py", "diag"): "test problems are defined on the host (a random rotation)",
    ("optim/problems.py", "linalg"): "test problems are defined on the host (a random rotation)",
    ("optim/problems.py", "sign"): "test problems are defined on the host (a random rotation)",
    ("optim/tune/space.py", "linspace"): "grid values of a hyperparameter, host numbers",
    ("optim/tune/trial.py", "array"): "a trial keeps its model's weights as host copies, saved as JSON",
    ("optim/tune/trial.py", "asarray"): "a trial's weights read back from a study's JSON file",
    ("nn/serialization.py", "asanyarray"): "files hold host arrays",
    ("nn/serialization.py", "frombuffer"): "files hold host arrays",
    ("nn/training.py", "round"): "accuracy works on host copies (to_numpy)",
}

#: files whose every numpy call works on host copies, with the reason (checked by reading the file).
HOST_FILES = {
    "nn/compress/file_format.py": "the compressed file format reads and writes host bytes",
    "nn/compress/huffman.py": "Huffman coding works on host bytes and integer codes",
    "nn/compress/low_rank.py": "the SVD of a trained weight is taken once on a host copy (to_numpy); "
                               "the factors start on the host and Module.to moves them",
    "nn/compress/pruning.py": "masks are chosen once on host copies (to_numpy) and moved to the weight's device",
    "nn/compress/quantization.py": "codebooks are fitted once on host copies (to_numpy); the new layer starts on "
                                   "the host and Module.to moves it",
    "nn/hashed.py": "the fixed hash of (i, j, seed) is computed once on the host, as integers",
}


def numpy_uses():
    """{(file, name): count} for every ``numpy.name`` (under any alias) in the three packages."""
    uses = collections.Counter()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if package == "autograd_core" and relative.parts[1] in ("nn", "optim"):
                continue  # links to the top-level nn/ and optim/, read once under their own names
            tree = ast.parse(path.read_text(), filename=str(relative))
            aliases = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    aliases.update(alias.asname or alias.name for alias in node.names if alias.name == "numpy")
                elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numpy":
                    for alias in node.names:
                        uses[(relative.as_posix(), f"from {node.module} import {alias.name}")] += 1
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                    uses[(relative.as_posix(), node.attr)] += 1
    return uses


def test_every_numpy_call_on_data_goes_through_the_arrays_own_module():
    unexplained = sorted(site for site in numpy_uses()
                         if site[1] not in NEVER_ON_DATA and site not in HOST_SITES and site[0] not in HOST_FILES)
    assert not unexplained, (
        "hard-coded numpy calls that would break on CuPy arrays; use "
        "xp = autograd_core.backend.get_array_module(array) and xp.<name>, or, if the values are always on the "
        f"host, add the site to HOST_SITES with the reason: {unexplained}")


def test_every_listed_host_site_still_exists():
    uses = numpy_uses()
    gone = sorted(site for site in HOST_SITES if site not in uses)
    gone += sorted(path for path in HOST_FILES if not any(file == path for file, _ in uses))
    assert not gone, f"HOST_SITES or HOST_FILES list uses that are no longer in the code; remove them: {gone}"


def test_the_scan_sees_aliases_and_from_imports(tmp_path, monkeypatch):
    package = tmp_path / "nn"
    package.mkdir()
    (package / "bad.py").write_text("import numpy as np\nfrom numpy import exp\n\ndef f(x):\n    return np.tanh(x)\n")
    for name in ("autograd_core", "optim"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert set(numpy_uses()) == {("nn/bad.py", "tanh"), ("nn/bad.py", "from numpy import exp")}
