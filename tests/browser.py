"""Shared helpers of the browser tests: one JupyterLab server, headless Chromium through
Playwright, a notebook opened and run from the Run menu, its outputs read back, and every
control of every explorer moved while the figure is watched.

Used by tests/test_browser.py (one explorer), tests/test_browser_solutions.py (every solution
notebook) and tests/test_browser_course_a.py and _b.py (every student notebook, half in each,
so that the two run side by side; Validate; formgrader).
"""
import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
TOKEN = "course-test-token"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]
# Screenshots of a page where a test failed, for the failure to be looked at (git-ignored).
SCREENSHOTS = REPO / "tests" / "screenshots"
# A solution notebook's budget is 45 s on a laptop; in the page, on a busy 2-core CI machine
# running other tests beside it, a run-all gets this long before the test gives up.
RUN_ALL_TIMEOUT_S = float(os.environ.get("BROWSER_RUN_ALL_TIMEOUT_S", 240))
REDRAW_TIMEOUT_S = float(os.environ.get("BROWSER_REDRAW_TIMEOUT_S", 20))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Every widget control a learner can move, as found in the page inside one explorer's output.
CONTROLS = {
    "slider": ".widget-slider",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle buttons": ".widget-toggle-buttons",
    "radio buttons": ".widget-radio-box",
    "button": "button.widget-button:not(.widget-toggle-button)",
}


def released_notebooks(folder):
    """Every released notebook of every day present: ``<folder>/dayNN_*/<name>.ipynb``."""
    return sorted((REPO / folder).glob("day*/*.ipynb"))


def every_other(paths, which):
    """Half of ``paths``: the 1st, 3rd, 5th... (``which=0``) or the 2nd, 4th... (``which=1``),
    so that each half of the course holds early and late days alike."""
    return paths[which::2]


def notebook_id(path):
    return f"{path.parent.name}/{path.stem}"


def require_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, path, method="GET", data=None, timeout=30):
    sep = "&" if "?" in path else "?"
    request = urllib.request.Request(f"{base}{path}{sep}token={TOKEN}", method=method,
                                     data=None if data is None else json.dumps(data).encode())
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if body else None


@contextmanager
def jupyterlab(root, cwd=None):
    """JupyterLab serving ``root`` on a free port of 127.0.0.1, with every notebook cell in the
    DOM (windowing off, so that outputs far down the page are there to be read) and its own
    settings and workspace folders; yields the base URL."""
    settings = Path(root).parent / f"{Path(root).name}-lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))  # no toast over a control
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}",
               f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={settings / 'workspaces'}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               # window.jupyterapp: the tests read the kernel's state from it (never drive with it)
               "--LabApp.expose_app_in_browser=True"]
    if os.getuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
               TF_CPP_MIN_LOG_LEVEL="2")
    log = open(Path(root).parent / f"{Path(root).name}-lab.log", "w")
    server = subprocess.Popen(command, env=env, cwd=cwd or root, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                api(base, "/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"jupyter lab exited with {server.returncode}: see {log.name}")
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 120 s")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@contextmanager
def chromium():
    """One headless Chromium (Debian's), driven by Playwright; yields the browser."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The JupyterLab page of each (browser, server): loaded once and kept from one notebook to the
# next, as a learner keeps one JupyterLab open (loading the whole application again for every
# notebook is most of the time it takes to open one).
_LAB_PAGES = {}
VIEWPORT = {"width": 1400, "height": 1000}


@contextmanager
def notebook_page(chromium, base, name):
    """The JupyterLab page of this browser and server (a new one the first time, or after a
    failure); yields it. After a test passes, its notebooks are closed from File > Close and
    Shut Down Notebook, as a learner closes them. A failure inside (a failed assertion too)
    takes a screenshot of the whole page (tests/screenshots/<name>.png, named in the failure),
    and the page is then closed: the next notebook gets a fresh one. Either way every kernel
    of the server is shut down afterwards."""
    key = (id(chromium), base)
    page = _LAB_PAGES.get(key)
    if page is None or page.is_closed():
        page = _LAB_PAGES[key] = chromium.new_page(viewport=VIEWPORT)
    keep = False
    try:
        yield page
        keep = True
    except BaseException as error:
        shot = screenshot(page, name)
        print(f"screenshot: {shot}")
        if hasattr(error, "add_note"):
            error.add_note(f"screenshot: {shot}")
        raise
    finally:
        if keep:
            try:
                close_notebooks(page)
            except Exception as error:  # the next notebook gets a fresh page
                print(f"{name}: closing the notebook failed ({error}); the page is closed instead")
                keep = False
        if not keep:
            _LAB_PAGES.pop(key, None)
            page.close()
        shutdown_kernels(base)


def menu(page, top, item):
    """Click ``item`` (its exact label) in the menu bar's ``top`` menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-content .lm-Menu-item:visible").filter(
        has=page.get_by_text(item, exact=True)).first.click()


OPEN_NOTEBOOKS_JS = "() => document.querySelectorAll('.jp-NotebookPanel').length"


def close_notebooks(page, timeout_s=60):
    """Close every notebook open in a JupyterLab page, each from File > Close and Shut Down
    Notebook (its kernel shut down too), answering the dialog that asks to confirm."""
    if not page.url.startswith(("http://", "https://")) or "/lab" not in page.url:
        return
    deadline = time.monotonic() + timeout_s
    while page.evaluate(OPEN_NOTEBOOKS_JS):
        if time.monotonic() > deadline:
            raise TimeoutError(f"notebooks still open after {timeout_s} s")
        for dialog in page.locator(".jp-Dialog .jp-mod-accept").all():  # e.g. Validate's answer
            dialog.click()
        open_now = page.evaluate(OPEN_NOTEBOOKS_JS)
        menu(page, "File", "Close and Shut Down Notebook…")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        page.wait_for_function(f"(n) => ({OPEN_NOTEBOOKS_JS})() < n", arg=open_now, timeout=timeout_s * 1000)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name.replace('/', '__')}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as error:  # a screenshot must never hide the failure itself
        print(f"no screenshot {path}: {error}")
    return path


