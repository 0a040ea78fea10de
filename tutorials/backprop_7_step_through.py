# %% [markdown]
# # 7. Watch backpropagation happen
#
# `backward()` visits the nodes of the computational graph from the output
# back to the inputs, and finishes each node's gradient once all the nodes
# that consume it are done (Eq. 3.8):
#
#     do/dy(i) = sum over the consumers j of y(i) of do/dy(j) * z(i, j),    z(i, j) = dy(j)/dy(i).
#
# `ag.trace_backward(output)` writes out that dynamic programme step by
# step, exactly as the engine runs it (the same order, the same local
# derivatives, the same sums), without writing any `.grad`.
# `ag.trace_backward(output, mode="paths")` writes out the algorithm it
# replaces, the sum over every path of the product of local derivatives
# (Lemma 3.2.1). `ag.viz.step_through(output, "page.html")` turns either into
# a page to step through in a browser (offline, one file), and in a
# notebook the player shows inline. This tutorial writes five players:
# open them in a browser, and use the arrow keys.

# %%
import os

import autograd_core as ag
from autograd_core.examples import figure_3_3, figure_3_4, scalar_mlp

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)


def write_player(output, name, **options):
    """Write a step-through page into the output folder; without Graphviz's dot, say so and go on."""
    try:
        player = ag.viz.step_through(output, os.path.join(OUTPUT, name), **options)
    except (ImportError, ag.viz.GraphvizNotFoundError) as error:
        print(f"skipped {name}: {error}")
        return None
    print("wrote", player.path)
    return player


def same_as_backward(trace, output, leaves):
    """The trace's last word on each leaf is what backward() accumulates into .grad."""
    output.backward(retain_graph=True)
    for leaf, gradient in zip(leaves, trace.gradients):
        assert leaf.grad.item() == float(gradient), (leaf.name, leaf.grad.item(), float(gradient))
        leaf.zero_grad()


# %% [markdown]
# ## Figure 3.3: a node with two consumers
# o = sin(w^2) + cos(w^2), with y = w^2 computed once. What to watch: y is
# not finished until both of its consumers, p = sin(y) and q = cos(y), are;
# its gradient is then the sum of two contributions, 1 * cos(y) from p and
# 1 * (-sin(y)) from q. Only then can w be finished, with one contribution:
# 2w times the gradient of y. The path-sum player lights the same two
# contributions as two separate paths, w -> y -> p -> o and w -> y -> q -> o,
# and adds their products.

# %%
w, o = figure_3_3(0.7)
steps = ag.trace_backward(o)
print(steps)
same_as_backward(steps, o, [w])
print()
print(ag.trace_backward(o, mode="paths"))
player = write_player(o, "figure_3_3_step_through.html", title="Figure 3.3: o = sin(w^2) + cos(w^2)")
write_player(o, "figure_3_3_paths.html", mode="paths", title="Figure 3.3: the two paths from w to o")
player  # noqa: B018 (the last value of a cell: a notebook shows the player inline)

# %% [markdown]
# ## Figure 3.4 at depth 3: eight paths, six hidden units
# Each unit is the product of the units of the layer before, so there are
# 2^3 = 8 paths from w to o and o = w^8. What to watch in the path-sum
# player: every path multiplies four local derivatives (1, w, w^2 and w^4:
# each edge's z is the product of the other units of its layer), so every
# path has the same product w^7 and the running sum climbs by the same step
# eight times, to 8 w^7; the number of paths doubles with every layer. In the dynamic programme each
# unit is finished once, after the two units it feeds: the work grows with
# the number of edges, not of paths.

# %%
w, o = figure_3_4(depth=3, width=2)
by_paths = ag.trace_backward(o, mode="paths")
print(by_paths[0])
print(by_paths.checks[0])
assert len(by_paths) == ag.count_paths(o, w) == 8 and by_paths.checks[0].agrees
steps = ag.trace_backward(o)
print(f"{len(steps)} steps of the dynamic programme against {len(by_paths)} paths")
same_as_backward(steps, o, [w])
write_player(o, "figure_3_4_step_through.html", title="Figure 3.4 at depth 3: o = w^8, by dynamic programming")
player = write_player(o, "figure_3_4_paths.html", mode="paths", title="Figure 3.4 at depth 3: the 8 paths from w")
player  # noqa: B018 (the last value of a cell: a notebook shows the player inline)

# %% [markdown]
# ## A two-layer scalar MLP
# Two hidden tanh layers of two units, one linear output unit, one node per
# scalar (the neuron-level graph). What to watch: each output weight v is
# finished right after its product node, long before the first layer; a
# hidden unit's pre-activation a gets its gradient from h = tanh(a) alone,
# times the local derivative 1 - h^2; a first-layer hidden unit h1 is
# finished only after both second-layer units it feeds, so its gradient is a
# sum of two contributions; the first-layer weights come last. At the last
# step the table lists every weight's gradient.

# %%
weights, o, _ = scalar_mlp(depth=2, width=2)
steps = ag.trace_backward(o, inputs=weights)
for step in steps[:6]:
    print(step)
print("...")
same_as_backward(steps, o, weights)
player = write_player(o, "mlp_step_through.html", inputs=weights, title="A scalar MLP: two tanh layers of two units")
player  # noqa: B018 (the last value of a cell: a notebook shows the player inline)
