"""The pins that pip, conda and Binder read must agree."""
import re

import yaml

from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def pins(lines):
    found = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            match = PIN.match(line)
            assert match, f"not an exact pin: {line!r}"
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def requirement_pins():
    return pins((REPO / "requirements.txt").read_text().splitlines())


def test_environment_yml_lists_the_same_pins_as_requirements():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == requirement_pins()
    assert "python=3.11" in env["dependencies"]


def test_constraints_agree_with_requirements():
    constraints = pins((REPO / "constraints.txt").read_text().splitlines())
    for name, version in requirement_pins().items():
        assert constraints.get(name) == version, f"{name}: requirements {version}, constraints {constraints.get(name)}"


def test_torch_is_the_cpu_build_pinned():
    # An unpinned torch pulls a CUDA build of several GB.
    assert requirement_pins()["torch"] == "2.13.0"