def accept_kernel_dialog(page):
    """JupyterLab may ask which kernel to start; the notebook's own (the default) is right.
    Clicks it if the dialog is showing now; returns whether it was."""
    button = page.locator(".jp-Dialog .jp-mod-accept")
    if button.count() and button.first.is_visible():
        button.first.click()
        return True
    return False


# Whether the notebook at ``path`` is the page's current widget, with its cells.
OPENED_JS = """(path) => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return !!(panel && panel.context && panel.context.path === path && panel.content
              && panel.content.widgets.length > 0 && document.querySelector('.jp-NotebookPanel .jp-Cell'));
}"""


def open_notebook(page, base, path, timeout_s=RUN_ALL_TIMEOUT_S, kernel=True):
    """Open ``path`` (relative to the server's root) from File > Open from Path in the page's
    JupyterLab (loading JupyterLab first if the page is not showing it) and wait until the
    notebook is shown and its kernel started, connected and idle (``kernel=False``: only until
    the page has a kernel or is starting one, so that no kernel dialog can come up later).
    (The toolbar's execution indicator says "idle" before there is any kernel: a Run All
    clicked then runs nothing and clears every execution count.)"""
    if not page.url.startswith(f"{base}/lab"):
        page.goto(f"{base}/lab?token={TOKEN}&reset")
        page.wait_for_function("() => !!window.jupyterapp", timeout=120_000)
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")  # every plugin started
    menu(page, "File", "Open from Path…")
    box = page.locator(".jp-Dialog input")
    box.fill(path)
    box.press("Enter")
    page.wait_for_function(OPENED_JS, arg=path, timeout=120_000)
    wait_kernel_idle(page, timeout_s, path, started_only=not kernel)


