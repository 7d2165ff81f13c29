"""The Numba cache: a fresh cache for every source edit, and a writable place to keep it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from surfaces import _jit

ROOT = Path(__file__).resolve().parent.parent


def _copy_sources(tmp_path):
    for folder in ("surfaces", "optimizers"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "viz").mkdir()
    (tmp_path / "viz" / "figures.py").write_text("x = 1\n")
    return tmp_path


def test_fingerprint_is_that_of_the_sources_and_is_the_cache_folder(tmp_path):
    copy = _copy_sources(tmp_path)
    assert _jit.source_fingerprint(copy) == _jit.source_fingerprint()
    if _jit.CACHE_DIR is not None:
        assert _jit.CACHE_DIR.name == _jit.source_fingerprint()


def test_editing_any_kernel_file_gives_a_new_cache(tmp_path):
    """Numba alone would reuse a kernel compiled before an edit to a file it calls into."""
    copy = _copy_sources(tmp_path)
    before = _jit.source_fingerprint(copy)
    rule = copy / "optimizers" / "sgd.py"
    rule.write_text(rule.read_text().replace("P[i, j] - lr * g", "P[i, j] - 2.0 * lr * g"))
    after_rule_edit = _jit.source_fingerprint(copy)
    formula = copy / "surfaces" / "valleys.py"
    formula.write_text(formula.read_text() + "\n# a comment\n")
    after_formula_edit = _jit.source_fingerprint(copy)
    assert len({before, after_rule_edit, after_formula_edit}) == 3


def test_editing_files_outside_the_kernels_keeps_the_cache(tmp_path):
    copy = _copy_sources(tmp_path)
    before = _jit.source_fingerprint(copy)
    (copy / "viz" / "figures.py").write_text("x = 2\n")
    assert _jit.source_fingerprint(copy) == before


def test_unwritable_cache_locations_fall_back_to_the_next(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # nothing can be created below a file, even by root
    chosen = _jit.choose_cache_dir(
        {"NUMBA_CACHE_DIR": str(blocker / "cache")}, home=blocker, fingerprint="abc"
    )
    assert chosen is not None and chosen.name == "abc"
    assert blocker not in chosen.parents
    assert _jit.writable(chosen)


def test_numba_cache_dir_is_used_when_writable(tmp_path):
    chosen = _jit.choose_cache_dir({"NUMBA_CACHE_DIR": str(tmp_path)}, fingerprint="abc")
    assert chosen == tmp_path / "abc"


def test_a_new_process_writes_its_kernels_to_numba_cache_dir(tmp_path):
    """With the package folder untouched, compiled kernels land in $NUMBA_CACHE_DIR."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    code = "import surfaces; print(surfaces.get('rosenbrock').f(1.0, 1.0))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True, check=True
    ).stdout
    assert float(out) == 0.0
    cached = list((tmp_path / _jit.source_fingerprint()).rglob("*.nbi"))
    assert cached, "no kernel was cached in NUMBA_CACHE_DIR"
