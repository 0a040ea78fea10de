"""Contract: full collections are deferred while a large graph is recorded, and only then (collector.py).

The deferral changes one global setting, the collector's third threshold, so
each test checks that it comes back: after backward, after the graph is
dropped, after threads, and never over a setting the program made itself.
"""
import copy
import gc
import pickle
import threading
import weakref

import pytest

import autograd_core as ag
from autograd_core import collector
from autograd_core.collector import FullCollectionDeferral, full_collection_deferral

pytestmark = pytest.mark.skipif(
    not collector._GENERATIONAL,
    reason="this interpreter's collector has no oldest-generation threshold to defer (CPython 3.14+ or free-threaded)",
)

DEFER_AFTER = 50
DEFERRED = FullCollectionDeferral.DEFERRED_THRESHOLD


@pytest.fixture(autouse=True)
def small_graphs_count_as_large(monkeypatch):
    """Defer after 50 recorded operations instead of 10,000, and leave the collector as it was."""
    thresholds = gc.get_threshold()
    monkeypatch.setattr(FullCollectionDeferral, "DEFER_AFTER", DEFER_AFTER)
    full_collection_deferral.graph_done()  # count from zero with the small limit
    yield thresholds
    full_collection_deferral.graph_done()
    gc.set_threshold(*thresholds)


def chain(x, operations):
    for _ in range(operations):
        x = x * 1.0001
    return x


def test_a_small_graph_defers_nothing(small_graphs_count_as_large):
    x = ag.tensor(1.0, requires_grad=True)
    for _ in range(3):
        y = chain(x, DEFER_AFTER - 5)
        assert gc.get_threshold() == small_graphs_count_as_large
        y.backward()


def test_a_large_graph_defers_full_collections_until_its_backward(small_graphs_count_as_large):
    young, middle, oldest = small_graphs_count_as_large
    x = ag.tensor(1.0, requires_grad=True)
    y = chain(x, DEFER_AFTER + 10)
    assert gc.get_threshold() == (young, middle, DEFERRED)  # young collections go on as before
    assert full_collection_deferral.active
    y.backward()
    assert gc.get_threshold() == small_graphs_count_as_large
    assert not full_collection_deferral.active
    assert x.grad.item() == pytest.approx(1.0001 ** (DEFER_AFTER + 10))


def test_dropping_the_graph_without_backward_ends_the_deferral(small_graphs_count_as_large):
    x = ag.tensor(1.0, requires_grad=True)
    y = chain(x, DEFER_AFTER + 10)
    assert gc.get_threshold()[2] == DEFERRED
    del y
    assert gc.get_threshold() == small_graphs_count_as_large


def test_a_kept_part_of_the_graph_keeps_it_until_that_part_is_freed(small_graphs_count_as_large):
    x = ag.tensor(1.0, requires_grad=True)
    y = chain(x, DEFER_AFTER + 10)
    kept = y * 2.0
    del y
    assert gc.get_threshold()[2] == DEFERRED  # `kept` still holds the nodes recorded during the deferral
    del kept
    assert gc.get_threshold() == small_graphs_count_as_large


def test_the_programs_own_threshold_is_never_overwritten(small_graphs_count_as_large):
    x = ag.tensor(1.0, requires_grad=True)
    y = chain(x, DEFER_AFTER + 10)
    gc.set_threshold(500, 7, 3)
    y.backward()
    assert gc.get_threshold() == (500, 7, 3)


def test_no_full_collection_runs_while_a_large_graph_grows():
    full_collections = []

    def count(phase, info):
        if phase == "start" and info["generation"] == 2:
            full_collections.append(info)

    gc.set_threshold(100, 2, 2)  # frequent collections of every generation
    gc.callbacks.append(count)
    try:
        x = ag.tensor(1.0, requires_grad=True)
        prefix = chain(x, DEFER_AFTER + 1)
        assert full_collection_deferral.active
        full_collections.clear()
        y = chain(prefix, 5000)  # 15,000 more tracked objects
        assert full_collections == []
        y.backward()
        full_collections.clear()
        # Without a graph being recorded, full collections come back once enough objects survive
        # young collections (a quarter of all tracked objects: CPython's rule for a full collection).
        survivors = [[] for _ in range(len(gc.get_objects()))]
        assert full_collections != []
        del survivors
    finally:
        gc.callbacks.remove(count)


def test_young_cycles_are_still_collected_during_a_deferral():
    class Node:
        pass

    x = ag.tensor(1.0, requires_grad=True)
    y = chain(x, DEFER_AFTER + 10)
    assert gc.get_threshold()[2] == DEFERRED
    cycle = Node()
    cycle.itself = cycle
    freed = weakref.ref(cycle)
    del cycle
    young_threshold = gc.get_threshold()[0]
    allocations = [[] for _ in range(5 * young_threshold)]  # enough net allocations to start young collections
    assert freed() is None
    del allocations
    y.backward()


def test_threads_recording_large_graphs_leave_the_setting_as_it_was(small_graphs_count_as_large):
    errors = []

    def train():
        try:
            for _ in range(20):
                x = ag.tensor(1.0, requires_grad=True)
                chain(x, 3 * DEFER_AFTER).backward()
                assert x.grad.item() == pytest.approx(1.0001 ** (3 * DEFER_AFTER))
        except Exception as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert gc.get_threshold() == small_graphs_count_as_large
    assert not full_collection_deferral.active


def test_a_deferring_graph_copies_and_pickles_as_before(small_graphs_count_as_large):
    """The token nodes hold is process state: a deep copy shares it, a pickle leaves it behind."""
    x = ag.tensor(1.5, requires_grad=True)
    products = [x * float(number) for number in range(DEFER_AFTER + 10)]  # wide and shallow
    output = products[-1]
    del products
    assert full_collection_deferral.active
    copied = copy.deepcopy(output)
    restored = pickle.loads(pickle.dumps(output))
    del output
    assert full_collection_deferral.active  # the deep copy holds the token too
    del copied
    assert gc.get_threshold() == small_graphs_count_as_large  # the unpickled graph holds none
    leaf = restored.grad_fn.inputs[0]
    restored.backward()
    assert leaf.grad.item() == DEFER_AFTER + 9