# The state of the notebook in the page, from JupyterLab's own model (window.jupyterapp).
NOTEBOOK_STATE_JS = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    if (!panel || !panel.sessionContext || !panel.content) return {kernel: 'no notebook'};
    const session = panel.sessionContext.session;
    const kernel = session && session.kernel;
    const cells = [...panel.content.widgets];
    const code = cells.map((c, i) => [c, i]).filter(([c]) => c.model.type === 'code');
    return {
        kernel: kernel ? kernel.connectionStatus + ' ' + kernel.status : 'no kernel',
        queued: code.filter(([c]) => (c.promptNode && c.promptNode.textContent || '').includes('*')).map(([, i]) => i),
        run: code.filter(([c]) => c.model.executionCount !== null).map(([, i]) => i),
        code: code.map(([, i]) => i),
    };
}"""


def notebook_state(page):
    return page.evaluate(NOTEBOOK_STATE_JS)


def wait_kernel_idle(page, timeout_s, what="", started_only=False):
    """Poll the page until its notebook's kernel is connected and idle (``started_only``: until
    there is a kernel at all), accepting the kernel dialog if JupyterLab shows one meanwhile."""
    deadline = time.monotonic() + timeout_s
    state = {}
    while time.monotonic() < deadline:
        state = notebook_state(page)
        if state["kernel"] == "connected idle" or (
                started_only and state["kernel"] not in ("no kernel", "no notebook")):
            return
        if state["kernel"] == "no kernel" and accept_kernel_dialog(page):
            continue
        time.sleep(0.1)
    raise TimeoutError(f"{what}: the kernel is not connected and idle after {timeout_s:.0f} s "
                       f"(it is {state.get('kernel')})")


def run_all_from_menu(page, timeout_s=RUN_ALL_TIMEOUT_S, what=""):
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is
    idle: at once when every code cell has an execution count (the notebooks are opened
    without any), else once that has held for three polls in a row. Returns (seconds it took,
    the state: code cells, those run). Fails after ``timeout_s``, naming the cell still
    running."""
    menu(page, "Run", "Run All Cells")
    start = time.monotonic()
    settled, started, state = 0, False, {}
    while time.monotonic() - start < timeout_s:
        state = notebook_state(page)
        started = started or bool(state["queued"])
        busy = bool(state["queued"]) or state["kernel"] != "connected idle"
        settled = 0 if busy or not (started or state["run"]) else settled + 1
        if settled >= 3 or (not busy and state["run"] and set(state["run"]) == set(state["code"])):
            return time.monotonic() - start, state
        time.sleep(0.25)
    running = state.get("queued", [])[:1]
    raise TimeoutError(f"{what}: run-all still running after {timeout_s:.0f} s"
                       + (f", at cell {running[0]}" if running else f" (kernel {state.get('kernel')})"))


SAVED_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const model = panel.context.contentsModel;
    return [model ? model.last_modified : null, panel.context.model.dirty];
}"""


def save(page, base, path, timeout_s=60):
    """Save from the page (File > Save) and return the notebook as the server stored it.

    The page's own record of the file tells when the server has answered the save; only then
    is the file read. (Reading it through the contents API while the server is still writing it
    is a race that loses the save: the server finds the half-written file unreadable, moves it
    aside as ``<name>.invalid`` and restores the previous version, which is how the run's
    outputs and execution counts went missing.)"""
    before = page.evaluate(SAVED_JS)[0]
    menu(page, "File", "Save Notebook")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        modified, dirty = page.evaluate(SAVED_JS)
        if modified != before:
            return nbformat.from_dict(api(base, f"/api/contents/{path}")["content"])
        time.sleep(0.25)
    raise TimeoutError(f"{path} was not saved from the page within {timeout_s} s")


def shutdown_kernels(base):
    for session in api(base, "/api/sessions"):
        api(base, f"/api/sessions/{session['id']}", method="DELETE")


# What the kernel sent back, read from the notebook the page saved.

def errors_of(nb):
    """[(cell index, ename, evalue, traceback text)] of every error output."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append((index, output.ename, output.evalue, "\n".join(output.traceback)))
    return found


def stderr_of(nb):
    return [(index, output.text) for index, cell in enumerate(nb.cells)
            for output in cell.get("outputs", [])
            if output.output_type == "stream" and output.name == "stderr"]


def widget_outputs(nb):
    return [index for index, cell in enumerate(nb.cells) for output in cell.get("outputs", [])
            if WIDGET_MIME in output.get("data", {})]


def cell_label(nb, index):
    """A cell as a failure names it: its position and grade id or first line."""
    cell = nb.cells[index]
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    first = next((line for line in cell.source.splitlines() if line.strip()), "")[:70]
    return f"cell {index}" + (f" ({grade_id})" if grade_id else f" ({first!r})")


