"""The pins that pip, conda and Binder read must agree, and what conda and Binder would install
is PyTorch's CPU build (checked statically: nothing is installed here)."""
import os
import re

import yaml

from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


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


def pip_section(path):
    env = yaml.safe_load(path.read_text())
    return env, next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))


def test_environment_yml_lists_the_same_pins_as_requirements():
    for path in (REPO / "environment.yml", REPO / "binder" / "environment.yml"):
        env, section = pip_section(path)
        assert pins(section) == requirement_pins(), path
        assert "python=3.11" in env["dependencies"], path
        assert "pip" in env["dependencies"], path


def test_constraints_agree_with_requirements():
    constraints = pins((REPO / "constraints.txt").read_text().splitlines())
    for name, version in requirement_pins().items():
        assert constraints.get(name) == version, f"{name}: requirements {version}, constraints {constraints.get(name)}"


def test_torch_is_the_cpu_build_pinned():
    # An unpinned torch pulls a CUDA build of several GB.
    assert requirement_pins()["torch"] == "2.13.0"


def test_conda_and_binder_install_torch_from_the_cpu_index():
    """`torch==2.13.0` with PyTorch's CPU index as an extra index: the index's `2.13.0+cpu`
    matches the pin and sorts after PyPI's `2.13.0` (PEP 440 local versions), so pip takes
    it. A `+cu...` local version, or the CPU index missing, would bring the CUDA build."""
    for path in (REPO / "environment.yml", REPO / "binder" / "environment.yml"):
        _, section = pip_section(path)
        options = [line.split() for line in section if line.startswith("-")]
        assert ["--extra-index-url", CPU_INDEX] in options, f"{path}: no PyTorch CPU index"
        torch = [line for line in section if line.lower().startswith("torch")]
        assert torch == ["torch==2.13.0"], f"{path}: {torch}"
        assert not any(line.startswith("--index-url") for line in section), \
            f"{path}: --index-url would replace PyPI for every package"


def test_conda_environment_installs_the_course_package_with_the_makefiles_constraints():
    _, section = pip_section(REPO / "environment.yml")
    assert "-e ." in section and "-c constraints.txt" in section


def test_binder_builds_from_its_own_folder_and_installs_the_package_after_the_copy():
    # repo2docker reads binder/ when it exists (and then ignores the root's files); it installs
    # binder/environment.yml before copying the repository, so no local path may be in it.
    _, section = pip_section(REPO / "binder" / "environment.yml")
    assert not any(line.startswith(("-e", "-r", "-c")) or line.startswith(".") for line in section), section
    post_build = REPO / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text()
    assert text.startswith("#!") and "pip install --no-cache-dir --no-deps -e ." in text
    assert set(p.name for p in (REPO / "binder").iterdir()) <= {"environment.yml", "postBuild"}


def test_readme_says_how_to_use_binder_and_conda():
    readme = (REPO / "README.md").read_text()
    assert re.search(r"\[!\[[^\]]*Binder[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
                     r"\(https://mybinder\.org/v2/gh/[^)]+urlpath=lab/tree/course\)", readme), "no Binder badge"
    assert "conda env create -f environment.yml" in readme
