"""The contract of settings and inputs in nn: bad values are refused in one sentence, never used silently.

Each row is a call an adversary (or a tired user) might make, the error it must raise and words the
message must hold: the argument's name, what it got and what it needs. No row may end in an internal
exception ('list' object has no attribute 'shape', tuple index out of range, ZeroDivisionError,
StopIteration), and no row may return a number.
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

F = nn.functional
T = ag.tensor


def fit_tiny(**options):
    X = np.random.default_rng(0).normal(size=(8, 2))
    return nn.fit(nn.Linear(2, 2, rng=0), (X, np.arange(8) % 2), progress=False, batch_size=4, **options)


SETTINGS = {
    # sizes are positive integers
    "Linear(3.7, 4)": (lambda: nn.Linear(3.7, 4), TypeError, "in_features must be an integer >= 1, got float 3.7"),
    "Linear(3, 0)": (lambda: nn.Linear(3, 0), ValueError, "out_features must be an integer >= 1, got 0"),
    "Linear(True, 2)": (lambda: nn.Linear(True, 2), TypeError, "in_features must be an integer"),
    "Maxout(pieces=2.5)": (lambda: nn.Maxout(2, 3, pieces=2.5), TypeError, "pieces must be an integer"),
    "BatchNorm(4.5)": (lambda: nn.BatchNorm(4.5), TypeError, "num_features must be an integer"),
    "LayerNorm(0)": (lambda: nn.LayerNorm(0), ValueError, "num_features must be an integer >= 1"),
    "MLP([3, 4.5, 2])": (lambda: nn.MLP([3, 4.5, 2]), TypeError, r"sizes\[1\] must be an integer >= 1"),
    "MLP(3)": (lambda: nn.MLP(3), TypeError, "sizes must be a list of positive integers"),
    "DataLoader(batch_size=2.5)": (lambda: nn.DataLoader(np.ones(5), batch_size=2.5), TypeError,
                                   "batch_size must be an integer >= 1, got float 2.5"),
    "DataLoader(batch_size=0)": (lambda: nn.DataLoader(np.ones(5), batch_size=0), ValueError,
                                 "batch_size must be an integer >= 1, got 0"),
    "predict(batch_size=0.5)": (lambda: nn.predict(nn.Linear(2, 2), np.ones((3, 2)), batch_size=0.5), TypeError,
                                "batch_size must be an integer"),
    # eps of the normalisers is positive and finite, momentum in [0, 1]
    "BatchNorm(eps=-1)": (lambda: nn.BatchNorm(2, eps=-1), ValueError, "eps must be a finite number > 0, got -1"),
    "BatchNorm(eps=0)": (lambda: nn.BatchNorm(2, eps=0), ValueError, "eps must be a finite number > 0, got 0"),
    "BatchNorm(eps=nan)": (lambda: nn.BatchNorm(2, eps=float("nan")), ValueError, "eps must be a finite number"),
    "LayerNorm(eps=inf)": (lambda: nn.LayerNorm(2, eps=float("inf")), ValueError, "eps must be a finite number"),
    "LayerNorm(eps='1e-5')": (lambda: nn.LayerNorm(2, eps="1e-5"), TypeError, "eps must be a finite number"),
    "BatchNorm(momentum=nan)": (lambda: nn.BatchNorm(2, momentum=float("nan")), ValueError,
                                r"momentum must be a finite number in \[0, 1\]"),
    "BatchNorm(momentum='0.1')": (lambda: nn.BatchNorm(2, momentum="0.1"), TypeError, "momentum must be"),
    # rates, weights and counts
    "fit(epochs=-1)": (lambda: fit_tiny(epochs=-1), ValueError, "epochs must be an integer >= 0, got -1"),
    "fit(epochs=1.5)": (lambda: fit_tiny(epochs=1.5), TypeError, "epochs must be an integer >= 0, got float 1.5"),
    "fit(lr=nan)": (lambda: fit_tiny(lr=float("nan")), ValueError, "lr must be a finite number >= 0, got nan"),
    "fit(momentum=1)": (lambda: fit_tiny(momentum=1.0), ValueError, r"momentum must be a finite number in \[0, 1\)"),
    "fit(train=X)": (lambda: nn.fit(nn.Linear(2, 2), np.ones((4, 2)), progress=False), TypeError,
                     r"train must be an nn.DataLoader or a pair \(X, y\)"),
    "fit(validation=X)": (lambda: fit_tiny(validation=np.ones((4, 2))), TypeError,
                          r"validation must be a pair \(X, y\) or None"),
    "ActivityPenalty(l1=nan)": (lambda: nn.ActivityPenalty(l1=float("nan")), ValueError,
                                "l1 must be a finite number >= 0, got nan"),
    "LeakyReLU(alpha='x')": (lambda: nn.LeakyReLU(alpha="x"), TypeError, "alpha must be a finite number"),
    "HingeLoss(margin=inf)": (lambda: nn.HingeLoss(margin=float("inf")), ValueError, "margin must be a finite"),
    "MSELoss(reduction='avg')": (lambda: nn.MSELoss(reduction="avg"), ValueError, "reduction must be one of"),
    # activation names are checked against the list, even where no hidden layer uses them
    "MLP([3, 2], 'bogus')": (lambda: nn.MLP([3, 2], activation="bogus"), ValueError,
                             "unknown activation 'bogus'; choose one of"),
    "MLP([3, 4, 2], 'rleu')": (lambda: nn.MLP([3, 4, 2], activation="rleu"), ValueError, "unknown activation"),
    "MLP(activation=5)": (lambda: nn.MLP([3, 4, 2], activation=5), TypeError, "activation must be a name"),
    "MLP(activation=lambda: 1)": (lambda: nn.MLP([3, 4, 2], activation=lambda: 1), TypeError,
                                  "returned int 1, not a Module"),
    # preprocessing and splitting
    "PCAWhitening(components=-1)": (lambda: nn.preprocessing.PCAWhitening(components=-1), ValueError,
                                    "components must be an integer >= 1, got -1"),
    "PCAWhitening(components=1.5)": (lambda: nn.preprocessing.PCAWhitening(components=1.5), TypeError,
                                     "components must be an integer"),
    "PCAWhitening(regularizer=nan)": (lambda: nn.preprocessing.PCAWhitening(regularizer=float("nan")), ValueError,
                                      "regularizer must be a finite number >= 0"),
    "PCAWhitening(sample_size=0)": (lambda: nn.preprocessing.PCAWhitening(sample_size=0), ValueError,
                                    "sample_size must be an integer >= 1"),
    "train_test_split(stratify short)": (
        lambda: nn.train_test_split(np.ones(10), stratify=np.arange(6) % 2), ValueError,
        r"stratify must hold one label per example, shape \(10,\), got shape \(6,\)"),
    "train_test_split(test_fraction=nan)": (
        lambda: nn.train_test_split(np.ones(10), test_fraction=float("nan")), ValueError,
        r"test_fraction must be a finite number in \(0, 1\)"),
    "train_test_split()": (lambda: nn.train_test_split(), ValueError, "needs at least one array"),
}


@pytest.mark.parametrize("call, error, message", SETTINGS.values(), ids=SETTINGS.keys())
def test_settings_are_validated(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_valid_settings_still_work():
    assert nn.Linear(np.int64(3), 4).in_features == 3
    assert nn.MLP([3, 4, 2], activation=nn.Tanh)[1].__class__ is nn.Tanh
    assert fit_tiny(epochs=0)["loss"] == []                          # zero epochs: nothing to do, no error
    assert len(nn.DataLoader(np.ones(5), batch_size=2)) == 3
    parts = nn.train_test_split(np.arange(10), stratify=np.arange(10) % 2, test_fraction=0.2)
    assert sorted(np.concatenate(parts)) == list(range(10))


LINEAR, NORM, BATCH_NORM = nn.Linear(2, 3, rng=0), nn.LayerNorm(2), nn.BatchNorm(2)
FITTED = nn.preprocessing.Standardization().fit(np.random.default_rng(0).normal(size=(5, 3)))

INPUTS = {
    # a list or None where a tensor is expected
    "Linear(list)": (lambda: LINEAR([1.0, 2.0]), TypeError, "the input x must be a Tensor or an array, got a list"),
    "Linear(None)": (lambda: LINEAR(None), TypeError, "the input x must be a Tensor or an array, got None"),
    "LayerNorm(list)": (lambda: NORM([1.0, 2.0]), TypeError, "must be a Tensor or an array, got a list"),
    "BatchNorm(list)": (lambda: BATCH_NORM([[1.0, 2.0], [3.0, 4.0]]), TypeError, "must be a Tensor or an array"),
    "mse(list, ...)": (lambda: F.mse([1.0, 2.0], np.ones(2)), TypeError, "prediction must be a Tensor or an array"),
    "mse(..., None)": (lambda: F.mse(T(np.ones(2)), None), TypeError, "target must be a Tensor, an array or numbers"),
    "cross_entropy(None, ...)": (lambda: F.cross_entropy(None, [0]), TypeError, "logits must be a Tensor"),
    "cross_entropy(list, ...)": (lambda: F.cross_entropy([[1.0, 2.0]], [0]), TypeError, "got a list"),
    "hinge(list, ...)": (lambda: F.hinge([1.0, 2.0], [1, -1]), TypeError, "scores must be a Tensor"),
    "Standardization.fit(list)": (lambda: nn.preprocessing.Standardization().fit([[1.0, 2.0]]), TypeError,
                                  "X must be a Tensor or an array, got a list"),
    "Standardization.fit(None)": (lambda: nn.preprocessing.Standardization().fit(None), TypeError, "got None"),
    "DataLoader(list)": (lambda: nn.DataLoader([1, 2, 3]), TypeError, "array 0 must be a Tensor or an array"),
    "predict(list)": (lambda: nn.predict(LINEAR, [[1.0, 2.0]]), TypeError, "X must be a Tensor or an array"),
    "ReLU(None)": (lambda: nn.ReLU()(None), TypeError, "ReLU: the input x must be a Tensor or an array, got None"),
    "Sigmoid(list)": (lambda: nn.Sigmoid()([1.0, 2.0]), TypeError, "Sigmoid: the input x must be a Tensor"),
    "LeakyReLU(list)": (lambda: nn.LeakyReLU()([1.0]), TypeError, "LeakyReLU: the input x must be a Tensor"),
    "Softmax(None)": (lambda: nn.Softmax()(None), TypeError, "Softmax: the input x must be a Tensor"),
    "Maxout(list)": (lambda: nn.Maxout(2, 3)([1.0, 2.0]), TypeError, r"Maxout\(2, 3\): the input x must be"),
    # 0-d inputs
    "Linear(0-d)": (lambda: LINEAR(T(1.0)), ValueError, r"the input x must have at least 1 axis, got a Tensor of "
                                                        r"shape \(\)"),
    "LayerNorm(0-d)": (lambda: NORM(T(1.0)), ValueError, "must have at least 1 axis"),
    "cross_entropy(0-d, 0)": (lambda: F.cross_entropy(T(1.0), 0), ValueError, "logits must have at least 1 axis"),
    "accuracy(0-d)": (lambda: nn.accuracy(np.array(1.0), np.array(0)), ValueError, "output must have at least 1"),
    # empty batches
    "mse(empty)": (lambda: F.mse(T(np.ones((0, 3))), np.ones((0, 3))), ValueError,
                   r"prediction is an empty batch \(shape \(0, 3\)\)"),
    "MSELoss(empty)": (lambda: nn.MSELoss()(T(np.ones((0, 1))), np.ones((0, 1))), ValueError, "empty batch"),
    "cross_entropy(empty)": (lambda: F.cross_entropy(T(np.ones((0, 3))), np.zeros(0, int)), ValueError,
                             "logits is an empty batch"),
    "binary_cross_entropy(empty)": (lambda: F.binary_cross_entropy(T(np.ones(0)), np.ones(0)), ValueError,
                                    "empty batch"),
    "hinge(empty)": (lambda: F.hinge(T(np.ones((0, 3))), np.zeros(0, int)), ValueError, "empty batch"),
    "BatchNorm(empty)": (lambda: BATCH_NORM(np.ones((0, 2))), ValueError, "at least 2 examples, got 0"),
    "accuracy(empty)": (lambda: nn.accuracy(np.ones((0, 2)), np.zeros(0, int)), ValueError, "holds no example"),
    # features that do not match
    "Standardization.transform(1 of 3 features)": (lambda: FITTED.transform(np.ones((5, 1))), ValueError,
                                                   r"X must have 3 features in its last axis, got shape \(5, 1\)"),
    "Standardization(Tensor of 2 features)": (lambda: FITTED(T(np.ones((5, 2)))), ValueError, "3 features"),
}


@pytest.mark.parametrize("call, error, message", INPUTS.values(), ids=INPUTS.keys())
def test_bad_inputs_get_one_sentence_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_empty_batches_are_fine_where_the_answer_is_defined():
    assert LINEAR(np.ones((0, 2))).shape == (0, 3)
    assert NORM(np.ones((0, 2))).shape == (0, 2)
    assert F.mse(T(np.ones((0, 3))), np.ones((0, 3)), reduction="sum").item() == 0.0
    assert F.cross_entropy(T(np.ones((0, 3))), np.zeros(0, int), reduction="none").shape == (0,)


# --- losses and accuracy refuse shapes they would otherwise broadcast or misread ----------------
def test_mse_refuses_a_target_of_another_shape():
    prediction = T(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
    for loss in (lambda p, t: F.mse(p, t), nn.MSELoss(), nn.MSELoss(reduction="sum")):
        with pytest.raises(ValueError, match=r"target of shape \(3,\) does not match prediction of shape \(3, 1\)"):
            loss(prediction, np.array([1.0, 2.0, 4.0]))
    assert F.mse(prediction, np.array([[1.0], [2.0], [4.0]])).item() == pytest.approx(1.0 / 3.0)


def test_binary_cross_entropy_and_cross_entropy_refuse_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"target of shape \(3,\) does not match logits of shape \(3, 1\)"):
        nn.BCEWithLogitsLoss()(T(np.zeros((3, 1))), np.ones(3))
    with pytest.raises(ValueError, match=r"integer labels need shape \(3,\)"):
        nn.CrossEntropyLoss()(T(np.zeros((3, 2))), np.zeros((3, 1), dtype=int))


def test_accuracy_reads_a_column_of_labels_as_labels():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    labels = np.array([1, 0, 0, 0])
    assert nn.accuracy(scores, labels) == 0.75
    assert nn.accuracy(scores, labels.reshape(-1, 1)) == 0.75          # (N, 1) labels, not one-hot rows
    assert nn.accuracy(scores, np.eye(2)[labels]) == 0.75              # one-hot rows
    assert nn.accuracy(T(scores), labels.astype(float)) == 0.75         # integral floats are labels too


def test_accuracy_refuses_what_it_cannot_read():
    scores = np.array([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match="at least 2"):
        nn.accuracy(np.array([[0.3], [0.9]]), np.array([[0], [1]]))   # one score per example: threshold unknown
    with pytest.raises(ValueError, match=r"target of shape \(3,\) matches output of shape \(2, 2\) neither"):
        nn.accuracy(scores, np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="must be integers"):
        nn.accuracy(scores, np.array([0.5, 1.0]))