def bound_names(source):
    """Every name a cell binds at any level (assignments, defs, imports, loop targets)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def top_level_functions(source):
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        return {n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}
    except SyntaxError:
        return set()


def illegitimate_student_errors(student, solution):
    """The errors of a run of the student notebook ``student`` (every exercise unanswered)
    that an unanswered exercise does not explain. Legitimate:

    - NotImplementedError raised inside an exercise's function (its traceback's last frame
      is in a function the exercise cell defines), in any cell that calls it;
    - AssertionError in a grade cell (a failed check);
    - NameError of a name that an exercise's solution (in ``solution``, the released
      solutions notebook) binds, or that a cell which failed legitimately before would have
      bound.
    Returns [(cell index, ename, evalue, why)].
    """
    exercise_functions, solution_names = set(), set()
    for cell in student.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            exercise_functions |= top_level_functions(cell.source)
    for cell in solution.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            solution_names |= bound_names(cell.source)
    unbound = set(solution_names)
    wrong = []
    for index, ename, evalue, traceback in errors_of(student):
        cell = student.cells[index]
        grade = cell.metadata.get("nbgrader", {}).get("grade", False)
        plain = _strip_ansi(traceback)
        # Frame headers only ("Cell In[17], line 10, in f(x)", "File /x.py:3, in f(x)"): a
        # source line quoted under a frame may contain ", in " too (a docstring's "..., in the").
        frames = [m.group(1) for m in map(FRAME.match, plain.splitlines()) if m]
        last_function = frames[-1] if frames else ""
        if ename == "NotImplementedError" and last_function in exercise_functions:
            ok = True
        elif ename == "AssertionError" and grade:
            ok = True
        elif ename == "NameError":
            name = evalue.split("'")[1] if "'" in evalue else ""
            ok = name in unbound
        else:
            ok = False
        if ok:
            unbound |= bound_names(cell.source)
        else:
            wrong.append((index, ename, evalue, last_function))
    return wrong


FRAME = __import__("re").compile(r"^(?:Cell In\[\d+\], line \d+|File [^\n]*?:\d+), in ([A-Za-z_]\w*)")


def _strip_ansi(text):
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# The page.

def rendered_widget_problems(page):
    """Widget outputs in the page that did not render: an error message, a 'Loading widget'
    that never went away, or nothing drawn. Returns [(output number, problem)]."""
    return page.evaluate("""() => {
        // The widget renderer is the output node itself: its first child is the widget's view.
        const outs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')].filter(o =>
            (o.firstElementChild && o.firstElementChild.classList.contains('jupyter-widgets')) ||
            /Error displaying widget|Loading widget/.test(o.textContent || ''));
        const problems = [];
        outs.forEach((o, i) => {
            const text = o.innerText || '';
            const box = o.getBoundingClientRect();
            if (text.includes('Error displaying widget')) problems.push([i, text.slice(0, 200)]);
            else if (text.includes('Loading widget')) problems.push([i, 'still Loading widget...']);
            else if (box.height < 5) problems.push([i, 'nothing drawn']);
        });
        return [outs.length, problems];
    }""")


def explorers(page):
    """Every explorer in the page: a widget output holding an ipympl figure; yields
    (cell index in the notebook, locator of the output)."""
    outputs = page.locator(".jp-Notebook .jp-OutputArea-output:has(> .jupyter-widgets .jupyter-matplotlib)")
    found = []
    for i in range(outputs.count()):
        output = outputs.nth(i)
        index = output.evaluate("(el) => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                                ".indexOf(el.closest('.jp-Cell'))")
        found.append((index, output))
    return found


def figure_picture(output):
    canvas = output.locator(".jupyter-matplotlib-canvas-div, .jupyter-matplotlib canvas").first
    return canvas.screenshot(animations="disabled")


def settled_picture(output, tries=20):
    """The figure once two screenshots in a row agree (a redraw may still be on its way)."""
    last = figure_picture(output)
    for _ in range(tries):
        time.sleep(0.3)
        now = figure_picture(output)
        if now == last:
            return now
        last = now
    return last


def controls_of(output):
    """[(kind, description, locator)] of every control inside one explorer's output."""
    found = []
    for kind, selector in CONTROLS.items():
        items = output.locator(selector)
        for i in range(items.count()):
            item = items.nth(i)
            label = item.evaluate("""(el) => {
                const box = el.closest('.widget-inline-hbox, .widget-checkbox, .widget-button, .widget-toggle-buttons') || el;
                const l = box.querySelector('.widget-label, .widget-label-basic');
                return (l && l.innerText.trim()) || el.innerText || el.getAttribute('title') || '';
            }""").strip()
            found.append((kind, label or f"{kind} {i + 1}", item))
    return found


