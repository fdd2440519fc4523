# %% [markdown]
# # Day 4, part 1: The chain rule and a reverse-mode autodiff engine
#
# **Learning goals.** By the end of this notebook you can
# - apply the chain rule by hand to a composite function, and in its multivariable form as a
#   product of Jacobians;
# - say what a vector-Jacobian product is and why reverse mode computes exactly that;
# - draw an expression as a computational graph and run the backward pass over it by hand;
# - derive the gradient-descent update for $y = wx$ with squared loss, and code it;
# - build a small reverse-mode autodiff engine on scalars, rule by rule, and check it against
#   `torch.autograd` on random expressions;
# - explain why gradients arriving along two paths must be added.
#
# **Prerequisites.** Days 1-3 (derivatives, gradients and Jacobians, gradient descent); Python
# classes and closures. **Time to complete.** About 2.5 to 3 hours, half of it on the exercises.
# Part 2 (`backprop.ipynb`) takes the engine to layers and networks.
#
# **Grading.** An exercise's points are all or nothing. Its hidden tests try every promise of
# its docstring (return type and dtype, the input left unchanged, the errors raised, the edge
# cases named) on new inputs, so one promise missed costs the whole exercise. The visible
# checks after each exercise try each promise once: read their failure messages.
#
# | backpropagation | |
# |---|---|
# | what | the chain rule applied from the output back to the inputs, reusing every intermediate result |
# | why | the gradient of one scalar loss with respect to all $n$ parameters at the cost of a few forward passes, not $n$ |
# | when | whenever a scalar loss depends on many parameters through a composition of differentiable pieces |
# | where | `loss.backward()` in PyTorch, `tape.gradient(loss, variables)` in TensorFlow, just before `optimizer.step()` |
# | who | adjoint methods in optimal control: Kelley (1960), Bryson (1961); reverse-mode differentiation of programs: Linnainmaa (1970); for neural networks: Werbos (1974), Rumelhart, Hinton and Williams (1986) |
# | how | a forward pass records a graph; a backward pass visits it in reverse topological order, multiplying local derivatives |
#
# **A short history.** Newton and Leibniz invented the calculus independently in the 1660s-1680s;
# the chain rule, $\frac{dz}{dx} = \frac{dz}{dy}\frac{dy}{dx}$, is written in Leibniz's notation
# (1676). Kelley (1960) and Bryson (1961) computed gradients backwards through time with
# adjoint equations, for rocket trajectories. Seppo Linnainmaa's 1970 master's thesis gave
# reverse-mode automatic differentiation of any program built from elementary operations; Paul Werbos proposed it for training neural networks (1974 thesis, 1982 paper);
# Rumelhart, Hinton and Williams's 1986 *Nature* paper made "backpropagation" the standard way
# to train them. Theano (2007) brought symbolic graphs with automatic gradients to deep
# learning; TensorFlow (2015) built a static graph, then added eager execution and
# `GradientTape`; PyTorch (2016), inspired by Chainer and torch-autograd, records the graph
# as the code runs ("define by run"), as our engine will.

# %% nbgrader={"grade_id": "setup", "locked": true}
import math
import time

import numpy as np
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import matplotlib.pyplot as plt
import tensorflow as tf
import torch

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # tensors here are tiny: one thread is faster than several competing
tf.random.set_seed(0)

# %% [markdown]
# ## 1. Intuition: gears
#
# If gear $B$ turns 3 times for each turn of $A$, and $C$ turns 2 times for each turn of $B$,
# then $C$ turns $3 \times 2 = 6$ times for each turn of $A$. Rates of change along a chain
# **multiply**: that is the chain rule. And if $A$ drives $C$ along two separate gear trains,
# the two rates **add**. A network is a long chain of simple gears; backpropagation computes
# how the loss turns for each turn of every weight, by walking the chain once from the end.
#
# ## 2. Theory
# ### 2.1 The chain rule, by hand
# For $f(x) = g(h(x))$ with $h$ differentiable at $x$ and $g$ at $h(x)$:
# $f'(x) = g'(h(x))\, h'(x)$. Example: $f(x) = (x^2 + 1)^3$. Name the inner value $u = x^2 + 1$;
# then $f = u^3$, $\frac{df}{du} = 3u^2$, $\frac{du}{dx} = 2x$, so $f'(x) = 3(x^2+1)^2 \cdot 2x$.
# At $x = 2$: $u = 5$, $f = 125$, $f'(2) = 3 \cdot 25 \cdot 4 = 300$. A central difference agrees:

# %%
f_hand = lambda x: (x**2 + 1) ** 3
h = 1e-5
print("by hand: 300;  central difference:", (f_hand(2 + h) - f_hand(2 - h)) / (2 * h))
np.testing.assert_allclose((f_hand(2 + h) - f_hand(2 - h)) / (2 * h), 300.0, rtol=1e-8)

# %% [markdown]
# ### 2.2 The multivariable chain rule: a product of Jacobians
# For $g: \mathbb{R}^n \to \mathbb{R}^k$ and $f: \mathbb{R}^k \to \mathbb{R}^m$, differentiable,
# the Jacobian of the composition is the product of the Jacobians (Day 2's layout: row $i$ is
# the gradient of output $i$):
# $$J_{f \circ g}(x) = J_f(g(x))\; J_g(x), \qquad (m \times n) = (m \times k)(k \times n).$$
# Entry by entry, $\frac{\partial f_i}{\partial x_j} = \sum_l \frac{\partial f_i}{\partial u_l}\frac{\partial u_l}{\partial x_j}$: a sum over
# every intermediate $u_l$ through which $x_j$ reaches $f_i$. That sum is the rule "paths add up".
#
# **The vector-Jacobian product.** For a deep composition $L = f_K \circ \dots \circ f_1$ ending in a
# scalar loss, we need $\nabla L^\top = J_{f_K} \cdots J_{f_2} J_{f_1}$, a row vector. Multiplying
# from the left keeps every intermediate a **row vector**: $v_K^\top = 1$,
# $v_{k-1}^\top = v_k^\top J_{f_k}$. Each step is a **vector-Jacobian product** (VJP), and it never
# forms a Jacobian: for $y = \tanh(u)$ elementwise, $v^\top J = \big(v \odot (1 - y^2)\big)^\top$, $O(k)$ work
# instead of a $k \times k$ matrix. That is reverse mode. Multiplying from the right
# ($J_{f_1}$ first, Jacobian-vector products) is forward mode, which pays once per input
# direction (part 2).
#
# Check it on $g(x) = (x_0 x_1,\ \sin x_0)$ and $f(u) = (u_0 + u_1^2,\ e^{u_0},\ u_0 u_1)$: the product
# of the Jacobians written by hand, against central differences and the full Jacobians that
# `torch.autograd` and `tf.GradientTape` build (one backward pass per output row). Computing
# $v^\top J$ *without* building $J$ is Exercises 4 and 5.

