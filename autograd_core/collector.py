"""Python's cyclic garbage collector, paused for the duration of one graph-wide engine call.

Backpropagation (Section 3.2.2) visits every node of a recorded graph and
allocates a few container objects per node (gradients in a dictionary). On a
graph of a million nodes those allocations start the cyclic collector again
and again, and each full collection walks the whole graph, which is still
alive: on a 10^6-operation scalar chain that is most of the time spent. (The
graph walks of the path-sum view, ``PathGraph`` in paths.py, avoid the
problem instead: they keep ints in a few flat lists and allocate no container
per node, so the collector has nothing new to walk.)

``collector_paused()`` turns automatic collection off on entry and restores
the previous setting on exit, so the effect lasts exactly as long as the
engine's own call (``backward``, ``grad``) and nothing is left behind.
Reference counting still frees every object that is not part of a cycle at
once; objects in cycles created meanwhile are collected at the next automatic
collection after the call.

The forward pass is the user's own code, one operation at a time, so the
engine cannot pause the collector for it by itself; building a very large
graph pays the collector's repeated walks of it (about 3x the forward time of
a 10^6-operation scalar chain, about 60 % of a neuron-level MLP step). Wrap
the whole step in the same switch::

    with ag.collector_paused():
        loss = model(x)          # no collection while the graph is built
        loss.backward()          # the graph is freed (by reference counting) before collection resumes

Wrapping only the forward helps less: the collector then resumes with the
whole graph still alive and young, and walks it once more.

The switch is process-wide (``gc.disable`` is), so while one thread runs a
backward pass, automatic collection is paused for the other threads too. Calls
nest and overlap across threads: the first to enter records whether the
collector was on, the last to leave puts it back as it was.
"""
import contextlib
import gc
import threading

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collector_paused():
    """Pause automatic garbage collection inside the block; restore the previous setting afterwards."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
