"""Model compression on the digits (Section 3.7.3): accuracy against real file bytes, method by method.

The README's digits MLP, ``MLP([64, 256, 128, 10])`` with ReLU on
standardised inputs (without batch normalisation, so every weight matrix is
a plain Linear), trained with ``optim.SGD(lr=0.05, momentum=0.9)``, batch
size 32, for 20 epochs on a seeded stratified 80/20 split of scikit-learn's
digits. Every compressed model is written with ``nn.compress.save``, read
back with ``nn.compress.load`` (checked to predict identically) and measured
in bytes of the actual file. A pruned network is retrained for 10 epochs
at the original step; V is fine-tuned for 5 epochs at 0.01, centroids for 5
epochs at 0.001 (each centroid's gradient is a sum over the weights sharing it).
Tables:

1. each method alone, and prune + quantise (k-means) + Huffman together;
2. mimic models: a student with a tenth of the parameters, trained on the
   teacher's (or a 3-teacher ensemble's) soft targets against trained on labels;
3. L1 against L2 regularisation before pruning: accuracy against sparsity;
4. low rank: SVD, SVD with U fixed and V fine-tuned, the same factorised
   architecture trained from scratch;
5. the hashing trick against a narrow layer with the same number of weights.

    python benchmarks/compress_digits.py            # a few minutes on 2 cores
    python benchmarks/compress_digits.py --quick    # fewer epochs, to check that it runs
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd_core import nn, optim  # noqa: E402
from autograd_core.nn import compress  # noqa: E402

SIZES = [64, 256, 128, 10]
STUDENT_SIZES = [64, 64, 10]
PIPELINES = [(0.8, 5), (0.8, 4), (0.9, 4)]  # (sparsity, bits) of the prune + share + Huffman rows
SCRATCH_LR = 0.002  # a product U V^T learned from scratch diverges at 0.05, and at 0.01 for small k


class Bench:
    def __init__(self, epochs, fine_tune_epochs, prune_fine_tune_epochs, seed=0):
        self.epochs = epochs
        self.fine_tune_epochs = fine_tune_epochs
        self.prune_fine_tune_epochs = prune_fine_tune_epochs
        self.seed = seed
        self.X_train, self.X_test, self.y_train, self.y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
        self.directory = tempfile.mkdtemp(prefix="compress_digits_")

    def model(self, sizes=SIZES, seed=0):
        return nn.Sequential(nn.preprocessing.Standardization().fit(self.X_train), nn.MLP(sizes, rng=seed))

    def train(self, model, epochs=None, lr=0.05, penalty=None, seed=None):
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        nn.fit(model, (self.X_train, self.y_train), optimizer=optimizer, epochs=epochs or self.epochs, batch_size=32,
               seed=self.seed if seed is None else seed, progress=False, penalty=penalty)
        return model

    def fine_tune(self, model):
        """A few epochs at a fifth of the step, for V, which starts near a good solution."""
        return self.train(model, epochs=self.fine_tune_epochs, lr=0.01)

    def fine_tune_centroids(self, model):
        """A few epochs at a fiftieth of the step: a centroid's gradient sums over thousands of shared weights."""
        return self.train(model, epochs=self.fine_tune_epochs, lr=0.001)

    def fine_tune_pruned(self, model):
        """Retraining after pruning, at the original step: the kept weights must take over the pruned ones' work."""
        return self.train(model, epochs=self.prune_fine_tune_epochs, lr=0.05)

    def accuracy(self, model):
        return nn.accuracy(nn.predict(model, self.X_test), self.y_test)

    def file_bytes(self, model, name="model.agcz"):
        """Bytes of the compressed file; the loaded model must predict exactly as ``model``."""
        path = os.path.join(self.directory, name)
        compress.save(model, path)
        loaded = compress.load(path)
        if not np.array_equal(nn.predict(loaded, self.X_test), nn.predict(model, self.X_test)):
            raise AssertionError("the loaded model does not predict as the saved one")
        return os.path.getsize(path)

    def copy(self, model):
        path = os.path.join(self.directory, "copy.agcz")
        compress.save(model, path)
        return compress.load(path)


def nonzero_weights(model):
    total = 0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            total += int((module.weight.numpy() != 0).sum())
        elif isinstance(module, (compress.SharedWeightLinear, compress.LowRankLinear)):
            total += int((module.dense_weight() != 0).sum()) if isinstance(module, compress.SharedWeightLinear) \
                else module.Vt.size + np.size(module.U)
    return total


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def percent(value):
    return f"{100 * value:.1f}%"


