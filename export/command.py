"""The export command: any scene to PNG, SVG, PDF, GIF or MP4, the same bytes every time.

    python -m export SCENE -o OUT [--width W --height H --scale S --frame K
                                       --frames N --fps F --theme light|dark
                                       --view race|sweep|lr_range --lang en|zh
                                       --inspect RACER:STEP] [--paths full|grow]
    python -m export --list
    python -m export --all-presets -o DIR

SCENE is a preset name (see ``--list``), a scene JSON file, or a share link copied from
the app. OUT's extension picks the format: ``.png``, ``.svg`` and ``.pdf`` draw one frame
(the last, or step K); ``.gif`` and ``.mp4`` animate the race with a step counter. The
race shows the scene's basin map and curvature arrows when it has them; ``--view sweep``
draws the scene's sweep heatmap instead, ``--view lr_range`` the chosen racer's
learning-rate range test (stills only). ``--inspect 2:150`` (or a link's ``inspect=2:150``)
draws racer 2's step 150 with its arrows and its update rule's numbers under the plot
(a still shows that step unless ``--frame`` says another). ``--paths grow`` draws each
frame's paths up to its step (a still: up to step K), as the app's growing paths do; the
default is the scene's path style (a link's ``paths=``).
``--all-presets`` writes every preset as PNG and the classic three as GIFs, with one
browser for all. Errors are one line on stderr, exit status 2.

The drawing is ``export.render``. This module imports it only after Chromium has started,
so the engine loads (Numba's cached kernels) while the browser starts. The command was
``python -m viz.export`` before the export became a package of its own; that name still
works and says where it moved.
"""

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from tqdm import tqdm

from i18n import message

from .browser import Browser, BrowserError
from .options import FORMATS, PARAMS

GALLERY_ANIMATIONS = ("beale_race", "long_valley", "saddle_escape")
GALLERY_GIF_SIZE = (640, 512)


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.list:
            _list()
        elif args.all_presets:
            _gallery(args)
        else:
            _export(args)
    except (ValueError, BrowserError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


def _list():
    from scene import presets

    for name in presets.names():
        print(f"{name:<24} {presets.describe(name)}")


def _export(args):
    if not args.scene or not args.output:
        raise ValueError("give a SCENE and -o OUT (or --list, or --all-presets -o DIR)")
    fmt = format_of(args.output)
    check_writable(args.output)
    with Browser() as browser:  # Chromium starts now, while export.render loads
        from . import render as R

        options = _options(args, R.Options())
        scene, warnings = R.load_scene(args.scene)
        if args.inspect is not None:
            scene, more = inspected(scene, args.inspect)
            warnings = warnings + more
        lang = options.lang or scene.view.lang
        for warning in warnings:
            print(f"warning: {message(warning, lang)}", file=sys.stderr)
        R.check_options(options, fmt, scene.steps)
        with _Progress("frames") as progress:
            animated = fmt in R.ANIMATIONS
            data = R.render(
                scene, fmt, options, browser=browser, progress=progress if animated else None
            )
    _write(args.output, data)


def _gallery(args):
    """Every preset as PNG, and the classic three as GIFs, with one browser for all."""
    if args.scene:
        raise ValueError("--all-presets takes no SCENE")
    if not args.output:
        raise ValueError("--all-presets needs -o DIR")
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create folder {folder}: {error.strerror}") from None
    check_writable(folder / "gallery.png")
    with Browser() as browser:  # Chromium starts now, while export.render loads
        from scene import presets

        from . import render as R

        options = _options(args, R.Options())
        width, height = GALLERY_GIF_SIZE
        animated = dataclasses.replace(options, width=width, height=height)
        names = presets.names()
        jobs = [(name, "png", options) for name in names]
        jobs += [(name, "gif", animated) for name in GALLERY_ANIMATIONS if name in names]
        with _Progress("gallery", total=len(jobs)) as progress:
            for done, (name, fmt, job_options) in enumerate(jobs, start=1):
                scene, _ = presets.load(name)
                data = R.render(scene, fmt, job_options, browser=browser)
                _write(folder / f"{name}.{fmt}", data)
                progress(done, len(jobs))


def inspected(scene, text):
    """``(scene, warnings)``: ``scene`` with the racer and step of ``--inspect RACER:STEP``
    (ValueError when ``text`` is not two whole numbers; ranges judged as a link's are)."""
    from scene.link import INSPECT_FORM, inspect_values
    from scene.validate import validate

    values = inspect_values(text)
    if values is None:
        raise ValueError(f"--inspect {text!r} is not allowed; allowed: {INSPECT_FORM}")
    return validate(scene.replace(view=scene.view.replace(**values)))


def _options(args, defaults):
    """``defaults`` with the options given on the command line."""
    given = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(defaults)
        if getattr(args, field.name) is not None
    }
    return dataclasses.replace(defaults, **given)


def format_of(path):
    """The export format named by ``path``'s extension; ValueError if there is none."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        known = ", ".join("." + f for f in FORMATS)
        raise ValueError(f"cannot tell the format of {str(path)!r}: end it in {known}")
    return fmt


def check_writable(path):
    """Raise ValueError unless a file can be written at ``path``."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder; give a file name")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"cannot write {path}: permission denied")


def _write(path, data):
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise ValueError(f"cannot write {path}: {error.strerror}") from None


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (exit status 2)."""

    def error(self, message):
        self.exit(2, f"error: {message} (see --help)\n")


def _parser():
    parser = _Parser(
        prog="python -m export",
        description="Export a Gradscape scene's race as PNG, SVG, PDF, GIF or MP4.",
    )
    parser.add_argument("scene", nargs="?", help="preset name, scene JSON file, or share link")
    parser.add_argument("-o", "--output", help="file (.png .svg .pdf .gif .mp4), or folder")
    parser.add_argument("--list", action="store_true", help="list the presets and exit")
    parser.add_argument("--all-presets", action="store_true", help="render the gallery into -o")
    parser.add_argument("--width", type=_number(int), help="CSS pixels (default 800)")
    parser.add_argument("--height", type=_number(int), help="CSS pixels (default 640)")
    parser.add_argument("--scale", type=_number(float), help="pixel density (default 1)")
    parser.add_argument("--frame", type=_number(int), help="the step a still shows (last)")
    parser.add_argument("--frames", type=_number(int), help="animation frames (default 100)")
    parser.add_argument("--fps", type=_number(int), help="animation frames/second (15)")
    parser.add_argument("--theme", choices=PARAMS["theme"].kind, help="default light")
    parser.add_argument("--view", choices=PARAMS["view"].kind, help="default race")
    parser.add_argument(
        "--lang", choices=PARAMS["lang"].kind, help="language of the texts (default the scene's)"
    )
    parser.add_argument("--inspect", help="RACER:STEP, a racer's step with its arrows")
    parser.add_argument(
        "--paths", choices=PARAMS["paths"].kind, help="path style (default the scene's)"
    )
    return parser


def _number(kind):
    def parse(text):
        try:
            return kind(text)
        except ValueError:
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None

    return parse


class _Progress:
    """A tqdm bar on stderr, callable as ``progress(done, total)``; made on first call."""

    def __init__(self, label, total=None):
        self._label, self._bar = label, None
        if total:
            self(0, total)

    def __call__(self, done, total):
        if self._bar is None:
            self._bar = tqdm(total=total, desc=self._label, file=sys.stderr, leave=False)
        self._bar.update(done - self._bar.n)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if self._bar is not None:
            self._bar.close()