# %%
def g_np(x):
    return np.array([x[0] * x[1], np.sin(x[0])])

def f_np(u):
    return np.array([u[0] + u[1] ** 2, np.exp(u[0]), u[0] * u[1]])

def J_g(x):
    return np.array([[x[1], x[0]], [np.cos(x[0]), 0.0]])

def J_f(u):
    return np.array([[1.0, 2 * u[1]], [np.exp(u[0]), 0.0], [u[1], u[0]]])

def numerical_jacobian(fun, x, h=1e-6):
    return np.column_stack([(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(len(x))])

x = np.array([0.7, -1.3])
J_chain = J_f(g_np(x)) @ J_g(x)
v = np.array([1.0, -2.0, 0.5])  # any output weights: the VJP is v^T J
print("J_f J_g =\n", J_chain)
np.testing.assert_allclose(J_chain, numerical_jacobian(lambda x: f_np(g_np(x)), x), rtol=1e-8)

def fg_torch(x):
    u = torch.stack([x[0] * x[1], torch.sin(x[0])])
    return torch.stack([u[0] + u[1] ** 2, torch.exp(u[0]), u[0] * u[1]])

J_torch = torch.autograd.functional.jacobian(fg_torch, torch.tensor(x)).numpy()
x_tf = tf.constant(x)
with tf.GradientTape() as tape:
    tape.watch(x_tf)
    u_tf = tf.stack([x_tf[0] * x_tf[1], tf.sin(x_tf[0])])
    y_tf = tf.stack([u_tf[0] + u_tf[1] ** 2, tf.exp(u_tf[0]), u_tf[0] * u_tf[1]])
J_tf = tape.jacobian(y_tf, x_tf).numpy()
np.testing.assert_allclose(J_torch, J_chain, rtol=1e-12)
np.testing.assert_allclose(J_tf, J_chain, rtol=1e-12)
print("= torch.autograd's Jacobian = TensorFlow's Jacobian;  v^T J_f J_g =", v @ J_chain)

# %% [markdown]
# ### 2.3 A computational graph
# Each node is one elementary operation; edges carry values forward and gradients backward.
# Below, $L = \big(x \tanh(wx + b)\big)^2$ at $x = 1.5$, $w = -0.8$, $b = 0.5$, as five operations:
# $$u = wx, \quad v = u + b, \quad t = \tanh v, \quad s = t\,x, \quad L = s^2 .$$
# Each node is drawn with its value and its gradient $\bar{n} = \partial L / \partial n$, and each
# edge (red) with the part of the gradient sent along it. The input $x$ feeds two nodes, $u$ and
# $s$, and receives two parts: $\bar x = \bar u\, w + \bar s\, t$. Section 5 lets you step through
# this pass node by node.

# %%
from IPython.display import display
from calcopt.widgets.backprop import BackpropExplorer

graph_picture = BackpropExplorer(step=8)
display(graph_picture.fig)
flows = graph_picture.flows
print(f"x receives {flows[('x', 'u')]:.4f} through u and {flows[('x', 's')]:.4f} through s; "
      f"dL/dx = {graph_picture.grads['x']:.4f}")
np.testing.assert_allclose(flows[("x", "u")] + flows[("x", "s")], graph_picture.grads["x"], rtol=1e-12)

# %% [markdown]
# ## 3. From scratch, by hand: $y = wx$ with squared loss
# One weight, data $(x_i, y_i)$, prediction $\hat y_i = w x_i$, loss
# $L(w) = \frac1N \sum_i (w x_i - y_i)^2$. Name the residual $r_i = w x_i - y_i$; then
# $L = \frac1N\sum_i r_i^2$, $\frac{\partial L}{\partial r_i} = \frac{2}{N} r_i$, $\frac{\partial r_i}{\partial w} = x_i$, and by the chain rule
# $$\frac{dL}{dw} = \frac{2}{N} \sum_i (w x_i - y_i)\, x_i, \qquad w \leftarrow w - \eta\, \frac{2}{N} \sum_i (w x_i - y_i)\, x_i .$$
# The loss is a parabola in $w$ with curvature $L'' = \frac2N\sum_i x_i^2$, so (Day 3) descent
# converges for $0 < \eta < 2/L''$, to the least-squares slope $w^\ast = \sum x_i y_i / \sum x_i^2$.
# In pure Python, then NumPy, then the frameworks computing $dL/dw$ for us:

# %%
x_data = rng.uniform(-2, 2, size=20)
y_data = 3.0 * x_data + 0.3 * rng.normal(size=20)
lr, num_steps = 0.2, 30

w = 0.0  # pure Python
for _ in range(num_steps):
    grad = sum(2 * (w * xi - yi) * xi for xi, yi in zip(x_data, y_data)) / len(x_data)
    w -= lr * grad
w_python = w

w = 0.0  # NumPy
for _ in range(num_steps):
    w -= lr * 2 * np.mean((w * x_data - y_data) * x_data)
w_numpy = w

w_t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
X_t, Y_t = torch.tensor(x_data), torch.tensor(y_data)
for _ in range(num_steps):
    loss = torch.mean((w_t * X_t - Y_t) ** 2)
    loss.backward()
    with torch.no_grad():
        w_t -= lr * w_t.grad
    w_t.grad.zero_()

w_tf = tf.Variable(0.0, dtype=tf.float64)
for _ in range(num_steps):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w_tf * x_data - y_data) ** 2)
    w_tf.assign_sub(lr * tape.gradient(loss, w_tf))

w_star = np.sum(x_data * y_data) / np.sum(x_data**2)
print(f"Python {w_python:.10f}  NumPy {w_numpy:.10f}  torch {w_t.item():.10f}  TF {w_tf.numpy():.10f}")
print(f"least squares w* = {w_star:.10f};  2/L'' = {1 / np.mean(x_data**2):.3f} > lr = {lr}")
np.testing.assert_allclose([w_numpy, w_t.item(), w_tf.numpy()], w_python, rtol=1e-12)
np.testing.assert_allclose(w_python, w_star, rtol=1e-6)