def compression_table(bench, original):
    npz_path = os.path.join(bench.directory, "original.npz")
    nn.save(original, npz_path)
    base_bytes = bench.file_bytes(original, "original.agcz")
    base_accuracy = bench.accuracy(original)
    dtype = next(iter(original.parameters())).dtype
    rows = [(f"original ({dtype})", percent(base_accuracy), f"{os.path.getsize(npz_path):,} (nn.save .npz); "
             f"{base_bytes:,}", "1.0x", f"{nonzero_weights(original):,}")]

    def add(label, model):
        size = bench.file_bytes(model)
        accuracy = bench.accuracy(model)
        rows.append((label, percent(accuracy), f"{size:,}", f"{base_bytes / size:.1f}x", f"{nonzero_weights(model):,}"))
        return accuracy, size

    for sparsity in (0.8, 0.9):
        pruned = compress.prune(bench.copy(original), sparsity=sparsity, scope="global")
        add(f"pruned {sparsity:.0%} (global), no fine-tuning", pruned)
        add(f"pruned {sparsity:.0%} (global) + {bench.prune_fine_tune_epochs} epochs fine-tuning",
            bench.fine_tune_pruned(pruned))
    quantised = compress.quantize(bench.copy(original), bits=4)
    add("uniform quantisation, 4 bits, no fine-tuning", quantised)
    add(f"uniform quantisation, 4 bits + {bench.fine_tune_epochs} epochs level fine-tuning",
        bench.fine_tune_centroids(quantised))
    shared = compress.share_weights(bench.copy(original), bits=4)
    add("k-means weight sharing, 4 bits, no fine-tuning", shared)
    add(f"k-means weight sharing, 4 bits + {bench.fine_tune_epochs} epochs centroid fine-tuning",
        bench.fine_tune_centroids(shared))
    factorised = compress.low_rank(bench.copy(original), 16)
    add("low rank k = 16 (SVD), no fine-tuning", factorised)
    add(f"low rank k = 16, U fixed, V fine-tuned {bench.fine_tune_epochs} epochs", bench.fine_tune(factorised))
    results = {}
    pruned = {}
    for sparsity, bits in PIPELINES:
        if sparsity not in pruned:
            pruned[sparsity] = bench.fine_tune_pruned(compress.prune(bench.copy(original), sparsity=sparsity,
                                                                     scope="global"))
        model = compress.share_weights(bench.copy(pruned[sparsity]), bits=bits)
        bench.fine_tune_centroids(model)
        results[(sparsity, bits)] = add(f"**pruned {sparsity:.0%} + k-means {bits} bits + Huffman** "
                                        "(each stage fine-tuned)", model)
    return table(["model", "test accuracy", "file bytes", "ratio", "non-zero weights"], rows), base_accuracy, \
        base_bytes, results


def mimic_table(bench, teacher):
    teachers = [teacher] + [bench.train(bench.model(seed=seed)) for seed in (1, 2)]
    rows = []
    teacher_params = teacher.num_parameters()
    for index, member in enumerate(teachers):
        rows.append((f"teacher {index} {SIZES}", f"{teacher_params:,}", percent(bench.accuracy(member))))
    ensemble = compress.soft_targets(teachers, bench.X_test).argmax(axis=1)
    rows.append(("ensemble of the 3 teachers (mean probabilities)", f"{3 * teacher_params:,}",
                 percent(float((ensemble == bench.y_test).mean()))))
    on_labels = bench.train(bench.model(STUDENT_SIZES, seed=5))
    student_params = on_labels.num_parameters()
    rows.append((f"student {STUDENT_SIZES} trained on the labels", f"{student_params:,}",
                 percent(bench.accuracy(on_labels))))
    for label, source, temperature in (("teacher 0, T = 1", teacher, 1.0), ("teacher 0, T = 4", teacher, 4.0),
                                       ("the ensemble, T = 4", teachers, 4.0)):
        student = bench.model(STUDENT_SIZES, seed=5)
        compress.distill(source, student, bench.X_train, epochs=bench.epochs, temperature=temperature,
                         batch_size=32, optimizer=optim.SGD(student.parameters(), lr=0.05, momentum=0.9))
        rows.append((f"student {STUDENT_SIZES} mimicking {label} (no labels)", f"{student_params:,}",
                     percent(bench.accuracy(student))))
    return table(["model", "parameters", "test accuracy"], rows), teacher_params / student_params


