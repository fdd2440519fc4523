"""A real JupyterLab page in headless Chromium: the Day 1 explorer renders, typing a new x0
into its slider reaches the kernel and moves the tangent line, and the page's figure redraws."""
import json
import os
import time

import nbformat
import numpy as np
import pytest

import browser
from browser import TOKEN
from calcopt.instructor.notebooks import KERNELSPEC

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EXPLORER_CELL = """%matplotlib widget
import json, pathlib
import numpy as np
from calcopt.widgets import TangentExplorer
explorer = TangentExplorer(np.sin, np.cos, x0=1.0, h=0.5)

def record(change):
    x, y = explorer.point.get_data()
    pathlib.Path("state.json").write_text(json.dumps(
        {"x0": float(x[0]), "y0": float(y[0]), "slope": float(explorer.tangent_slope)}))

explorer.x_slider.observe(record, names="value")
explorer"""


@pytest.fixture(scope="module")
def lab_with_explorer(tmp_path_factory):
    browser.require_chromium()
    root = tmp_path_factory.mktemp("lab") / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EXPLORER_CELL)])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)  # as the course's notebooks: no kernel dialog
    nbformat.write(nb, root / "explorer.ipynb")
    with browser.jupyterlab(root) as base:
        yield base, root


def test_moving_the_slider_in_the_page_moves_the_tangent_in_the_kernel(lab_with_explorer):
    base, root = lab_with_explorer
    with browser.chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/explorer.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            # Started, connected and idle: a cell run before then runs nothing.
            browser.wait_kernel_idle(page, browser.RUN_ALL_TIMEOUT_S, "explorer.ipynb")
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.keyboard.press("Shift+Enter")
            # The ipympl canvas and the slider are drawn once the kernel has run the cell.
            page.wait_for_selector(".jupyter-matplotlib", timeout=int(os.environ.get("BROWSER_TIMEOUT_MS", 120_000)))
            readout = page.locator(".widget-slider .widget-readout").first
            readout.wait_for(timeout=30_000)
            canvas = page.locator(".jupyter-matplotlib canvas").first
            picture_before = canvas.screenshot()
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("-2")
            page.keyboard.press("Enter")
            state_file = root / "state.json"
            redrawn = False
            for _ in range(100):  # the kernel's state, then the picture it sends back
                redrawn = state_file.exists() and canvas.screenshot() != picture_before
                if redrawn:
                    break
                time.sleep(0.2)
        finally:
            print(f"screenshot: {browser.screenshot(page, 'explorer')}")
    assert state_file.exists(), "the slider change never reached the kernel"
    assert redrawn, "the figure in the page was not redrawn"
    state = json.loads(state_file.read_text())
    assert state["x0"] == pytest.approx(-2.0)
    assert state["y0"] == pytest.approx(np.sin(-2.0))
    assert state["slope"] == pytest.approx(np.cos(-2.0))
