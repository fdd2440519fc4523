"""What grading needs of each day, made once per run: its gradebook template and answer keys.

- ``gradebook_template``: a SQLite gradebook holding only the day's assignment, made by
  ``nbgrader generate_assignment`` in a scratch root; every worker grades in a copy of it.
- ``answer_key``: the day's source notebook (solutions and hidden tests) run in a confined
  kernel, its check records kept per grade cell (``calcopt.instructor.verify``). Keys are
  cached under ``<root>/keys/``, named by a hash of the notebook, of ``calcopt.checks`` and of
  the installed packages' versions, so they are rebuilt whenever any of these changes.
"""
import hashlib
import json
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


def key_fingerprint(notebook_path):
    digest = hashlib.sha256(Path(notebook_path).read_bytes())
    digest.update(Path(checks.__file__).read_bytes())
    for package in KEY_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def answer_key(notebook_path, cache_dir=None):
    """The answer key of one source notebook: {grade_id: [check record, ...]}."""
    notebook_path = Path(notebook_path)
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"{notebook_path.stem}-{key_fingerprint(notebook_path)}.json"
        if cached.exists():
            return json.loads(cached.read_text())
    nb = nbformat.read(notebook_path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="calcopt-key-") as scratch:
        executor = GradingExecute(config=Config(course_config(scratch)))
        executor.preprocess(nb, {"metadata": {"path": scratch}})
    key = verify.build_key(nb, str(notebook_path))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{notebook_path.stem}-*.json"):
            old.unlink()
        cached.write_text(json.dumps(key))
    return key