def l1_l2_table(bench, original, sparsities=(0.0, 0.5, 0.8, 0.9, 0.95, 0.98)):
    rows = []
    trained = {"none": original}
    for kind in ("l1", "l2"):
        for strength in (1e-4, 1e-3):
            trained[f"{kind.upper()}, lambda = {strength:g}"] = bench.train(
                bench.model(), penalty=lambda model, kind=kind, strength=strength:
                nn.functional.weight_penalty(model, **{kind: strength}))
    for name, model in trained.items():
        cells = [name]
        for sparsity in sparsities:
            pruned = compress.prune(bench.copy(model), sparsity=sparsity, scope="global") if sparsity else model
            cells.append(percent(bench.accuracy(pruned)))
        rows.append(cells)
    return table(["penalty during training"] + [f"{s:.0%} pruned" for s in sparsities], rows)


def low_rank_table(bench, original, ranks=(8, 16, 32)):
    rows = []
    for k in ranks:
        factorised = compress.low_rank(bench.copy(original), k)
        svd_accuracy = bench.accuracy(factorised)
        tuned_accuracy = bench.accuracy(bench.train(factorised, lr=SCRATCH_LR))
        scratch = bench.model()
        generator = np.random.default_rng(k)
        for parent in scratch.modules():
            for name, child in list(parent._modules.items()):
                if isinstance(child, nn.Linear) and k * (child.in_features + child.out_features) < \
                        child.in_features * child.out_features:
                    # U V^T then has He's variance 2 / m1 per entry
                    U = generator.normal(0, np.sqrt(1 / child.in_features), (child.in_features, k))
                    Vt = generator.normal(0, np.sqrt(2 / k), (k, child.out_features))
                    parent._modules[name] = compress.LowRankLinear(U, Vt, np.zeros(child.out_features), fix_U=False)
        scratch_accuracy = bench.accuracy(bench.train(scratch, lr=SCRATCH_LR))
        ratios = ", ".join(f"{compress.parameter_ratio(m1, m2, k):.1f}" for m1, m2 in ((64, 256), (256, 128)))
        rows.append((k, ratios, f"{bench.file_bytes(factorised):,}", percent(svd_accuracy), percent(tuned_accuracy),
                     percent(scratch_accuracy)))
    return table(["k", "HARMONIC-MEAN(m1, m2) / 2k per layer", "file bytes", "SVD",
                  f"SVD, U fixed, V fine-tuned ({bench.epochs} epochs, lr {SCRATCH_LR})",
                  f"same architecture from scratch ({bench.epochs} epochs, lr {SCRATCH_LR})"], rows)


def hashing_table(bench):
    hashed = nn.Sequential(nn.preprocessing.Standardization().fit(bench.X_train),
                           nn.HashedLinear(64, 256, buckets=2048, seed=0, rng=0), nn.ReLU(),
                           nn.HashedLinear(256, 10, buckets=320, seed=1, rng=1))
    narrow = bench.model([64, 32, 10], seed=0)
    wide = bench.model([64, 256, 10], seed=0)
    rows = []
    for label, model in (("HashedLinear 64 -> 256 (2048 buckets), HashedLinear 256 -> 10 (320 buckets)", hashed),
                         ("Linear 64 -> 32, Linear 32 -> 10 (the same weight count)", narrow),
                         ("Linear 64 -> 256, Linear 256 -> 10 (uncompressed)", wide)):
        bench.train(model)
        rows.append((label, f"{model.num_parameters():,}", percent(bench.accuracy(model)),
                     f"{bench.file_bytes(model):,}"))
    return table(["network", "parameters", "test accuracy", "file bytes"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 epochs of training and 1 of fine-tuning")
    arguments = parser.parse_args()
    bench = Bench(epochs=3 if arguments.quick else 20, fine_tune_epochs=1 if arguments.quick else 5,
                  prune_fine_tune_epochs=1 if arguments.quick else 10)
    started = time.perf_counter()
    original = bench.train(bench.model())
    sections = []
    text, base_accuracy, base_bytes, combined = compression_table(bench, original)
    sections.append("### Each method alone, and the pipeline\n\n" + text)
    mimic, ratio = mimic_table(bench, original)
    sections.append(f"### Mimic models (the teacher has {ratio:.1f} times the student's parameters)\n\n" + mimic)
    sections.append("### L1 against L2 before pruning (global magnitude pruning, no fine-tuning)\n\n" +
                    l1_l2_table(bench, original))
    sections.append("### Low rank (both hidden layers factorised; the 128 x 10 output layer kept)\n\n" +
                    low_rank_table(bench, original))
    sections.append("### Hashing trick against a narrow layer\n\n" + hashing_table(bench))
    print("\n\n".join(sections))
    for (sparsity, bits), (accuracy, size) in combined.items():
        print(f"\npruned {sparsity:.0%} + {bits} bits + Huffman: {base_bytes / size:.1f}x smaller, "
              f"{100 * (base_accuracy - accuracy):+.1f} points of accuracy lost")
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
