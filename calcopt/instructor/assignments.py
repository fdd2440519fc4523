"""What grading needs of each day, made once per run: its gradebook template and answer keys.

- ``gradebook_template``: a SQLite gradebook holding only the day's assignment, made by
  ``nbgrader generate_assignment`` in a scratch root; every worker grades in a copy of it.
- ``answer_key``: the day's source notebook (solutions and hidden tests) run in a confined
  kernel, its check records kept per grade cell (``calcopt.instructor.verify``). Keys are
  cached under ``<root>/keys/``, named by a hash of the notebook, of the hidden seed, of
  ``calcopt.checks`` and of the installed packages' versions, so they are rebuilt whenever any
  of these changes.
- ``hidden_seed``: the course's secret seed of the hidden tests' random inputs, kept in
  ``<root>/hidden_seed`` (git-ignored), chosen once at random so that grading is repeatable;
  delete the file for a new term.
"""
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
from traitlets.config import Config

from .. import checks
from . import verify
from .config import course_config
from .preprocessors import GradingExecute
from .release import run_nbgrader

KEY_PACKAGES = ("numpy", "torch", "tensorflow-cpu")


def hidden_seed(root):
    """The course's hidden seed, made (at random, readable by its owner only) on first use."""
    path = Path(root) / "hidden_seed"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(f"{secrets.randbits(63)}\n")
    seed = path.read_text().strip()
    if not seed.isdigit():
        raise RuntimeError(f"{path}: the hidden seed must be a non-negative integer, found {seed[:40]!r}")
    return seed


def gradebook_template(root, day):
    """The bytes of a gradebook holding only ``day``, from its built source notebooks."""
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="calcopt-template-") as scratch:
        scratch = Path(scratch)
        (scratch / "source" / day).mkdir(parents=True)
        for notebook in sorted((root / "source" / day).glob("*.ipynb")):
            shutil.copy(notebook, scratch / "source" / day / notebook.name)
        shutil.copy(root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        result = run_nbgrader(["generate_assignment", day, "--force"], scratch)
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {day} failed:\n{result.stdout}{result.stderr}")
        return (scratch / "gradebook.db").read_bytes()


def key_fingerprint(notebook_path, hidden_seed=""):
    digest = hashlib.sha256(Path(notebook_path).read_bytes())
    digest.update(f"hidden seed {hidden_seed}".encode())
    digest.update(Path(checks.__file__).read_bytes())
    for package in KEY_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def answer_key(notebook_path, cache_dir=None, hidden_seed=""):
    """The answer key of one source notebook: {grade_id: [check record, ...]}, its hidden
    tests drawn with the course's ``hidden_seed``."""
    notebook_path = Path(notebook_path)
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"{notebook_path.stem}-{key_fingerprint(notebook_path, hidden_seed)}.json"
        if cached.exists():
            return json.loads(cached.read_text())
    nb = nbformat.read(notebook_path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="calcopt-key-") as scratch:
        executor = GradingExecute(config=Config(course_config(scratch)), hidden_seed=hidden_seed)
        executor.preprocess(nb, {"metadata": {"path": scratch}})
    key = verify.build_key(nb, str(notebook_path))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{notebook_path.stem}-*.json"):
            old.unlink()
        cached.write_text(json.dumps(key))
    return key
