"""A real JupyterLab page in headless Chromium: the Day 1 explorer renders, typing a new x0
into its slider reaches the kernel and moves the tangent line, and the page's figure redraws."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import nbformat
import numpy as np
import pytest

from calcopt.instructor.notebooks import KERNELSPEC
from test_lab import TOKEN, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

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
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EXPLORER_CELL)])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)  # as the course's notebooks: no kernel dialog
    nbformat.write(nb, root / "explorer.ipynb")
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}"]
    if os.getuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield base, root
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def accept_kernel_dialog(page):
    """JupyterLab may ask which kernel to start; the notebook's own (the default) is right."""
    button = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        button.wait_for(timeout=10_000)
    except Exception:  # no dialog this time
        return
    button.click()


def test_moving_the_slider_in_the_page_moves_the_tangent_in_the_kernel(lab_with_explorer):
    from playwright.sync_api import sync_playwright
    base, root = lab_with_explorer
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/explorer.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                                   ".jp-Toolbar-kernelStatus", timeout=60_000)
            accept_kernel_dialog(page)
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
            page.screenshot(path=str(root / "explorer.png"))
            print(f"screenshot: {root / 'explorer.png'}")
            browser.close()
    assert state_file.exists(), "the slider change never reached the kernel"
    assert redrawn, "the figure in the page was not redrawn"
    state = json.loads(state_file.read_text())
    assert state["x0"] == pytest.approx(-2.0)
    assert state["y0"] == pytest.approx(np.sin(-2.0))
    assert state["slope"] == pytest.approx(np.cos(-2.0))