def move(page, kind, control):
    """Change one control as a learner would; returns a short description of the change."""
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        readout = control.locator(".widget-readout").first
        before = readout.inner_text()
        handle.focus()
        for key in ("PageUp", "PageDown", "ArrowRight", "ArrowLeft"):
            handle.press(key)
            deadline = time.monotonic() + 0.5  # the readout follows the handle in the page itself
            while time.monotonic() < deadline:
                if readout.inner_text() != before:
                    return f"{before} -> {readout.inner_text()} ({key})"
                time.sleep(0.05)
        return f"{before} did not move"
    if kind == "dropdown":
        options = control.locator("option").all_inner_texts()
        current = control.evaluate("(el) => el.options[el.selectedIndex].text")
        other = next(o for o in options if o != current)
        control.select_option(label=other)
        return f"{current!r} -> {other!r}"
    if kind == "checkbox":
        was = control.is_checked()
        control.click()
        return f"{was} -> {not was}"
    if kind in ("toggle buttons", "radio buttons"):
        choices = control.locator("button, input")
        for i in range(choices.count()):
            choice = choices.nth(i)
            active = choice.evaluate("(el) => el.classList.contains('mod-active') || el.checked === true")
            if not active:
                choice.click()
                return f"chose {choice.inner_text() or i}"
        return "no other choice"
    control.click()
    return "clicked"


def check_every_control(page, notebook, nb):
    """Move each control of each explorer in the page; returns the failures, each naming the
    notebook, the cell and the control, and the number of controls moved. The figure settled
    after one control's redraw is the picture the next control must change."""
    failures, moved = [], 0
    for index, output in explorers(page):
        output.scroll_into_view_if_needed()
        before = settled_picture(output)
        for kind, label, control in controls_of(output):
            what = move(page, kind, control)
            deadline = time.monotonic() + REDRAW_TIMEOUT_S
            changed = False
            while time.monotonic() < deadline:
                if figure_picture(output) != before:
                    changed = True
                    break
                time.sleep(0.2)
            moved += 1
            if changed:
                before = settled_picture(output)
            else:
                failures.append(f"{notebook}, {cell_label(nb, index)}: {kind} {label!r} ({what}): "
                                f"the figure in the page did not change within {REDRAW_TIMEOUT_S:.0f} s")
    return failures, moved


# The student notebooks (tests/test_browser_course_*.py): exercises unanswered, Validate, formgrader.

@contextmanager
def student_lab(parent):
    """JupyterLab and Chromium for the student notebooks; yields (base URL, browser, root).

    The server is rooted at a scratch course root made in ``parent`` (formgrader reads it, and
    Validate reads its nbgrader_config.py, the server's cwd). It holds, for every student
    notebook, ``validate/course/<day>/<name>.ipynb`` untouched and ``run/course/<day>/<name>.ipynb``
    without outputs and with every code cell tagged "raises-exception": JupyterLab stops a
    run-all at the first error (as the kernel's stop_on_error asks), and the tag makes it run
    every cell, as a learner running cell after cell would (sources and nbgrader metadata are
    unchanged)."""
    from calcopt.instructor.release import copy_course_root
    require_chromium()
    root = copy_course_root(parent)
    # Validate runs nbgrader's Execute preprocessor, whose defaults (a 30 s cell, 4 s for the
    # outputs after a reply) a setup cell importing PyTorch and TensorFlow overruns on a busy
    # machine. The scratch root's config waits longer; autograder/nbgrader_config.py is left as it is.
    with open(root / "nbgrader_config.py", "a") as config:
        config.write("\n# Added for the test server's Validate button.\n"
                     f"c.Execute.timeout = {int(RUN_ALL_TIMEOUT_S)}\n"
                     f"c.Execute.iopub_timeout = {int(RUN_ALL_TIMEOUT_S)}\n"
                     f"c.Execute.startup_timeout = {int(RUN_ALL_TIMEOUT_S)}\n")
    for path in released_notebooks("course"):
        nb = nbformat.read(path, as_version=4)
        untouched = root / "validate" / path.relative_to(REPO)
        untouched.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, untouched)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
                tags = cell.metadata.setdefault("tags", [])
                if "raises-exception" not in tags:
                    tags.append("raises-exception")
        target = root / "run" / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    with jupyterlab(root, cwd=root) as base, chromium() as browser:
        yield base, browser, root