# %% [markdown]
# ## 4. A reverse-mode engine on scalars, built by you
# A `Value` holds a number, its gradient, the nodes it was made from (`_prev`) and a closure
# `_backward` that sends its gradient to them. Each operation does two things:
#
# | op | forward | backward (local rule, times the upstream gradient $\bar{o}$ of the output $o$) |
# |---|---|---|
# | $o = a + b$ | `a + b` | $\bar a \mathrel{+}= \bar o$, $\bar b \mathrel{+}= \bar o$ |
# | $o = a b$ | `a * b` | $\bar a \mathrel{+}= \bar o\, b$, $\bar b \mathrel{+}= \bar o\, a$ |
# | $o = a^n$ ($n$ a constant) | `a ** n` | $\bar a \mathrel{+}= \bar o\, n a^{n-1}$ |
# | $o = e^a$ | `exp(a)` | $\bar a \mathrel{+}= \bar o\, e^a$ |
# | $o = \log a$ | `log(a)` | $\bar a \mathrel{+}= \bar o / a$ |
# | $o = \tanh a$ | `tanh(a)` | $\bar a \mathrel{+}= \bar o\, (1 - \tanh^2 a)$ |
# | $o = \max(a, 0)$ | `relu(a)` | $\bar a \mathrel{+}= \bar o\, [a > 0]$ (0 at $a = 0$, as in PyTorch) |
#
# The `+=` is the multivariable chain rule's sum over paths: a node used twice receives a part
# from each use. You write the rules (Exercises 1-2) and the order of the backward pass
# (Exercise 3); the class below then assembles them.
#
# ### Exercise 1: the product rule (1 point)

# %% nbgrader={"grade_id": "mul_backward", "solution": true}
def mul_backward(a, b, out_grad):
    """Backward rule of o = a * b.

    a, b: the inputs' values (Python floats or ints); out_grad: dL/do (a float).
    Returns a tuple (dL/da, dL/db) of two numbers (floats).
    """
    ### BEGIN SOLUTION
    return out_grad * b, out_grad * a
    ### END SOLUTION

