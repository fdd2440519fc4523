"""What grading keeps secret: the hidden tests' seed, and the gradebook's URL."""
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from calcopt import checks
from calcopt.instructor import assignments, intake, release
from conftest import REPO, scratch_course_root


def test_hidden_inputs_depend_on_the_courses_secret_seed(monkeypatch):
    monkeypatch.delenv(checks.HIDDEN_SEED_VARIABLE, raising=False)
    at_home = checks.hidden_rng(101).normal(size=3)
    np.testing.assert_array_equal(at_home, checks.hidden_rng(101).normal(size=3))  # repeatable
    monkeypatch.setenv(checks.HIDDEN_SEED_VARIABLE, "8675309")
    graded = checks.hidden_rng(101).normal(size=3)
    assert not np.allclose(at_home, graded)
    assert not np.allclose(graded, checks.hidden_rng(102).normal(size=3))


def test_the_seed_is_made_once_private_and_out_of_git(tmp_path):
    seed = assignments.hidden_seed(tmp_path)
    assert seed.isdigit() and assignments.hidden_seed(tmp_path) == seed
    assert stat.S_IMODE((tmp_path / "hidden_seed").stat().st_mode) == 0o600
    ignored = subprocess.run(["git", "check-ignore", "-q", "autograder/hidden_seed"], cwd=REPO)
    assert ignored.returncode == 0, "autograder/hidden_seed would be committed"
    (tmp_path / "hidden_seed").write_text("not a number\n")
    with pytest.raises(RuntimeError, match="hidden_seed: the hidden seed must be"):
        assignments.hidden_seed(tmp_path)


def test_an_answer_key_is_cached_per_seed(tmp_path):
    notebook = tmp_path / "day.ipynb"
    notebook.write_text("{}")
    assert assignments.key_fingerprint(notebook, "1") != assignments.key_fingerprint(notebook, "2")


def test_the_gradebook_url_reaches_nbgrader_through_the_environment_only(tmp_path, monkeypatch):
    root = scratch_course_root(tmp_path)
    secret_db = tmp_path / "secret-name.db"
    seen = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: seen.append(command) or real_run(command, **kw))
    result = release.run_nbgrader(["db", "student", "add", "ada"], root, db_url=f"sqlite:///{secret_db}")
    assert result.returncode == 0, result.stderr
    assert secret_db.exists(), "nbgrader_config.py did not take the URL from CALCOPT_DB"
    assert seen and not any("secret-name" in arg for command in seen for arg in command)


@pytest.mark.parametrize("name, safe", [
    ("ada", True), ("ada.lovelace@uni.edu", True), ("s-01_b+c", True),
    ("=cmd|calc", False), ("-rf", False), ("a,b", False), ("a\nb", False), ("", False), ("x" * 65, False),
])
def test_only_plain_student_names_are_graded(name, safe):
    assert bool(intake.SAFE_NAME.fullmatch(name)) is safe


def test_a_path_with_a_line_break_or_comma_is_shown_quoted():
    assert intake.shown("submitted/ada/day01") == "submitted/ada/day01"
    assert intake.shown("submitted/a,b\nc") == repr("submitted/a,b\nc")


def test_a_link_or_an_oversized_file_is_not_read(tmp_path):
    (tmp_path / "target").write_text("secret")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    assert intake.read_regular_file(tmp_path / "link") is None
    assert intake.read_regular_file(tmp_path / "target") == b"secret"
    assert intake.read_regular_file(tmp_path / "target", max_bytes=3) is None
    assert intake.read_regular_file(tmp_path) is None  # a folder
