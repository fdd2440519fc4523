"""Every explorer inside a real kernel under `%matplotlib widget` (ipympl): moving a control
redraws what it should (for Day 1, the tangent line), and the figure is never rebuilt."""
import json

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

CELLS = [
    "%matplotlib widget\n"
    "import json, numpy as np\n"
    "from calcopt.widgets import TangentExplorer\n"
    "explorer = TangentExplorer(np.sin, np.cos, x0=1.0, h=0.5)\n"
    "figure_id = id(explorer.fig)\n"
    "explorer",
    "def state():\n"
    "    xs, ys = explorer.tangent.get_data()\n"
    "    return {'slope': float(explorer.tangent_slope), 'point': [float(v[0]) for v in explorer.point.get_data()],\n"
    "            'canvas': type(explorer.fig.canvas).__name__, 'same_figure': id(explorer.fig) == figure_id}\n"
    "before = state()\n"
    "explorer.x_slider.value = -2.0\n"
    "print(json.dumps({'before': before, 'after': state()}))",
]


def test_slider_moves_the_tangent_in_a_kernel(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown, "the explorer is not a widget"
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    result = json.loads(text.strip().splitlines()[-1])
    assert result["before"]["point"] == pytest.approx([1.0, np.sin(1.0)])
    assert result["before"]["slope"] == pytest.approx(np.cos(1.0))
    assert result["after"]["point"] == pytest.approx([-2.0, np.sin(-2.0)])
    assert result["after"]["slope"] == pytest.approx(np.cos(-2.0))
    assert result["after"]["canvas"] == "Canvas" and result["after"]["same_figure"]


# Days 2 to 8: each explorer under ipympl, one control moved, its drawing read back.
OTHER_EXPLORERS = {
    "GradientExplorer": (
        "explorer = GradientExplorer(lambda X, Y: X**2 + 3 * Y**2, lambda x, y: (2 * x, 6 * y))",
        "explorer.x_slider.value = -1.5",
        "[float(v[0]) for v in explorer.point.get_data()]",
        [-1.5, 0.5],
    ),
    "DescentExplorer": (
        "explorer = DescentExplorer(function='x²', lr=0.1, x0=2.0, num_steps=3)",
        "explorer.lr_slider.value = 0.25",
        "[float(v) for v in explorer.path_x]",
        [2.0, 1.0, 0.5, 0.25],
    ),
    "OptimizerRace": (
        "explorer = OptimizerRace(problem='ravine', lr=0.01, beta=0.9, num_steps=10, racing=('GD',))",
        "explorer.lr_slider.value = 0.02",
        "[float(v) for v in explorer.path_of('GD')[1]]",
        [-4.41, 0.0],  # one descent step from (-4.5, 0.6) on x²/2 + 25y² at lr 0.02
    ),
    "GradientFlowExplorer": (
        "explorer = GradientFlowExplorer(depth=5, activation='relu', init='He normal', architecture='plain')",
        "explorer.depth_slider.value = 7",
        "[len(explorer.line.get_xdata())]",
        [7],
    ),
    "SGDExplorer": (
        "explorer = SGDExplorer(batch_size=8, lr=0.05, num_epochs=3)",
        "explorer.batch_slider.value = 64",
        "[len(explorer.path_w)]",
        [4],
    ),
    "ScheduleExplorer": (
        "explorer = ScheduleExplorer(schedule='exponential', lr=0.5, final_fraction=0.01, warmup_steps=5, num_steps=20)",
        "explorer.lr_slider.value = 0.1",
        "[float(explorer.lr_line.get_ydata()[0])]",
        [0.1],
    ),
}


@pytest.mark.parametrize("name", OTHER_EXPLORERS)
def test_each_explorer_redraws_in_a_kernel(name, tmp_path):
    build, move, read, expected = OTHER_EXPLORERS[name]
    cells = [f"%matplotlib widget\nimport json\nfrom calcopt.widgets import {name}\n{build}\n"
             "figure_id = id(explorer.fig)\nexplorer",
             f"{move}\nprint(json.dumps({{'drawn': {read}, 'canvas': type(explorer.fig.canvas).__name__,"
             " 'same_figure': id(explorer.fig) == figure_id}))"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "application/vnd.jupyter.widget-view+json" in nb.cells[0].outputs[0]["data"]
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    result = json.loads(text.strip().splitlines()[-1])
    assert result["drawn"] == pytest.approx(expected)
    assert result["canvas"] == "Canvas" and result["same_figure"]
