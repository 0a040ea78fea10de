"""How many bytes each parallel scheme moves per training step of an MLP (Section 3.7.2), as implemented here.

Symbols: an MLP with layer sizes n_0, ..., n_L (P = sum_l (n_{l-1} + 1) n_l
parameters in T = 2 L tensors), a batch of B examples, N workers, s bytes per
number (8 in float64), and a driver that scatters batches and reduces or
gathers (every scheme here routes through it: the hub of a star).

Data parallelism, the whole model on every worker (``DataParallel``):

    data            B (n_0 s + label bytes)         each example goes to one worker
    gradients up    N P s                           every worker sends its gradient
    gradients down  N P s                           the sum goes back to every worker
    with int8:      s = 1 byte and 8 bytes of scale per tensor per message (N T 8 each way)

Model parallelism of one layer n_in -> n_out, its units split over N workers
(``ModelParallelLinear``):

    with the cross connections   forward  N B n_in s (x to every worker) + B n_out s (slices gathered)
                                 backward B n_out s (slices of dL/dv) + N B n_in s (every worker's part of dL/dx)
    without them (block-diagonal W; worker k sees only its slice of x)
                                 forward  B n_in s + B n_out s,  backward  B n_out s + B n_in s

The weights of a model-parallel layer never move: its volume grows with B,
not with P, which is why wide layers (large P, small B n) suit it and
convolution-like early layers with few weights suit data parallelism.

Hybrid (``HybridParallel``): data parallelism for layers 1..k, model
parallelism for layers k+1..L:

    data B n_0 s; early gradients 2 N P_early s; boundary activations B n_k s up
    and B n_k s back; plus the model-parallel volume of each later layer.

Computation per step is about 6 B P multiply-adds (2 B P forward, 4 B P
backward), divided over the N workers in every scheme; the ratio of bytes to
computation decides whether adding machines helps. A ring all-reduce
(``ring_allreduce_bytes_per_worker``) would send 2 (N - 1) / N P s per worker
instead of the hub's 2 N P s through the driver.
"""


def parameter_count(layer_sizes):
    """P = sum_l (n_{l-1} + 1) n_l, weights and biases of an MLP."""
    sizes = _check_sizes(layer_sizes)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def multiply_adds_per_step(layer_sizes, batch_size):
    """About 6 B sum_l n_{l-1} n_l: forward 2, backward 4 (dL/dx and dL/dW) per weight and example."""
    sizes = _check_sizes(layer_sizes)
    return 6 * batch_size * sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def data_parallel(layer_sizes, batch_size, workers, bytes_per_number=8, label_bytes=8, compression=None):
    """Bytes per step of ``DataParallel``: {"data", "gradients up", "gradients down"}."""
    sizes = _check_sizes(layer_sizes)
    parameters, tensors = parameter_count(sizes), 2 * (len(sizes) - 1)
    if compression == "int8":
        message = parameters + 8 * tensors
    elif compression is None:
        message = parameters * bytes_per_number
    else:
        raise ValueError(f"compression must be None or 'int8', got {compression!r}")
    return {"data": batch_size * (sizes[0] * bytes_per_number + label_bytes),
            "gradients up": workers * message, "gradients down": workers * message}


def model_parallel_layer(in_features, out_features, batch_size, workers, bytes_per_number=8,
                         cross_connections=True):
    """Bytes per step of one ``ModelParallelLinear``: {"activations forward", "gradients backward"}."""
    copies = workers if cross_connections else 1
    inputs, outputs = batch_size * in_features * bytes_per_number, batch_size * out_features * bytes_per_number
    return {"activations forward": copies * inputs + outputs, "gradients backward": outputs + copies * inputs}


def hybrid(layer_sizes, split_at, batch_size, workers, bytes_per_number=8):
    """Bytes per step of ``HybridParallel`` with layers 1..split_at data-parallel and the rest split by units."""
    sizes = _check_sizes(layer_sizes)
    if not 1 <= split_at < len(sizes) - 1:
        raise ValueError(f"split_at must lie in 1..{len(sizes) - 2} for layer sizes {sizes}, got {split_at}")
    early = parameter_count(sizes[:split_at + 1]) * bytes_per_number
    boundary = batch_size * sizes[split_at] * bytes_per_number
    volume = {"data": batch_size * sizes[0] * bytes_per_number, "gradients up": workers * early,
              "gradients down": workers * early, "activations forward": boundary, "gradients backward": boundary}
    for n_in, n_out in zip(sizes[split_at:-1], sizes[split_at + 1:]):
        for kind, count in model_parallel_layer(n_in, n_out, batch_size, workers, bytes_per_number).items():
            volume[kind] += count
    return volume


def ring_allreduce_bytes_per_worker(parameters, workers, bytes_per_number=8):
    """2 (N - 1) / N P s: what each worker sends in a ring all-reduce (reduce-scatter, then all-gather)."""
    return 2 * (workers - 1) * parameters * bytes_per_number / workers


def _check_sizes(layer_sizes):
    sizes = [int(size) for size in layer_sizes]
    if len(sizes) < 2 or any(size < 1 for size in sizes):
        raise ValueError(f"layer_sizes must list at least two positive sizes, got {list(layer_sizes)}")
    return sizes
