# %% [markdown]
# # Mimic models: a small student taught by a large teacher (Section 3.7.3)
#
# A large network (or an ensemble) is trained on the labels. A small student is then trained on
# unlabeled inputs to reproduce the teacher's softmax probabilities, the soft targets, without ever
# seeing a label. The text's claim is that the student learns better this way than the same small
# network trained on the labels: the soft targets say which wrong classes are nearly right (a 7 that
# looks like a 1), which is more information per example than a one-hot label. A temperature T > 1
# softens the targets further. `nn.compress.distill(teacher, student, unlabeled_X, temperature=...)`
# does it; `teacher` may be a list of models, whose probabilities are averaged.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from autograd_core import nn, optim
from autograd_core.nn import compress

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
TEACHER = [64, 128, 10] if FAST else [64, 256, 128, 10]
STUDENT = [64, 16, 10] if FAST else [64, 64, 10]
EPOCHS = 5 if FAST else 20


def make_model(sizes, seed):
    return nn.Sequential(nn.preprocessing.Standardization().fit(X_train), nn.MLP(sizes, rng=seed))


def optimizer_for(model):
    return optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def accuracy(model):
    return nn.accuracy(nn.predict(model, X_test), y_test)


# %% [markdown]
# ## The teacher, and what its soft targets look like

# %%
teacher = make_model(TEACHER, seed=0)
nn.fit(teacher, (X_train, y_train), optimizer=optimizer_for(teacher), epochs=EPOCHS, progress=False)
student_size = make_model(STUDENT, seed=1).num_parameters()
print(f"teacher {TEACHER}: {teacher.num_parameters():,} parameters, test accuracy {accuracy(teacher):.3f}; "
      f"student {STUDENT}: {student_size:,} parameters ({teacher.num_parameters() / student_size:.1f}x fewer)")
example = np.argmax(compress.soft_targets(teacher, X_train).max(axis=1) < 0.9)  # an example the teacher doubts
for temperature in (1.0, 4.0):
    targets = compress.soft_targets(teacher, X_train[example:example + 1], temperature=temperature)[0]
    print(f"T = {temperature}: label {y_train[example]}, soft target " + " ".join(f"{p:.2f}" for p in targets))

# %% [markdown]
# ## The student on the labels against the student mimicking the teacher
# Same network, same initial weights, same optimiser and epochs. The mimics never see `y_train`.

# %%
histories = {}
on_labels = make_model(STUDENT, seed=1)
histories["student on labels"] = nn.fit(on_labels, (X_train, y_train), optimizer=optimizer_for(on_labels),
                                        epochs=EPOCHS, validation=(X_test, y_test),
                                        metrics={"accuracy": nn.accuracy}, progress=False)
for temperature in (1.0, 4.0):
    student = make_model(STUDENT, seed=1)
    histories[f"student mimicking the teacher, T = {temperature:g}"] = compress.distill(
        teacher, student, X_train, epochs=EPOCHS, temperature=temperature, optimizer=optimizer_for(student),
        validation=(X_test, y_test), metrics={"accuracy": nn.accuracy})
for name, history in histories.items():
    print(f"{name:>36}: test accuracy {history['val_accuracy'][-1]:.3f}")

figure, axes = plt.subplots(figsize=(6.5, 4))
for name, history in histories.items():
    axes.plot(range(1, EPOCHS + 1), history["val_accuracy"], marker=".", label=name)
axes.axhline(accuracy(teacher), color="gray", linestyle="--",
             label=f"teacher ({teacher.num_parameters():,} parameters)")
axes.set_xlabel("epoch")
axes.set_ylabel("test accuracy")
axes.set_title(f"A {student_size:,}-parameter student: labels against soft targets")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_mimic.png"))
plt.close(figure)

best_mimic = max(history["val_accuracy"][-1] for name, history in histories.items() if "mimicking" in name)
print(f"the best mimic is {100 * (best_mimic - histories['student on labels']['val_accuracy'][-1]):+.1f} points "
      "against the student trained on labels")
assert best_mimic > 0.8, "a student learns the task from soft targets alone"
