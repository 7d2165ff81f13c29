"""Lessons: ready-made scenes that recreate classic optimizer pictures.

Each preset is a file ``assets/presets/<name>.json`` holding
``{"title": "...", "description": "<one line>", "scene": {<a scene's JSON form, see scene.model>}}``.
``names()`` lists them in teaching order; ``load(name)`` returns the scene validated by
``scene.validate`` with its warnings (a preset in the repository has none; the tests
check that).
"""

import json
from pathlib import Path

from .cache import Store
from .text import show
from .validate import validate

FOLDER = Path(__file__).resolve().parent.parent / "assets" / "presets"

# Teaching order: the three classic animations, then one idea per lesson.
ORDER = (
    "beale_race",
    "long_valley",
    "saddle_escape",
    "momentum_overshoot",
    "adam_vs_sgd_rosenbrock",
    "warmup_cosine",
    "sign_methods",
    "noisy_gradients",
    "himmelblau_basins",
    "learning_w_and_b",
    "batch_size_and_noise",
    "feature_scaling",
    "network_slice",
)


# The lessons menu asks for every title on every rerun: the listing and the files are
# remembered under their modification time, so an edited or added file is read again.
LISTINGS = Store(4)
FILES = Store(64)


def names():
    """Every preset, in teaching order (files not in ``ORDER`` last, alphabetically)."""
    return list(LISTINGS.remember(f"{FOLDER}|{_stamp(FOLDER)}", _listing))


def _listing():
    found = sorted(path.stem for path in FOLDER.glob("*.json"))
    return tuple([n for n in ORDER if n in found] + [n for n in found if n not in ORDER])


def _stamp(path):
    """``path``'s modification time and size, or None when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def title(name):
    return _read(name)["title"]


def describe(name):
    """The preset's one-line description."""
    return _read(name)["description"]


def load(name):
    """``(scene, warnings)``: the preset's scene made runnable by ``scene.validate``."""
    return validate(_read(name)["scene"])


def _read(name):
    allowed = names()
    if name not in allowed:
        raise ValueError(f"unknown preset {show(name)}; allowed: {', '.join(allowed)}")
    path = FOLDER / f"{name}.json"
    return FILES.remember(f"{path}|{_stamp(path)}", lambda: _checked(path))


def _checked(path):
    data = read_json(path, "preset file")
    problem = _problem(data)
    if problem:
        raise ValueError(f"preset file {path}: {problem}")
    return data


def read_json(path, what):
    """The JSON content of ``path``; ValueError naming ``what`` and the problem otherwise."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{what} {path} does not exist") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{what} {path} is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{what} {path} cannot be read ({error})") from None


def _problem(data):
    """What is wrong with a preset file's content, or None."""
    if not isinstance(data, dict):
        return 'expected an object {"title": ..., "description": ..., "scene": {...}}'
    for key in ("title", "description"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            return f'"{key}" must be a non-empty string'
    if "\n" in data["description"]:
        return '"description" must be one line'
    if not isinstance(data.get("scene"), dict):
        return '"scene" must be an object (a scene as in scene/model.py)'
    unknown = sorted(set(data) - {"title", "description", "scene"})
    if unknown:
        return f"unknown key(s) {', '.join(map(show, unknown))}"
    return None
