"""Python's cyclic garbage collector: paused during graph-wide engine calls, deferred while large graphs grow.

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
engine cannot pause the collector around it. It defers instead only the
collector's full collections, and only while a large graph is being recorded
(``FullCollectionDeferral`` below): those are the collections that walk the
whole live graph again and again without finding garbage. ``collector_paused``
remains for a program that wants no collection at all inside a block::

    with ag.collector_paused():
        loss = model(x)          # no collection while the graph is built
        loss.backward()          # the graph is freed (by reference counting) before collection resumes

The switch is process-wide (``gc.disable`` is), so while one thread runs a
backward pass, automatic collection is paused for the other threads too. Calls
nest and overlap across threads: the first to enter records whether the
collector was on, the last to leave puts it back as it was.
"""
import contextlib
import gc
import math
import platform
import sys
import sysconfig
import threading
import weakref

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


class FullCollectionDeferral:
    """The collector's full collections, deferred while a large graph is being recorded.

    A forward pass over a large graph keeps every node it records alive, and
    Python's full (oldest-generation) collections walk all of them again and
    again without finding garbage: about two thirds of the time of a
    10^6-operation scalar chain, and most of the garbage collector's share of
    a neuron-level MLP step. Once ``DEFER_AFTER`` operations have been
    recorded since the last backward pass, the engine raises the collector's
    third threshold (``gc.set_threshold``) so that no full collection starts
    on its own; young collections go on, so short-lived cycles are still
    freed as before. The previous threshold comes back when

    - ``backward`` or ``grad`` has run (the graph's work is done), or
    - every node recorded during the deferral has been freed (the graph was
      dropped without a backward pass),

    whichever comes first. Each node recorded during the deferral holds the
    deferral's token, so the token's release marks the second case. If the
    program changed the third threshold meanwhile, its value is left alone.
    ``gc.collect()`` still collects everything on request.

    Only CPython's three-generation collector (3.10 to 3.13, with the GIL) has
    this threshold; elsewhere nothing is deferred.
    """

    #: Operations recorded since the last backward pass before full collections are deferred.
    DEFER_AFTER = 1_000
    #: The third threshold while deferred: gen-1 collections needed before a full one, never reached in practice.
    DEFERRED_THRESHOLD = 1 << 30

    __slots__ = ("countdown", "token_ref", "_saved_threshold", "_lock")

    def __init__(self):
        self.countdown = self.DEFER_AFTER if _GENERATIONAL else math.inf  # inf: never reaches 0
        self.token_ref = None  # a weak reference: only the recorded nodes keep the token alive
        self._saved_threshold = None
        self._lock = threading.RLock()  # a token may be released while its own thread holds the lock

    def start(self):
        """Defer full collections; returns the token each node recorded from now on holds."""
        with self._lock:
            token = self.token_ref() if self.token_ref is not None else None
            if token is None:
                young, middle, oldest = gc.get_threshold()
                self._saved_threshold = oldest
                gc.set_threshold(young, middle, self.DEFERRED_THRESHOLD)
                token = _DeferralToken(self)
                self.token_ref = weakref.ref(token)
            return token

    def graph_done(self):
        """A backward pass has run: end the deferral, if any, and count recorded operations afresh."""
        with self._lock:
            self._restore()
            if _GENERATIONAL:
                self.countdown = self.DEFER_AFTER

    def token_released(self, token):
        """Every node that held ``token`` is gone: end its deferral if it is still the current one."""
        with self._lock:
            if self.token_ref is not None and self.token_ref() in (token, None):
                self._restore()
                self.countdown = self.DEFER_AFTER

    def _restore(self):
        if self.token_ref is None:
            return
        self.token_ref = None
        young, middle, oldest = gc.get_threshold()
        if oldest == self.DEFERRED_THRESHOLD:  # still ours: the program has not set its own meanwhile
            gc.set_threshold(young, middle, self._saved_threshold)

    @property
    def active(self):
        """True while full collections are deferred."""
        return self.token_ref is not None


class _DeferralToken:
    """Held by every node recorded during a deferral; its release ends the deferral (see above)."""

    __slots__ = ("deferral", "__weakref__")

    def __init__(self, deferral):
        self.deferral = deferral

    def __del__(self):
        self.deferral.token_released(self)

    # The token is this process's state, not part of a graph's data: a copied graph shares it (and keeps the
    # deferral as the original does), and a pickled graph leaves it behind.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return _no_token, ()


def _no_token():
    """What an unpickled node holds in place of the deferral token of the process that pickled it."""
    return None


_GENERATIONAL = (sys.version_info < (3, 14) and platform.python_implementation() == "CPython"
                 and not sysconfig.get_config_var("Py_GIL_DISABLED"))
#: The engine's one deferral (the collector is process-wide).
full_collection_deferral = FullCollectionDeferral()
