"""Day 4: the backward pass of a small computational graph, one node at a time.

- ``GRAPH``: the expression L = (x * tanh(w x + b))², as the nodes u = w x, v = u + b,
  t = tanh v, s = t x, L = s², listed in the order they are defined (each node after its
  inputs), with positions for drawing (``BENDS``: edges routed around other nodes).
- ``BackpropExplorer``: a step slider walks the backward pass from L to the leaves. A node
  shows its gradient dL/dnode once the step reaches it; before that it shows the part that
  has arrived so far, so x, which feeds two nodes, visibly collects two contributions.
  An x slider changes the input and reruns the forward pass.

The gradients, and what flows along each edge, come from ``torch.autograd`` (a
vector-Jacobian product per edge), not from hand-written rules.
"""
import ipywidgets as widgets
import numpy as np
import torch

from .base import Explorer, figure_widget, new_figure

# name, op, inputs, (x, y) position. Listed so that every node comes after its inputs.
GRAPH = [
    ("x", "input", (), (0.0, 2.2)),
    ("w", "input", (), (0.0, 1.2)),
    ("b", "input", (), (0.0, 0.2)),
    ("u", "*", ("w", "x"), (1.2, 1.7)),
    ("v", "+", ("u", "b"), (2.4, 1.0)),
    ("t", "tanh", ("v",), (3.6, 1.0)),
    ("s", "*", ("t", "x"), (4.8, 1.0)),
    ("L", "**2", ("s",), (6.0, 1.0)),
]
# Edges drawn as a polyline through these corners, so that they pass around other nodes.
BENDS = {("x", "s"): [(4.8, 2.2)]}
DEFAULT_INPUTS = {"x": 1.5, "w": -0.8, "b": 0.5}

_OPS = {
    "*": lambda a, b: a * b,
    "+": lambda a, b: a + b,
    "tanh": torch.tanh,
    "**2": lambda a: a**2,
}


def forward_values(inputs, graph=GRAPH):
    """Every node's value as a dict of 0-d float64 tensors (inputs require grad)."""
    values = {}
    for name, op, args, _ in graph:
        if op == "input":
            values[name] = torch.tensor(float(inputs[name]), dtype=torch.float64, requires_grad=True)
        else:
            values[name] = _OPS[op](*(values[a] for a in args))
    return values


def backward_steps(inputs, graph=GRAPH):
    """The backward pass as data.

    Returns (values, grads, flows): node values and final gradients dL/dnode (dicts of
    floats), and flows[(src, dst)] = the part of dL/dsrc that arrives through dst,
    dL/ddst * ddst/dsrc (one vector-Jacobian product of torch.autograd per edge).
    """
    values = forward_values(inputs, graph)
    out = graph[-1][0]
    names = [name for name, *_ in graph]
    grads = dict(zip(names, (float(g) for g in torch.autograd.grad(
        values[out], [values[n] for n in names], allow_unused=True, retain_graph=True,
        materialize_grads=True))))
    flows = {}
    for name, op, args, _ in graph:  # each edge on its own: the op redone on detached copies
        if op == "input":
            continue
        leaves = {a: values[a].detach().requires_grad_() for a in args}
        local = _OPS[op](*(leaves[a] for a in args))
        upstream = torch.tensor(grads[name], dtype=torch.float64)
        for a, part in zip(leaves, torch.autograd.grad(local, list(leaves.values()), upstream)):
            flows[(a, name)] = float(part)
    return {n: float(v.detach()) for n, v in values.items()}, grads, flows