def check_student_notebook(lab, notebook):
    """Run-all of one student notebook from the Run menu: every code cell runs; every error is
    one an unanswered exercise explains; every grade cell fails; every widget renders."""
    base, browser, root = lab
    name = notebook_id(notebook)
    path = f"run/{notebook.relative_to(REPO).as_posix()}"
    solution = nbformat.read(REPO / "solutions" / notebook.relative_to(REPO / "course"), as_version=4)
    with notebook_page(browser, base, f"course-{name}") as page:
        started = time.monotonic()
        open_notebook(page, base, path)
        opened = time.monotonic()
        seconds, state = run_all_from_menu(page, what=f"{name} (student)")
        nb = save(page, base, path)
        widget_count, widget_problems = rendered_widget_problems(page)
        print(f"\n{name} (student): opened {opened - started:.1f} s, run-all {seconds:.1f} s, "
              f"saved and checked {time.monotonic() - opened - seconds:.1f} s")
        not_run = [cell_label(nb, i) for i in state["code"]
                   if i not in state["run"] or nb.cells[i].execution_count is None]
        assert not not_run, f"{name} (student): cells not run by Run All: {not_run}"
        wrong = illegitimate_student_errors(nb, solution)
        assert not wrong, "\n".join(
            f"{name} (student), {cell_label(nb, i)}: {ename}: {evalue} (last frame in {where or '?'}), "
            "not explained by an unanswered exercise" for i, ename, evalue, where in wrong)
        graded = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")
                  and c.cell_type == "code"]
        failed = {i for i, *_ in errors_of(nb)}
        passing = [cell_label(nb, i) for i in graded if i not in failed]
        assert not passing, f"{name} (student): graded cells that pass with nothing answered: {passing}"
        assert widget_count == len(widget_outputs(nb)), \
            f"{name} (student): {len(widget_outputs(nb))} widget outputs in the notebook, {widget_count} in the page"
        assert not widget_problems, "\n".join(
            f"{name} (student): widget output {i} not rendered: {what}" for i, what in widget_problems)


def check_validate_button(lab, notebook):
    """nbgrader's Validate button in the notebook toolbar, on the untouched student notebook:
    the dialog names every graded cell as failed, each by its source."""
    base, browser, root = lab
    name = notebook_id(notebook)
    path = f"validate/{notebook.relative_to(REPO).as_posix()}"
    graded = [c for c in nbformat.read(notebook, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    with notebook_page(browser, base, f"validate-{name}") as page:
        open_notebook(page, base, path, kernel=False)  # Validate starts a kernel of its own
        started = time.monotonic()
        page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
        message = page.locator(".jp-Dialog #validation-message")
        message.wait_for(timeout=int(RUN_ALL_TIMEOUT_S * 1000))
        title = page.locator(".jp-Dialog .jp-Dialog-header").inner_text()
        text = message.inner_text()
        print(f"\n{name}: Validate answered in {time.monotonic() - started:.1f} s")
        assert text.count("The following cell failed:") == len(graded), f"{name}: {title}\n{text[:2000]}"
        for cell in graded:  # each failing check is shown by its source
            assert cell.source.splitlines()[0].strip() in text, f"{name}: {title}\n{text[:2000]}"


def check_formgrader(lab):
    """The formgrader page, as the instructor opens it, lists every day of source/."""
    base, browser, root = lab
    days = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    with notebook_page(browser, base, "formgrader") as page:
        page.goto(f"{base}/formgrader/manage_assignments?token={TOKEN}")
        table = page.locator("#main-table")
        for day in days:
            table.get_by_text(day, exact=True).first.wait_for(timeout=60_000)
        listed = table.inner_text()
        missing = [day for day in days if day not in listed]
        assert not missing, f"formgrader does not list {missing}:\n{listed[:2000]}"
