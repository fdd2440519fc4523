"""Which submissions a `make grade` run grades again: those that changed, those named, or all."""
import pytest

from calcopt.instructor import grade, state
from calcopt.instructor.intake import Submission

SETTINGS = {"timeout": 60, "hidden_seed": "s1"}


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course root with alice's and bob's Day 1 graded once, and the gradebook holding both."""
    notebook = tmp_path / "source" / "day01" / "derivatives.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text("{}")
    built = {"day01": [notebook]}
    subs = [Submission(name, "day01", tmp_path, files={"derivatives.ipynb": name.encode()},
                       nbgrader_files={"timestamp.txt": b"2026-11-20 11:00:00 UTC"})
            for name in ("alice", "bob")]
    monkeypatch.setattr(grade.gradebook, "graded", lambda url: {("alice", "day01"), ("bob", "day01")})
    _, _, digests = grade.plan(tmp_path, "db", subs, built, SETTINGS, grade.chooser(), force=True)
    for (student, day), digest in digests.items():
        state.save(tmp_path, student, day, digest, [f"{student}: a note kept"])
    return tmp_path, subs, built


def names(submissions):
    return sorted(s.student for s in submissions)


def test_nothing_changed_nothing_is_graded(course):
    root, subs, built = course
    todo, kept, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(), force=False)
    assert todo == [] and sorted(kept) == [("alice", "day01"), ("bob", "day01")]
    assert state.load(root, "alice", "day01")["problems"] == ["alice: a note kept"]


@pytest.mark.parametrize("change", ["notebook", "timestamp", "source", "seed", "settings"])
def test_a_change_to_what_a_grade_depends_on_grades_it_again(course, change):
    root, subs, built = course
    settings = dict(SETTINGS)
    if change == "notebook":
        subs[1].files = {"derivatives.ipynb": b"bob, resubmitted"}
    elif change == "timestamp":
        subs[1].nbgrader_files = {"timestamp.txt": b"2026-11-21 09:00:00 UTC"}
    elif change == "source":
        built["day01"][0].write_text('{"changed": true}')
    elif change == "seed":
        settings["hidden_seed"] = "s2"
    else:
        settings["timeout"] = 30
    todo, kept, _ = grade.plan(root, "db", subs, built, settings, grade.chooser(), force=False)
    every_one = change in ("source", "seed", "settings")
    assert names(todo) == (["alice", "bob"] if every_one else ["bob"])
    assert kept == ([] if every_one else [("alice", "day01")])


def test_the_graders_own_code_counts(course, monkeypatch):
    root, subs, built = course
    monkeypatch.setattr(state, "grader_digest", lambda: "another grader")
    todo, _, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(), force=False)
    assert names(todo) == ["alice", "bob"]


def test_a_submission_missing_from_the_gradebook_or_never_recorded_is_graded(course, monkeypatch):
    root, subs, built = course
    state.forget(root, "alice", "day01")
    monkeypatch.setattr(grade.gradebook, "graded", lambda url: {("alice", "day01")})
    todo, kept, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(), force=False)
    assert names(todo) == ["alice", "bob"] and kept == []


def test_named_students_are_graded_again_and_the_others_keep_their_grades(course):
    root, subs, built = course
    subs[1].files = {"derivatives.ipynb": b"bob, resubmitted"}
    todo, kept, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(students=["alice"]), force=True)
    assert names(todo) == ["alice"] and kept == [("bob", "day01")]
    todo, _, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(days=["day02"]), force=True)
    assert todo == []
    todo, _, _ = grade.plan(root, "db", subs, built, SETTINGS, grade.chooser(), force=True)
    assert names(todo) == ["alice", "bob"]
