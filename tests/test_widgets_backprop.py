"""Day 4's explorer: stepping the backward pass reveals each node's gradient, and x, which
feeds two nodes, collects both contributions; the figure is never rebuilt."""
import json

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.widgets.backprop import DEFAULT_INPUTS, GRAPH, BackpropExplorer, backward_steps  # noqa: E402


@pytest.fixture
def explorer():
    e = BackpropExplorer(step=0)
    yield e
    plt.close(e.fig)


def hand_gradients(x, w, b):
    """L = (x tanh(w x + b))², differentiated by hand."""
    t = np.tanh(w * x + b)
    s = x * t
    dL_ds = 2 * s
    dL_dt = dL_ds * x
    dL_dv = dL_dt * (1 - t**2)
    return {"L": 1.0, "s": dL_ds, "t": dL_dt, "v": dL_dv, "u": dL_dv, "b": dL_dv,
            "w": dL_dv * x, "x": dL_dv * w + dL_ds * t}


def test_gradients_match_the_hand_derivation():
    for x in (1.5, -0.7, 0.0):
        values, grads, flows = backward_steps(dict(DEFAULT_INPUTS, x=x))
        want = hand_gradients(x, DEFAULT_INPUTS["w"], DEFAULT_INPUTS["b"])
        for name, g in want.items():
            assert grads[name] == pytest.approx(g, rel=1e-12, abs=1e-15)
        assert values["L"] == pytest.approx((x * np.tanh(DEFAULT_INPUTS["w"] * x + DEFAULT_INPUTS["b"])) ** 2)


def test_two_paths_add_up():
    _, grads, flows = backward_steps(DEFAULT_INPUTS)
    assert flows[("x", "u")] + flows[("x", "s")] == pytest.approx(grads["x"], rel=1e-12)
    assert abs(flows[("x", "u")]) > 1e-3 and abs(flows[("x", "s")]) > 1e-3


def test_steps_reveal_nodes_in_reverse_order(explorer):
    order = [name for name, *_ in GRAPH][::-1]
    partial = explorer.partial_grads(0)
    assert all(g is None for g in partial.values())
    assert "g=" not in explorer.node_text["L"].get_text()
    for step in range(1, len(GRAPH) + 1):
        explorer.update(step, DEFAULT_INPUTS["x"])
        reached = order[step - 1]
        assert explorer.partial_grads(step)[reached] == pytest.approx(explorer.grads[reached])
        assert "g=" in explorer.node_text[reached].get_text()
        assert f"dL/d{reached}" in explorer.readout.get_text()
    assert explorer.partial_grads(len(GRAPH)) == pytest.approx(explorer.grads)


def test_x_holds_a_partial_sum_before_it_is_reached(explorer):
    explorer.update(2, DEFAULT_INPUTS["x"])  # L and s processed: only the path through s arrived
    assert explorer.partial_grads(2)["x"] == pytest.approx(explorer.flows[("x", "s")])
    assert explorer.partial_grads(2)["x"] != pytest.approx(explorer.grads["x"])
    explorer.update(len(GRAPH), DEFAULT_INPUTS["x"])
    assert explorer.partial_grads(len(GRAPH))["x"] == pytest.approx(explorer.grads["x"])


def test_update_only_changes_data(explorer):
    calls = []
    explorer.fig.canvas.draw_idle = lambda *a, **k: calls.append(1)
    fig, artists = explorer.fig, list(explorer.ax.lines) + list(explorer.ax.texts)
    figures = plt.get_fignums()
    explorer.update(3, 0.4)
    explorer.update(8, -1.2)
    assert explorer.fig is fig
    assert list(explorer.ax.lines) + list(explorer.ax.texts) == artists
    assert plt.get_fignums() == figures
    assert len(calls) == 2


def test_sliders_drive_update(explorer):
    explorer.step_slider.value = 8
    explorer.x_slider.value = -1.0
    want = hand_gradients(-1.0, DEFAULT_INPUTS["w"], DEFAULT_INPUTS["b"])
    assert explorer.grads["x"] == pytest.approx(want["x"], rel=1e-12)
    assert "x=-1" in explorer.node_text["x"].get_text()


def test_widget_holds_controls_and_canvas(explorer):
    box = explorer.widget()
    assert isinstance(box, widgets.VBox) and len(box.children) == 2


@pytest.mark.slow
def test_step_slider_redraws_in_a_kernel(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    cells = ["%matplotlib widget\nimport json\nfrom calcopt.widgets.backprop import BackpropExplorer\n"
             "explorer = BackpropExplorer(step=0)\nfigure_id = id(explorer.fig)\nexplorer",
             "explorer.step_slider.value = 8\nprint(json.dumps({'x': explorer.node_text['x'].get_text(),"
             " 'canvas': type(explorer.fig.canvas).__name__, 'same_figure': id(explorer.fig) == figure_id}))"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "application/vnd.jupyter.widget-view+json" in nb.cells[0].outputs[0]["data"]
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    result = json.loads(text.strip().splitlines()[-1])
    assert "g=" in result["x"]
    assert result["canvas"] == "Canvas" and result["same_figure"]


def test_edges_pass_around_other_nodes(explorer):
    """No edge is drawn through a node it does not join (x -> s is routed around v and t)."""
    pos = {name: np.array(p) for name, _, _, p in GRAPH}
    for (src, dst), line in explorer.edge_lines.items():
        points = np.column_stack(line.get_data())
        for name, p in pos.items():
            if name in (src, dst):
                continue
            for a, b in zip(points[:-1], points[1:]):
                t = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0)
                assert np.linalg.norm(a + t * (b - a) - p) > 0.3, f"edge {src}->{dst} passes through {name}"