class BackpropExplorer(Explorer):
    """Day 4: step through the backward pass of GRAPH.

    Step 0 is the forward pass only. Step k has processed the last k nodes in reverse order
    of definition (a reverse topological order): those show their final gradient (red); the
    others show the partial sum received so far (grey) from the nodes already processed.
    """

    def __init__(self, step=0, x=DEFAULT_INPUTS["x"]):
        self.names = [name for name, *_ in GRAPH]
        self.order = self.names[::-1]
        self.fig, self.ax = new_figure(figsize=(9, 4.2))
        self.ax.set_xlim(-0.5, 6.5)
        self.ax.set_ylim(-0.3, 2.9)
        self.ax.axis("off")
        pos = {name: p for name, _, _, p in GRAPH}
        self.edge_lines, self.edge_labels = {}, {}
        for name, op, args, p in GRAPH:
            for a in dict.fromkeys(args):
                points = np.array([pos[a], *BENDS.get((a, name), []), p])
                self.edge_lines[(a, name)], = self.ax.plot(points[:, 0], points[:, 1],
                                                           color="lightgrey", zorder=1)
                (x0, y0), (x1, y1) = points[0], points[1]  # label the first segment
                if (a, name) in BENDS:
                    lx, ly = 0.5 * (x0 + x1), y0 + 0.07
                else:
                    lx, ly = 0.45 * x0 + 0.55 * x1, 0.45 * y0 + 0.55 * y1 + 0.07
                self.edge_labels[(a, name)] = self.ax.text(
                    lx, ly, "", fontsize=7, color="tab:red", ha="center", va="bottom",
                    zorder=4, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        xy = np.array([pos[n] for n in self.names])
        self.dots = self.ax.scatter(xy[:, 0], xy[:, 1], s=2600, c=["white"] * len(xy),
                                    edgecolors="black", zorder=2)
        self.node_text = {name: self.ax.text(*pos[name], "", ha="center", va="center",
                                             fontsize=7, zorder=3)
                          for name in self.names}
        self.readout = self.ax.text(-0.45, -0.25, "", va="bottom", family="monospace",
                                    fontsize="small")
        self.fig.tight_layout()

        self.step_slider = widgets.IntSlider(value=step, min=0, max=len(GRAPH),
                                             description="step")
        self.x_slider = widgets.FloatSlider(value=x, min=-2.0, max=2.0, step=0.05,
                                            description="x")
        for control in (self.step_slider, self.x_slider):
            control.observe(self._on_change, names="value")
        self._x = None
        self.update(step, x)

    def _on_change(self, change):
        self.update(self.step_slider.value, self.x_slider.value)

    def partial_grads(self, step):
        """dL/dnode as known after `step` nodes are processed: the final value for those
        processed, the sum of the flows received from processed nodes for the others."""
        done = set(self.order[:step])
        partial = {}
        for name in self.names:
            if name in done:
                partial[name] = self.grads[name]
            else:
                received = [f for (src, dst), f in self.flows.items() if src == name and dst in done]
                partial[name] = float(sum(received)) if received else None
        return partial

    def update(self, step, x):
        """Show the backward pass after `step` nodes, for the input x; redraw."""
        if x != self._x:
            inputs = dict(DEFAULT_INPUTS, x=x)
            self.values, self.grads, self.flows = backward_steps(inputs)
            self._x = x
        step = int(step)
        self.step = step
        done = set(self.order[:step])
        partial = self.partial_grads(step)
        colors = []
        for name in self.names:
            g = partial[name]
            grad_text = "" if g is None else f"\ng={g:.3g}"
            self.node_text[name].set_text(f"{name}={self.values[name]:.3g}{grad_text}")
            self.node_text[name].set_color("tab:red" if name in done else "dimgrey")
            colors.append("mistyrose" if name in done else "white")
        self.dots.set_facecolor(colors)
        for (src, dst), line in self.edge_lines.items():
            sent = dst in done
            line.set_color("tab:red" if sent else "lightgrey")
            self.edge_labels[(src, dst)].set_text(f"{self.flows[(src, dst)]:.3g}" if sent else "")
        if step == 0:
            self.status = "forward pass done; press step to start the backward pass"
        else:
            current = self.order[step - 1]
            op = dict((n, o) for n, o, *_ in GRAPH)[current]
            self.status = f"step {step}: dL/d{current} = {self.grads[current]:.4g}"
            if op != "input":
                self.status += "; sent to its inputs"
        self.readout.set_text(self.status)
        self.fig.canvas.draw_idle()

    def widget(self):
        return widgets.VBox([widgets.HBox([self.step_slider, self.x_slider]),
                             figure_widget(self.fig)])