# %% nbgrader={"grade_id": "mul_backward_tests", "grade": true, "points": 1}
_grads = mul_backward(3.0, -2.0, 5.0)
check_type("mul_backward(3, -2, 5)", _grads, tuple)
check_true("mul_backward(3, -2, 5)", len(_grads) == 2, "expected a tuple of two numbers (dL/da, dL/db)")
check_close("mul_backward(3, -2, 5): dL/da", _grads[0], -10.0)
check_close("mul_backward(3, -2, 5): dL/db", _grads[1], 15.0)
check_close("mul_backward(2, 2, 1): both inputs the same", np.array(mul_backward(2.0, 2.0, 1.0), dtype=float), np.array([2.0, 2.0]))
print("mul_backward: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(401)
for _trial in range(20):
    _a, _b, _g = test_rng.normal(scale=3.0, size=3)
    _grads = mul_backward(float(_a), float(_b), float(_g))
    check_type(f"mul_backward(trial {_trial})", _grads, tuple)
    expect(f"mul_backward(trial {_trial})", np.array(_grads, dtype=np.float64), rtol=1e-12, atol=1e-300)
for _name, _args in [("zero upstream", (2.0, 3.0, 0.0)), ("a = 0", (0.0, 4.0, 1.5)), ("ints", (3, -7, 2)),
                     ("large", (1e150, -2e100, 3.0)), ("negative", (-1.5, -2.5, -1.0))]:
    expect(f"mul_backward({_name})", np.array(mul_backward(*_args), dtype=np.float64), rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: the one-input rules (2 points)
# One function for the five one-input operations, chosen by `op`.

# %% nbgrader={"grade_id": "unary_backward", "solution": true}
def unary_backward(op, x, out_grad, n=None):
    """Backward rule of o = op(x): returns dL/dx = out_grad * (d op / dx at x), a float.

    op: one of "pow" (o = x ** n, n a constant int or float; x may be negative or 0 when n
        is an int), "exp", "log" (x > 0), "tanh", "relu" (o = max(x, 0); its derivative is
        taken as 0 at x = 0, as in PyTorch). op is case-sensitive.
    x: the input's value (a float or int); out_grad: dL/do (a float); n: the exponent, for
        "pow" only.
    Raises ValueError for any other op (including "Tanh").
    """
    ### BEGIN SOLUTION
    if op == "pow":
        local = n * x ** (n - 1)
    elif op == "exp":
        local = math.exp(x)
    elif op == "log":
        local = 1.0 / x
    elif op == "tanh":
        local = 1.0 - math.tanh(x) ** 2
    elif op == "relu":
        local = 1.0 if x > 0 else 0.0
    else:
        raise ValueError(f"unknown op {op!r}")
    return out_grad * local
    ### END SOLUTION

# %% nbgrader={"grade_id": "unary_backward_tests", "grade": true, "points": 2}
for _op, _x, _n, _want in [("pow", 3.0, 2, 6.0 * 0.5), ("pow", 4.0, -1, -1 / 16 * 0.5), ("exp", 0.0, None, 0.5),
                           ("log", 4.0, None, 0.125), ("tanh", 0.0, None, 0.5), ("relu", 2.0, None, 0.5),
                           ("relu", -2.0, None, 0.0), ("relu", 0.0, None, 0.0), ("pow", -2.0, 3, 6.0),
                           ("pow", -1.5, 2, -1.5)]:
    check_close(f"unary_backward({_op!r}, x={_x}, out_grad=0.5, n={_n})", unary_backward(_op, _x, 0.5, _n), _want, rtol=1e-12)
check_close("unary_backward('tanh', 1.0, 1.0)", unary_backward("tanh", 1.0, 1.0), 1 - math.tanh(1.0) ** 2, rtol=1e-12)
check_close("unary_backward('tanh', x=30.0, out_grad=1.0): sech^2(30) is tiny but not 0", unary_backward("tanh", 30.0, 1.0), 0.0, rtol=0.0, atol=1e-20)
for _op in ("sin", "Tanh"):
    try:
        unary_backward(_op, 1.0, 1.0)
        _raised = False
    except ValueError:
        _raised = True
    check_true(f"unary_backward({_op!r}, ...)", _raised, "expected a ValueError for an unknown op (op is case-sensitive)")
print("unary_backward: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(402)
for _trial in range(30):
    _op = ["pow", "exp", "log", "tanh", "relu"][_trial % 5]
    _x = float(test_rng.uniform(0.1, 3.0) if _op in ("log", "pow") else test_rng.normal(scale=2.0))
    _n = float(test_rng.choice([2, 3, -1, 0.5, -2.5])) if _op == "pow" else None
    _g = float(test_rng.normal())
    expect(f"unary_backward({_op}, trial {_trial})", unary_backward(_op, _x, _g, _n), rtol=1e-10, atol=1e-15 if _op == "tanh" else 1e-300)
for _trial in range(10):  # random chains o_k(...o_1(x)): the chain rule multiplies the local rules
    _ops = list(test_rng.choice(["exp", "tanh", "relu", "pow"], size=4))
    _values = [float(test_rng.uniform(0.2, 1.0))]
    for _k, _op in enumerate(_ops):
        _v = _values[-1]
        if _v > 3.0 and _op in ("exp", "pow"):  # keep every value finite, whatever the seed
            _op = _ops[_k] = "tanh"
        _values.append({"exp": math.exp(_v), "tanh": math.tanh(_v), "relu": max(_v, 0.0), "pow": _v**2}[_op])
    _grad = 1.0
    for _op, _v in zip(reversed(_ops), reversed(_values[:-1])):
        _grad = unary_backward(_op, _v, _grad, 2 if _op == "pow" else None)
    expect(f"unary_backward chain {'/'.join(_ops)}", _grad, rtol=1e-10, atol=1e-15)
expect("unary_backward(tanh, large x)", unary_backward("tanh", 30.0, 1.0), rtol=0.0, atol=1e-20)
expect("unary_backward(tanh, large negative x)", unary_backward("tanh", -25.0, 2.0), rtol=0.0, atol=1e-20)
for _name, _args in [("pow, negative x", ("pow", -1.7, 1.3, 2)), ("pow, x = 0", ("pow", 0.0, 1.0, 2)),
                     ("pow, negative x, odd n", ("pow", -0.6, 2.0, 3)), ("exp, negative x", ("exp", -5.0, 2.0)),
                     ("relu, tiny positive", ("relu", 1e-300, 3.0)), ("relu, tiny negative", ("relu", -1e-300, 3.0)),
                     ("pow, n = 1", ("pow", 5.0, 2.0, 1)), ("pow, int x", ("pow", 3, 1.0, 3)),
                     ("log, large x", ("log", 1e10, 1.0)), ("zero upstream", ("exp", 1.0, 0.0))]:
    expect(f"unary_backward({_name})", unary_backward(*_args), rtol=1e-10, atol=1e-300)
for _op in ("sigmoid", "Tanh", ""):
    try:
        unary_backward(_op, 1.0, 1.0)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"unary_backward({_op!r}) raises ValueError", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the order of the backward pass (2 points)
# A node may send its gradient on only once it has received **all** of it, that is after every
# node that uses it has been processed. So the backward pass visits the nodes in reverse
# **topological order**: an order of the graph's nodes in which every node comes after its
# inputs. Depth-first search gives one: visit a node's inputs (recursively), then append the
# node, skipping nodes already visited. Many orders are valid; any one will do. A recursive
# version is fine here: Python's default recursion limit (1000) allows graphs some 900 nodes
# deep, and the tests go 300 deep; an iterative version, with your own stack, has no limit.

# %% nbgrader={"grade_id": "topological_order", "solution": true}
def topological_order(root):
    """Every node reachable from root through `_prev`, each exactly once, in an order where
    every node comes after all the nodes in its `_prev` (so root comes last).

    root: any object with an attribute `_prev`, a tuple of input nodes (leaves have ()); a
    node may appear in several `_prev` tuples, or twice in one. Compare nodes by identity
    (the default hash of a Value). Graphs may be a few hundred nodes deep.
    Time linear in the number of nodes and edges: read each node's `_prev` a bounded number
    of times (not once per path: a graph of 20 nodes can have a million paths).
    Each call is independent of earlier calls (no state kept between calls).
    Returns a list of nodes.
    """
    ### BEGIN SOLUTION
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for child in node._prev:
            visit(child)
        order.append(node)

    visit(root)
    return order
    ### END SOLUTION

# %% nbgrader={"grade_id": "topological_order_tests", "grade": true, "points": 2}
class _Node:  # the smallest graph node: its inputs
    def __init__(self, *prev):
        self._prev = tuple(prev)

def _order_problems(root, order):
    """What is wrong with `order` as a topological order of root's graph ("" when nothing)."""
    reachable, stack = {}, [root]
    while stack:
        node = stack.pop()
        if id(node) not in reachable:
            reachable[id(node)] = node
            stack.extend(node._prev)
    if type(order) is not list:
        return f"expected a list, got {type(order).__name__}"
    ids = [id(node) for node in order]
    if len(set(ids)) != len(ids):
        return "a node appears more than once (its gradient would be sent twice)"
    if set(ids) != set(reachable):
        return f"expected the {len(reachable)} reachable nodes, got {len(ids)} nodes that are not exactly those"
    position = {i: k for k, i in enumerate(ids)}
    if any(position[id(p)] > position[id(node)] for node in order for p in node._prev):
        return "a node comes before one of its inputs"
    return ""

_x, _y = _Node(), _Node()
_a = _Node(_x, _y)
_b = _Node(_a, _x)  # x reaches b along two paths
_root = _Node(_b, _b)  # and b is used twice by root
_problem = _order_problems(_root, topological_order(_root))
check_true("topological_order(diamond)", _problem == "", _problem)
_leaf = _Node()
_problem = _order_problems(_leaf, topological_order(_leaf))
check_true("topological_order(a single leaf)", _problem == "", _problem)
_problem = _order_problems(_root, topological_order(_root))
check_true("topological_order(diamond) called a second time", _problem == "", _problem)

class _CountingNode:  # a node that counts how often its inputs are read
    reads = 0

    def __init__(self, *prev):
        self._inputs = tuple(prev)

    @property
    def _prev(self):
        _CountingNode.reads += 1
        return self._inputs

_square = _CountingNode()
for _ in range(14):  # z = z * z, 14 times: 15 nodes, 2^14 paths
    _square = _CountingNode(_square, _square)
_CountingNode.reads = 0
_order = topological_order(_square)
_reads = _CountingNode.reads
_problem = _order_problems(_square, _order)
check_true("topological_order(14 repeated squarings)", _problem == "", _problem)
check_true("topological_order(14 repeated squarings): _prev read a bounded number of times per node",
           _reads <= 4 * 15, f"_prev was read {_reads} times for 15 nodes: skip the nodes already visited")
print("topological_order: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(403)
def _random_dag(num_nodes):  # a random expression graph; nodes are reused, so paths merge
    nodes = [_Node() for _ in range(int(test_rng.integers(1, 4)))]
    for _ in range(num_nodes):
        k = int(test_rng.integers(1, 3))
        nodes.append(_Node(*(nodes[int(i)] for i in test_rng.integers(0, len(nodes), size=k))))
    return nodes[-1]

for _trial in range(25):
    _root = _random_dag(int(test_rng.integers(1, 60)))
    expect(f"topological_order(random graph {_trial}) is valid", _order_problems(_root, topological_order(_root)) == "")
_chain = _Node()
for _ in range(300):
    _chain = _Node(_chain)
expect("topological_order(a chain 300 deep) is valid", _order_problems(_chain, topological_order(_chain)) == "")
_shared = _Node()
_wide = _Node(*[_Node(_shared, _shared) for _ in range(50)])
expect("topological_order(50 nodes sharing one input) is valid", _order_problems(_wide, topological_order(_wide)) == "")
_root = _random_dag(40)
_first = [id(n) for n in topological_order(_root)]
_second = [id(n) for n in topological_order(_root)]
expect("topological_order(called twice) is valid both times", _order_problems(_root, topological_order(_root)) == "")
expect("topological_order(called twice) has the same length", len(_second) - len(_first))
_square = _CountingNode()
for _ in range(18):
    _square = _CountingNode(_square, _square)
_CountingNode.reads = 0
_order = topological_order(_square)
_reads = _CountingNode.reads
expect("topological_order(18 repeated squarings) reads _prev at most 4 times per node", _reads <= 4 * 19)
expect("topological_order(18 repeated squarings) is valid", _order_problems(_square, _order) == "")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.1 The engine
# Each operation's backward closure sits beside its forward computation and calls your rules.
# `backward()` zeroes the gradients of the graph, seeds $\bar L = 1$, then calls `_backward`
# in reverse topological order. (PyTorch's `loss.backward()` does not zero anything: it adds
# to `.grad`, and you zero it yourself; part 2, §5.) Run this cell after Exercises 1-3.

# %%
class Value:
    """A scalar that records the operations made with it, for reverse-mode differentiation."""

    def __init__(self, data, _prev=(), _op=""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._op = tuple(_prev), _op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            grad_a, grad_b = mul_backward(self.data, other.data, out.grad)
            self.grad += grad_a
            other.grad += grad_b
        out._backward = _backward
        return out

    def __pow__(self, n):  # n a constant number
        out = Value(self.data**n, (self,), f"**{n}")
        def _backward():
            self.grad += unary_backward("pow", self.data, out.grad, n)
        out._backward = _backward
        return out

    def _unary(self, op, forward):
        out = Value(forward(self.data), (self,), op)
        def _backward():
            self.grad += unary_backward(op, self.data, out.grad)
        out._backward = _backward
        return out

    def exp(self):
        return self._unary("exp", math.exp)

    def log(self):
        return self._unary("log", math.log)

    def tanh(self):
        return self._unary("tanh", math.tanh)

    def relu(self):
        return self._unary("relu", lambda x: max(x, 0.0))

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

# the hand-worked graph of Section 2.3
x, w, b = Value(1.5), Value(-0.8), Value(0.5)
L = (x * (w * x + b).tanh()) ** 2
L.backward()
print(L, " dL/dx, dL/dw, dL/db =", x.grad, w.grad, b.grad)
np.testing.assert_allclose([x.grad, w.grad, b.grad], [graph_picture.grads[n] for n in "xwb"], rtol=1e-12)

# %% [markdown]
# ### 4.2 Two paths add up
# $y = a \cdot a$ uses $a$ twice: `mul_backward(a, a, 1)` returns $(a, a)$ and each part is
# added, giving $2a$. With `=` in place of `+=` the second part would overwrite the first and
# the engine would report $a$, half the true derivative. Likewise $f = xy + x$ must give
# $\partial f / \partial x = y + 1$:

# %%
a = Value(3.0)
(a * a).backward()
x, y = Value(2.0), Value(-4.0)
(x * y + x).backward()
print(f"d(a*a)/da at 3 = {a.grad} (not 3.0);  d(xy + x)/dx = {x.grad} = y + 1,  d/dy = {y.grad} = x")
np.testing.assert_allclose([a.grad, x.grad, y.grad], [6.0, -3.0, 2.0], rtol=1e-15)
x = Value(0.999)
z = x
for _ in range(10):  # z = x**1024 by repeated squaring: 2^10 paths from z back to x
    z = z * z
z.backward()
value, dot = 0.999, 1.0  # forward mode on the same chain: carry (z, dz/dx) through each squaring
for _ in range(10):
    value, dot = value * value, 2 * value * dot
np.testing.assert_allclose([x.grad, dot], 1024 * 0.999**1023, rtol=1e-12)
print(f"x^1024 by 10 squarings at x = 0.999: dz/dx = {x.grad:.10f} (reverse, 10 backward steps) "
      f"= {dot:.10f} (forward, 10 steps) = 1024 x^1023 = {1024 * 0.999**1023:.10f}")

# %% [markdown]
# The graph has $2^{10}$ paths from $z$ to $x$: enumerating them would cost $2^{10}$ products.
# Any mode of automatic differentiation shares them node by node: 10 products, backward (each
# node visited once) or forward (a value and its derivative carried through each squaring,
# as part 2's dual numbers do). What reverse mode adds is that **one** backward pass gives the
# derivative of a scalar output with respect to **every** input at once; forward mode needs
# one pass per input.
#
# ### 4.3 Checked against `torch.autograd` on random expressions
# Build the same random expression with `Value` and with float64 tensors, op by op (nodes are
# reused, so many paths merge), and compare every leaf's gradient.

# %%
def random_expression(rng, num_leaves=3, num_ops=12):
    """The same random expression built twice: with Value and with torch; returns both leaf lists
    and both outputs. log and negative powers act on positive inputs only."""
    data = rng.uniform(-1.5, 1.5, size=num_leaves)
    ours = [Value(d) for d in data]
    theirs = [torch.tensor(d, dtype=torch.float64, requires_grad=True) for d in data]
    nodes = list(zip(ours, theirs))
    for _ in range(num_ops):
        (a, ta), (b, tb) = (nodes[int(i)] for i in rng.integers(0, len(nodes), size=2))
        op = rng.choice(["+", "*", "pow", "exp", "log", "tanh", "relu"])
        if op == "+":
            new = (a + b, ta + tb)
        elif op == "*":
            new = (a * b, ta * tb)
        elif op == "pow":
            n = float(rng.choice([2, 3, -1, 0.5]))
            new = ((a * a + 1) ** n, (ta * ta + 1) ** n)
        elif op == "exp":
            new = ((a * 0.3).exp(), torch.exp(ta * 0.3))
        elif op == "log":
            new = ((a * a + 0.5).log(), torch.log(ta * ta + 0.5))
        elif op == "tanh":
            new = (a.tanh(), torch.tanh(ta))
        else:
            new = (a.relu(), torch.relu(ta))
        nodes.append(new)
    out, tout = nodes[-1][0] + nodes[-2][0], nodes[-1][1] + nodes[-2][1]
    return ours, theirs, out, tout

worst_abs, worst_rel, worst_at = 0.0, 0.0, 0.0
for trial in range(200):
    ours, theirs, out, tout = random_expression(np.random.default_rng(trial))
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.data, tout.item(), rtol=1e-12)
    ours_grad = [v.grad for v in ours]
    torch_grad = [0.0 if t.grad is None else t.grad.item() for t in theirs]
    np.testing.assert_allclose(ours_grad, torch_grad, rtol=1e-10, atol=1e-12)
    diff = np.abs(np.subtract(ours_grad, torch_grad))
    rel = diff / np.abs(torch_grad).clip(1e-300)
    worst_abs = max(worst_abs, diff.max())
    if rel.max() > worst_rel:
        worst_rel, worst_at = rel.max(), torch_grad[int(rel.argmax())]
print(f"200 random expressions: largest absolute difference to torch.autograd {worst_abs:.1e}; "
      f"largest relative difference {worst_rel:.1e}, on a gradient of size {abs(worst_at):.1e}")

# %% [markdown]
# The gradients agree to round-off. The largest *relative* difference sits on a tiny gradient:
# where $|\tanh a|$ is close to 1, $1 - \tanh^2 a$ cancels, and the last-bit difference between
# our `math.tanh` and torch's `tanh` is magnified in relative terms (the absolute difference is
# still at round-off level). That is why the check above uses an absolute tolerance as well
# as a relative one. Computing $\operatorname{sech}^2 a = 1/\cosh^2 a$ instead avoids the
# cancellation; torch, like our table, uses $1 - y^2$, which reuses the stored output $y$.

# %% [markdown]
# ## 5. Explore: step through a backward pass
# The graph of Section 2.3. Move **step** to process one node at a time, from $L$ back to the
# leaves (a reverse topological order). A processed node shows its final gradient $g$ and the
# part it sends along each input edge; an unprocessed node shows, in grey, the sum received so
# far. Watch $x$: after the step at $s$ it holds one part; only after $u$ is processed does it
# hold its full gradient. Move **x** to rerun the forward pass and find where $\bar x = 0$. At
# $x = 0$: there $s = t\,x = 0$, so every path from $L$ starts with the factor $\bar s = 2s = 0$. The
# same happens at $x = -b/w$, where $v = 0$, $t = 0$, $s = 0$ (between two slider steps: watch
# the sign of $\bar x$ change), and at one more point between 0 and $-b/w$, where the two parts
# of $\bar x$ cancel exactly.

# %%
# %matplotlib widget
BackpropExplorer(step=0, x=1.5)

# %% [markdown]
# ## 6. Exercises: vector-Jacobian products in the frameworks
# Exercises 1-3 are in Section 4. The frameworks compute the VJP $v^\top J_f(x)$ of Section 2.2
# without ever forming $J_f$. The checks use functions whose Jacobians you would not want to
# write by hand, and ask for the VJP to near machine precision, which a finite-difference
# approximation cannot reach.
#
# ### Exercise 4: a VJP with `torch.autograd` (2 points)
# For a non-scalar output `y`, `y.backward(gradient=...)` takes the vector $v$ (the `gradient`
# argument is $v$ as a tensor of `y`'s shape).

# %% nbgrader={"grade_id": "torch_vjp", "solution": true}
def torch_vjp(f, x, v):
    """The vector-Jacobian product v^T J_f(x), computed with torch.autograd.

    Call f once (or twice), not once per input: no finite differences, no complex step.
    f: function from a torch tensor of shape (n,) to a tensor of shape (m,), written with torch ops.
    x: NumPy array of shape (n,), float32 or float64 (not modified).
    v: NumPy array of shape (m,), same dtype as x.
    Returns a NumPy array of shape (n,) with the dtype of x.
    """
    ### BEGIN SOLUTION
    x_t = torch.tensor(x, requires_grad=True)
    f(x_t).backward(torch.tensor(v))
    return x_t.grad.numpy()
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_vjp_tests", "grade": true, "points": 2}
_f = lambda x: torch.stack([x[0] * x[1], torch.sin(x[0]), x[1] ** 3])
_got = torch_vjp(_f, np.array([1.0, 2.0]), np.array([1.0, 0.0, 0.0]))
check_type("torch_vjp(...)", _got, np.ndarray)
check_close("torch_vjp(f, (1, 2), e_0): the first row of J", _got, np.array([2.0, 1.0]), rtol=1e-14, dtype=np.float64)
_got = torch_vjp(_f, np.array([1.0, 2.0]), np.array([0.5, -1.0, 2.0]))
check_close("torch_vjp(f, (1, 2), (0.5, -1, 2))", _got, np.array([0.5 * 2 - np.cos(1.0), 0.5 + 2 * 12]), rtol=1e-14, dtype=np.float64)
_A = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]])
_g = lambda x: torch.tanh(torch.tensor(_A, dtype=x.dtype) @ torch.sin(5 * x)) * torch.exp(x[:2])
_x32, _v32 = np.array([0.3, -1.1, 0.8], dtype=np.float32), np.array([1.5, -0.5], dtype=np.float32)
_got = torch_vjp(_g, _x32, _v32)
check_close("torch_vjp(float32)", _got, torch_vjp(_g, _x32.astype(np.float64), _v32.astype(np.float64)), rtol=1e-4, atol=1e-6, dtype=np.float32)
check_close("torch_vjp must not modify x", _x32, np.array([0.3, -1.1, 0.8], dtype=np.float32), rtol=0.0, dtype=np.float32)
_calls = []
torch_vjp(lambda x: (_calls.append(1), _g(x))[1], _x32.astype(np.float64), _v32.astype(np.float64))
check_true("torch_vjp calls f once or twice", 1 <= len(_calls) <= 2, f"f was called {len(_calls)} times: use autograd's backward pass, not one evaluation per input")
print("torch_vjp: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(404)
for _trial in range(8):
    _n, _m = (int(k) for k in test_rng.integers(1, 6, size=2))
    _A = test_rng.normal(size=(_m, _n))
    _f = lambda x, A=_A: torch.tanh(torch.tensor(A, dtype=x.dtype) @ torch.sin(4 * x)) + torch.cumsum(torch.exp(x), 0)[:1] * torch.cos(3 * torch.tensor(A, dtype=x.dtype) @ x)
    _x, _v = test_rng.uniform(-2, 2, size=_n), test_rng.normal(size=_m)
    expect(f"torch_vjp(trial {_trial}, n={_n}, m={_m})", torch_vjp(_f, _x, _v), rtol=1e-11, atol=1e-13, dtype=np.float64)
    expect(f"torch_vjp(trial {_trial}, float32)", torch_vjp(_f, _x.astype(np.float32), _v.astype(np.float32)), rtol=2e-4, atol=1e-5, dtype=np.float32)
_x = np.array([0.5, -1.0, 2.0])
expect("torch_vjp(v = 0)", torch_vjp(lambda x: x**3, _x, np.zeros(3)), rtol=0.0, atol=1e-300, dtype=np.float64)
expect("torch_vjp(n = m = 1)", torch_vjp(lambda x: torch.exp(x), np.array([2.0]), np.array([-3.0])), rtol=1e-13, dtype=np.float64)
expect("torch_vjp(x used twice)", torch_vjp(lambda x: x * torch.sin(x), _x, np.array([1.0, 2.0, 3.0])), rtol=1e-13, dtype=np.float64)
expect("torch_vjp(large)", torch_vjp(lambda x: 1e100 * x**2, _x, np.ones(3)), rtol=1e-13, dtype=np.float64)
expect("torch_vjp must not modify x", _x, rtol=0.0, dtype=np.float64)
_calls = []
_f_counted = lambda x, A=_A, f=_f: (_calls.append(1), f(x))[1]
_x, _v = test_rng.uniform(-2, 2, size=_A.shape[1]), test_rng.normal(size=_A.shape[0])
expect("torch_vjp(counted f)", torch_vjp(_f_counted, _x, _v), rtol=1e-11, atol=1e-13, dtype=np.float64)
expect("torch_vjp calls f once or twice (autograd, not finite differences)", 1 <= len(_calls) <= 2)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: a VJP with `tf.GradientTape` (2 points)
# The tape's `gradient(target, sources, output_gradients=...)` takes the vector $v$.

# %% nbgrader={"grade_id": "tf_vjp", "solution": true}
def tf_vjp(f, x, v):
    """The vector-Jacobian product v^T J_f(x), computed with tf.GradientTape.

    Call f once (or twice), not once per input: no finite differences, no complex step.
    f: function from a TensorFlow tensor of shape (n,) to a tensor of shape (m,), written with tf ops.
    x: NumPy array of shape (n,), float32 or float64 (not modified).
    v: NumPy array of shape (m,), same dtype as x.
    Returns a NumPy array of shape (n,) with the dtype of x.
    """
    ### BEGIN SOLUTION
    x_tf = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tf)
        y = f(x_tf)
    return tape.gradient(y, x_tf, output_gradients=tf.constant(v)).numpy()
    ### END SOLUTION

# %% nbgrader={"grade_id": "tf_vjp_tests", "grade": true, "points": 2}
_f = lambda x: tf.stack([x[0] * x[1], tf.sin(x[0]), x[1] ** 3])
_got = tf_vjp(_f, np.array([1.0, 2.0]), np.array([1.0, 0.0, 0.0]))
check_type("tf_vjp(...)", _got, np.ndarray)
check_close("tf_vjp(f, (1, 2), e_0): the first row of J", _got, np.array([2.0, 1.0]), rtol=1e-14, dtype=np.float64)
_got = tf_vjp(_f, np.array([1.0, 2.0]), np.array([0.5, -1.0, 2.0]))
check_close("tf_vjp(f, (1, 2), (0.5, -1, 2))", _got, np.array([0.5 * 2 - np.cos(1.0), 0.5 + 2 * 12]), rtol=1e-14, dtype=np.float64)
_A = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]])
_g = lambda x: tf.tanh(tf.linalg.matvec(tf.constant(_A, dtype=x.dtype), tf.sin(5 * x))) * tf.exp(x[:2])
_x32, _v32 = np.array([0.3, -1.1, 0.8], dtype=np.float32), np.array([1.5, -0.5], dtype=np.float32)
_got = tf_vjp(_g, _x32, _v32)
check_close("tf_vjp(float32)", _got, tf_vjp(_g, _x32.astype(np.float64), _v32.astype(np.float64)), rtol=1e-4, atol=1e-6, dtype=np.float32)
check_close("tf_vjp must not modify x", _x32, np.array([0.3, -1.1, 0.8], dtype=np.float32), rtol=0.0, dtype=np.float32)
_calls = []
tf_vjp(lambda x: (_calls.append(1), _g(x))[1], _x32.astype(np.float64), _v32.astype(np.float64))
check_true("tf_vjp calls f once or twice", 1 <= len(_calls) <= 2, f"f was called {len(_calls)} times: use the tape's backward pass, not one evaluation per input")
print("tf_vjp: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(405)
for _trial in range(6):
    _n, _m = (int(k) for k in test_rng.integers(1, 6, size=2))
    _A = test_rng.normal(size=(_m, _n))
    _f = lambda x, A=_A: tf.tanh(tf.linalg.matvec(tf.constant(A, dtype=x.dtype), tf.sin(4 * x))) + tf.math.cumsum(tf.exp(x))[:1] * tf.cos(3 * tf.linalg.matvec(tf.constant(A, dtype=x.dtype), x))
    _x, _v = test_rng.uniform(-2, 2, size=_n), test_rng.normal(size=_m)
    expect(f"tf_vjp(trial {_trial}, n={_n}, m={_m})", tf_vjp(_f, _x, _v), rtol=1e-11, atol=1e-13, dtype=np.float64)
    expect(f"tf_vjp(trial {_trial}, float32)", tf_vjp(_f, _x.astype(np.float32), _v.astype(np.float32)), rtol=2e-4, atol=1e-5, dtype=np.float32)
_x = np.array([0.5, -1.0, 2.0])
expect("tf_vjp(v = 0)", tf_vjp(lambda x: x**3, _x, np.zeros(3)), rtol=0.0, atol=1e-300, dtype=np.float64)
expect("tf_vjp(n = m = 1)", tf_vjp(lambda x: tf.exp(x), np.array([2.0]), np.array([-3.0])), rtol=1e-13, dtype=np.float64)
expect("tf_vjp(x used twice)", tf_vjp(lambda x: x * tf.sin(x), _x, np.array([1.0, 2.0, 3.0])), rtol=1e-13, dtype=np.float64)
expect("tf_vjp(large)", tf_vjp(lambda x: 1e100 * x**2, _x, np.ones(3)), rtol=1e-13, dtype=np.float64)
expect("tf_vjp must not modify x", _x, rtol=0.0, dtype=np.float64)
_calls = []
_f_counted = lambda x, A=_A, f=_f: (_calls.append(1), f(x))[1]
_x, _v = test_rng.uniform(-2, 2, size=_A.shape[1]), test_rng.normal(size=_A.shape[0])
expect("tf_vjp(counted f)", tf_vjp(_f_counted, _x, _v), rtol=1e-11, atol=1e-13, dtype=np.float64)
expect("tf_vjp calls f once or twice (autograd, not finite differences)", 1 <= len(_calls) <= 2)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"Backpropagation is a different algorithm from the chain rule."** It is the chain rule,
# evaluated in an order (output to inputs) that shares every intermediate product.
# Enumerating the $2^{10}$ paths of §4.2 would cost $2^{10}$ products; any automatic
# differentiation mode shares them node by node (10 products, forward or reverse). What
# reverse mode adds is that one backward pass gives the derivative with respect to every input.
#
# **"A node's gradient is set by the last node that uses it."** It is the **sum** over its
# uses (§4.2): overwrite instead of add, and $d(a \cdot a)/da$ comes out as $a$, not $2a$.
#
# **"Any order of the backward pass works."** A node may send its gradient on only once all
# its consumers have sent theirs. Process $v$ of §2.3 before $t$ and $\bar v$ is still 0 when
# it is sent on: $w$ and $b$ get gradient 0. Reverse topological order guarantees
# completeness; which valid order you use does not matter. The graph of §2.3, run both ways:

# %%
x, w, b = Value(1.5), Value(-0.8), Value(0.5)
u = w * x
v_node = u + b
t = v_node.tanh()
s = t * x
L = s**2
for wrong_order in (False, True):
    for node in topological_order(L):
        node.grad = 0.0
    L.grad = 1.0
    for node in ([L, s, v_node, t, u] if wrong_order else reversed(topological_order(L))):
        node._backward()
    print(f"{'v before t' if wrong_order else 'reverse topological order'}: dL/dw = {w.grad:.4f}, dL/db = {b.grad:.4f}")
np.testing.assert_allclose([w.grad, b.grad], 0.0)

# %% [markdown]
#
# **"ReLU has no derivative at 0, so autograd must fail there."** Frameworks pick a value
# (PyTorch and TensorFlow use 0), a subgradient; the choice hardly ever matters in training.
#
# ## 8. Interview corner
#
# **Mid.** Differentiate $f(x) = \log(1 + e^{3x})$.
# <details><summary>Answer</summary>
# $u = 3x$, $s = 1 + e^u$, $f = \log s$: $f' = \frac{1}{s}\cdot e^u \cdot 3 = \frac{3e^{3x}}{1+e^{3x}} = 3\,\sigma(3x)$.
# </details>
#
# **Mid.** In an autodiff engine, why `self.grad += ...` and not `self.grad = ...`?
# <details><summary>Answer</summary>
# A value used in several places receives a gradient from each use; the multivariable chain
# rule sums them. With `=`, $d(a\cdot a)/da$ would be $a$ instead of $2a$.
# </details>
#
# **Senior.** What is a vector-Jacobian product, and why is it all reverse mode needs?
# <details><summary>Answer</summary>
# $v^\top J_f(x)$: the gradient of $v^\top f(x)$. Reverse mode carries the row vector
# $\partial L/\partial(\text{node})$ backwards, and at each operation needs only $v^\top J$ of that
# operation, which is cheap and structured (elementwise ops: a product; matmul: another matmul),
# never the Jacobian matrix itself.
# </details>
#
# **Senior.** Why does backward need a topological order, and how do you get one?
# <details><summary>Answer</summary>
# A node's gradient is complete only after every consumer has contributed, so nodes must be
# visited after all their consumers: the reverse of an order where each node follows its
# inputs. Depth-first search with post-order appending gives one in $O(V + E)$ (iteratively,
# for deep graphs, to avoid the recursion limit); Kahn's algorithm is another.
# </details>
#
# **Principal.** Reverse mode needs the forward pass's intermediate values. What does that cost
# for a deep network, and what can you do about it?
# <details><summary>Answer</summary>
# Memory proportional to the number of stored activations (depth times batch times width),
# often the binding constraint, not compute. Trade compute for memory with gradient
# checkpointing (store every $\sqrt{L}$-th layer and recompute the rest: $O(\sqrt{L})$ memory for
# one extra forward pass), with reversible layers, lower-precision activations, or smaller
# micro-batches with gradient accumulation (Day 5).
# </details>
#
# ## 9. Summary and further reading
#
# - Chain rule: derivatives multiply along a path and add over paths; in many variables,
#   $J_{f\circ g} = J_f J_g$.
# - Reverse mode computes vector-Jacobian products from the scalar loss back to the inputs,
#   visiting each node once, in reverse topological order.
# - An engine is small: each op's forward and local backward rule side by side, `+=` for
#   accumulation, one sort, one loop; it matches `torch.autograd` to round-off.
#
# **Further reading.** Baydin, Pearlmutter, Radul and Siskind, "Automatic differentiation in
# machine learning: a survey", *JMLR* (2018). Griewank and Walther, *Evaluating Derivatives*
# (2008). Griewank, "Who invented the reverse mode of differentiation?", *Documenta
# Mathematica*, extra volume ISMP (2012), for the history. Karpathy, *micrograd* (2020). Rumelhart, Hinton and Williams, "Learning
# representations by back-propagating errors", *Nature* (1986). Goodfellow, Bengio and
# Courville, *Deep Learning* (2016), section 6.5. Next: part 2, backpropagation through layers.
