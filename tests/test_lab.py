"""`make lab` serves the course: started headless on 127.0.0.1, read through the server's API."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
TOKEN = "course-test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def lab():
    """`make lab` on a free port of 127.0.0.1; yields its base URL, stops it afterwards."""
    yield from serve("lab")


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory):
    """`make formgrader` with a scratch exchange; yields (base URL, exchange)."""
    exchange = tmp_path_factory.mktemp("formgrader") / "exchange"
    for base in serve("formgrader", f"EXCHANGE={exchange}"):
        yield base, exchange


def serve(target, *make_args):
    """``make <target>`` on a free port of 127.0.0.1; yields its base URL, then stops it."""
    port = free_port()
    args = f"--no-browser --ServerApp.token={TOKEN} --ServerApp.disable_check_xsrf=True"
    process = subprocess.Popen(["make", "-s", target, f"LAB_PORT={port}", f"LAB_ARGS={args}", *make_args],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            get(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"make {target} exited with {process.returncode}:\n{process.stdout.read()}")
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail(f"make {target} did not answer within 120 s")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_day_one_is_served_through_the_contents_api(lab):
    path = "course/day01_derivatives/derivatives.ipynb"
    model = json.loads(get(f"{lab}/api/contents/{path}?token={TOKEN}"))
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    graded = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade")]
    assert graded, "Day 1 as served has no graded cells"
    assert any("NotImplementedError" in c["source"] for c in cells), "Day 1 as served shows solutions"


def test_lab_listens_on_loopback_only(lab):
    assert lab.startswith("http://127.0.0.1:")


def test_widgets_ipympl_and_nbgraders_validate_button_are_loaded(lab):
    page = get(f"{lab}/lab/tree/course?token={TOKEN}")
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', page, re.S).group(1))
    names = {ext["name"] for ext in config["federated_extensions"]}
    assert {"@jupyter/nbgrader", "jupyter-matplotlib", "@jupyter-widgets/jupyterlab-manager"} <= names


def test_the_validate_button_runs_day_one_and_reports_every_unanswered_test(lab):
    # What the Validate button in the notebook toolbar asks of nbgrader's server extension.
    path = "course/day01_derivatives/derivatives.ipynb"
    request = urllib.request.Request(f"{lab}/assignments/validate?token={TOKEN}&path={path}",
                                     data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=240) as response:
        answer = json.loads(response.read())
    assert answer["success"], answer
    nb = json.loads(get(f"{lab}/api/contents/{path}?token={TOKEN}"))["content"]
    graded = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert len(answer["value"]["failed"]) == len(graded)


def test_formgrader_finds_the_course_and_the_exchange_exists(formgrader):
    base, exchange = formgrader
    page = get(f"{base}/formgrader?token={TOKEN}")
    assert "nbgrader_config.py" not in page, page[:2000]  # its "no course here" message names it
    assignments = json.loads(get(f"{base}/formgrader/api/assignments?token={TOKEN}", timeout=60))
    listed = {a["name"] for a in assignments}
    days = {p.name for p in (REPO / "autograder" / "source").iterdir() if p.is_dir()}
    assert days <= listed, f"formgrader lists {sorted(listed)}"
    assert exchange.is_dir() and exchange.stat().st_mode & 0o777 == 0o777
