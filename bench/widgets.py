"""Widget latency, measured in the kernel: for every live explorer of a solution notebook (an
``calcopt.widgets.Explorer`` whose figure is an ipympl canvas, found in the kernel after the
notebook has run, so the explorers are exactly the ones learners get, with the notebook's own
arguments), 50 changes of its controls in turn (each slider through its range, each dropdown
through its options, each checkbox toggled, each button clicked). Each change is timed from
setting the value (or the click) to the return of its observers (the callback: recompute and
update the artists), and separately the Agg render of the figure that the page then asks for.

The goal is a median callback under 30 ms for every explorer; the report names those that miss
it, and any explorer of ``calcopt.widgets.EXPLORERS`` that no solution notebook shows. Run by
``bench.notebooks`` (``make bench``) after each notebook, in the same kernel;
``python -m bench.widgets`` measures only the notebooks that have explorers.
"""
import json

CHANGES = 50
GOAL_MS = 30.0

# Runs in the kernel after the notebook; prints one JSON line.
MEASURE_CELL = r'''
import gc as _gc, json as _json, statistics as _st, time as _time
import numpy as _np
import ipywidgets as _w
from calcopt.widgets.base import Explorer as _Explorer

def _values(control):
    """A cycle of values for one control (None: not a control this bench moves)."""
    if isinstance(control, _w.FloatLogSlider):
        return [float(control.base ** e) for e in _np.linspace(control.min, control.max, 7)]
    if isinstance(control, (_w.FloatSlider, _w.IntSlider)):
        values = _np.linspace(control.min, control.max, 7)
        return [int(round(v)) for v in values] if isinstance(control, _w.IntSlider) else [float(v) for v in values]
    if isinstance(control, (_w.Dropdown, _w.ToggleButtons, _w.RadioButtons)):
        return [value for _, value in control._options_full]
    if isinstance(control, (_w.Checkbox, _w.ToggleButton)):
        return [not control.value, control.value]
    return None

def _controls(explorer):
    """[(name, control)]: every value control and every button the explorer holds."""
    found = []
    for name, attr in vars(explorer).items():
        items = attr.items() if isinstance(attr, dict) else enumerate(attr) if isinstance(attr, (list, tuple)) else [(None, attr)]
        for key, item in items:
            if isinstance(item, _w.Button) or (isinstance(item, _w.ValueWidget) and _values(item)):
                found.append((name if key is None else f"{name}[{key}]", item))
    return found

def _measure(explorer, changes):
    controls = _controls(explorer)
    cycles = {name: _values(c) for name, c in controls if not isinstance(c, _w.Button)}
    callback, render, per_control = [], [], {}
    for k in range(changes):
        name, control = controls[k % len(controls)]
        if isinstance(control, _w.Button):  # a click: its handlers run, as the page's click runs them
            start = _time.perf_counter()
            control.click()
        else:
            values = cycles[name]
            value = values[(k // len(controls) + 1) % len(values)]
            if value == control.value:
                value = values[(k // len(controls) + 2) % len(values)]
            start = _time.perf_counter()
            control.value = value
        middle = _time.perf_counter()
        explorer.fig.canvas.draw()
        end = _time.perf_counter()
        callback.append(1e3 * (middle - start))
        render.append(1e3 * (end - middle))
        per_control.setdefault(name, []).append(1e3 * (middle - start))
    return {"callback_ms": callback, "render_ms": render,
            "per_control_median_ms": {n: _st.median(v) for n, v in per_control.items()}}

# By type, not isinstance: a weak proxy among the objects answers isinstance for its referent
# (an explorer counted twice) or raises ReferenceError once the referent is gone.
_explorers = [o for o in _gc.get_objects() if issubclass(type(o), _Explorer)]
_results = []
for _e in _explorers:
    if isinstance(getattr(_e, "fig", None) and _e.fig.canvas, _w.DOMWidget):  # live (ipympl)
        _results.append(dict(explorer=type(_e).__name__, controls=[n for n, _ in _controls(_e)],
                             **_measure(_e, CHANGES)))
print("BENCH-WIDGETS " + _json.dumps(_results))
'''.replace("CHANGES", str(CHANGES))


def parse(outputs):
    """The measurement cell's results from its outputs."""
    for output in outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith("BENCH-WIDGETS "):
                return json.loads(line[len("BENCH-WIDGETS "):])
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"]
    raise RuntimeError(f"the widget measurement printed nothing: {errors}")


def report(results):
    """results: [(notebook id, [explorer result])]. Prints a table, then the explorers that
    miss the goal and those of ``calcopt.widgets.EXPLORERS`` that no notebook run showed live
    (not measured); returns the misses."""
    import statistics

    from calcopt.widgets import EXPLORERS
    print(f"widget latency in the kernel, {CHANGES} changes of its controls in turn per explorer "
          f"(goal: median callback under {GOAL_MS:.0f} ms; ratio = median / {GOAL_MS:.0f} ms):")
    print(f"  {'notebook':<34} {'explorer':<22} {'controls':>8} {'median':>8} {'worst':>8} "
          f"{'render median':>14}  {'vs goal':>7}")
    misses, measured = [], set()
    for notebook, explorers in results:
        for e in explorers:
            measured.add(e["explorer"])
            median = statistics.median(e["callback_ms"])
            worst = max(e["callback_ms"])
            render = statistics.median(e["render_ms"])
            ok = median < GOAL_MS
            print(f"  {notebook:<34} {e['explorer']:<22} {len(e['controls']):8d} {median:6.1f}ms "
                  f"{worst:6.0f}ms {render:12.1f}ms  {median / GOAL_MS:6.2f}x {'ok' if ok else 'MISSES'}")
            if not ok:
                slow = max(e["per_control_median_ms"].items(), key=lambda item: item[1])
                misses.append(f"{notebook} {e['explorer']} (slowest control {slow[0]}: {slow[1]:.0f} ms median)")
    if misses:
        print(f"  over the {GOAL_MS:.0f} ms median goal: " + "; ".join(misses))
    else:
        print(f"  every explorer measured is under the {GOAL_MS:.0f} ms median goal")
    unmeasured = sorted(set(EXPLORERS) - measured)
    print(f"  explorers of calcopt.widgets measured: {len(measured & set(EXPLORERS))} of {len(EXPLORERS)}"
          + (f"; not live in any notebook run, so not measured: {', '.join(unmeasured)}"
             if unmeasured else ""))
    return misses


def main():
    from bench import notebooks
    with_explorers = [p for p in notebooks.solution_notebooks()
                      if "%matplotlib widget" in p.read_text()]
    notebooks.main(with_explorers, show_notebooks=False)


if __name__ == "__main__":
    main()
