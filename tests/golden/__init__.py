"""Golden trajectories produced by PyTorch, and the scripts that regenerate them.

The fixture files are small JSON; tests read them with ``load``. PyTorch is needed only to
regenerate them (``python -m tests.golden.make_optimizer_goldens`` and
``python -m tests.golden.make_schedule_goldens``), never to run the tests.
"""

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def load(kind, name):
    """The fixture ``kind/name.json`` with its lists turned into float arrays."""
    data = json.loads((HERE / kind / f"{name}.json").read_text())
    return {k: np.array(v, dtype=float) if isinstance(v, list) else v for k, v in data.items()}


def names(kind):
    """Every fixture name of ``kind``."""
    return sorted(p.stem for p in (HERE / kind).glob("*.json"))


def save(kind, name, data):
    folder = HERE / kind
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, indent=None, sort_keys=True) + "\n")
