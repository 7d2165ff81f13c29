"""Export: scenes in, figures for export, encoders, pictures out, and the command line."""

import io
import json
import os
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

import scene as S
from export import command as E
from export import encode
from export import render as R
from export.browser import Browser
from scene import landscape as SL
from scene import presets

ROOT = Path(__file__).resolve().parent.parent
SMALL = R.Options(width=320, height=256)


def small_scene(**changes):
    """A quick scene: two racers on Beale, few steps, a coarse grid."""
    scene = {
        "surface": {"name": "beale"},
        "optimizers": [{"name": "sgd", "hyper": {"lr": 0.01}}, {"name": "adam", "hyper": {}}],
        "start": [1.0, 1.5],
        "steps": 40,
        "view": {"grid": 60},
    }
    scene, warnings = S.validate({**scene, **changes})
    assert warnings == []
    return scene


# ---------------------------------------------------------------- scenes in


def test_a_preset_name_loads_the_preset():
    assert R.load_scene("saddle_escape") == presets.load("saddle_escape")


def test_a_share_link_restores_the_scene_exactly():
    scene = small_scene(options={"noise_std": 0.5, "seed": 3})
    link = "http://localhost:8501/?" + urllib.parse.urlencode(S.to_query(scene))
    assert R.load_scene(link) == (scene, [])


def test_a_scene_file_and_a_preset_file_both_load(tmp_path):
    scene = small_scene()
    plain, wrapped = tmp_path / "plain.json", tmp_path / "wrapped.json"
    plain.write_text(json.dumps(scene.to_dict()))
    wrapped.write_text(json.dumps({"title": "t", "description": "d", "scene": scene.to_dict()}))
    assert R.load_scene(str(plain)) == (scene, [])
    assert R.load_scene(str(wrapped)) == (scene, [])


def test_bad_parts_of_a_scene_file_come_back_as_warnings(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"surface": "beale", "optimizers": ["warpdrive", "adam"]}))
    scene, warnings = R.load_scene(str(path))
    assert [r.name for r in scene.racers] == ["adam"]
    assert any("warpdrive" in w for w in warnings)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("nope", "'nope' is not a preset, a scene JSON file or a share link (presets: beale_race"),
        ("http://localhost:8501/?q=cats", "the link holds no scene"),
        ("https://example.com/page", "the link holds no scene"),
        ("missing.json", "scene file missing.json does not exist"),
    ],
)
def test_sources_that_are_not_scenes_are_refused(source, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("?", r"\?")):
        R.load_scene(source)


def test_malformed_json_names_file_and_position(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"surface": "beale",\n "steps": }')
    with pytest.raises(ValueError, match=r"bad.json is not valid JSON \(.* line 2, column 11\)"):
        R.load_scene(str(path))
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        R.load_scene(str(path))


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("changes", "fmt", "message"),
    [
        ({}, "jpg", "format 'jpg' is not supported; allowed: png, svg, pdf, gif, mp4"),
        (
            {"width": 50},
            "png",
            "width=50 is out of range; allowed: an integer, 100 <= width <= 4000",
        ),
        ({"height": 10.5}, "png", "height=10.5 is not an integer; allowed: an integer, 100 <="),
        (
            {"scale": float("nan")},
            "png",
            "scale=nan is not a finite number; allowed: a number, 0.25",
        ),
        (
            {"theme": "sepia"},
            "png",
            "theme='sepia' is not a choice; allowed: one of 'light', 'dark'",
        ),
        ({"fps": 0}, "gif", "fps=0 is out of range"),
        ({"frames": 1}, "gif", "frames=1 is out of range"),
        (
            {"frames": 301},
            "mp4",
            "frames=301 is out of range; allowed: an integer, 2 <= frames <= 300",
        ),
        ({"frame": 3}, "gif", "frame (one step as a picture) applies to png, svg and pdf"),
        ({"frame": 41}, "png", "frame=41 is out of range; allowed: an integer, 0 <= frame <= 40"),
        ({"frame": True}, "png", "frame=True is not a finite number"),
    ],
)
def test_bad_options_name_the_option_and_the_allowed_values(changes, fmt, message):
    options = R.Options(**{**SMALL.__dict__, **changes})
    with pytest.raises(ValueError) as error:
        R.check_options(options, fmt, steps=40)
    assert message in str(error.value)


def test_output_format_and_writability(tmp_path):
    assert E.format_of("a/b.GIF") == "gif"
    with pytest.raises(ValueError, match=r"cannot tell the format of 'x.jpeg': end it in .png"):
        E.format_of("x.jpeg")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="folder .*file does not exist"):
        E.check_writable(tmp_path / "file" / "x.png")
    with pytest.raises(ValueError, match="it is a folder"):
        E.check_writable(tmp_path)
    E.check_writable(tmp_path / "x.png")


# ---------------------------------------------------------------- figures for export


def test_still_figure_has_heads_at_the_step_and_no_play_controls():
    race = R.race_of(small_scene())
    figure = R.still_figure(race, 10, SMALL)
    layout = figure["layout"]
    assert "frames" not in figure
    assert "updatemenus" not in layout and "sliders" not in layout
    assert (layout["width"], layout["height"]) == (320, 256)
    assert layout["annotations"][-1]["text"] == "step 10 / 40"
    heads = figure["data"][race.heads_index]
    trail = len(heads["x"]) // len(race.trajectories)
    for index, trajectory in enumerate(race.trajectories):  # the last point of each trail
        head = (heads["x"][(index + 1) * trail - 1], heads["y"][(index + 1) * trail - 1])
        np.testing.assert_allclose(head, trajectory.xy[10], atol=1e-3)


def test_animation_layers_split_the_heads_from_the_picture():
    race = R.race_of(small_scene())
    base, heads = R.animation_layers(race, SMALL)
    still = R.still_figure(race, 0, SMALL)
    assert len(base["data"]) == len(still["data"]) - 1
    assert heads["data"][0]["name"] == "heads" and len(heads["data"]) == 1
    assert heads["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    assert heads["layout"]["xaxis"]["range"] == list(race.box[0])
    updates = R.heads_updates(race, [0, 40])
    assert [text for _, _, text, _ in updates] == ["step  0 / 40", "step 40 / 40"]
    assert [step for *_, step in updates] == [0, 40]


def test_animation_steps_spread_from_start_to_end():
    assert R.animation_steps(500, 6) == [0, 100, 200, 300, 400, 500]
    assert R.animation_steps(3, 100) == [0, 1, 2, 3]
    steps = R.animation_steps(1000, 60)
    assert len(steps) == 60 and steps[0] == 0 and steps[-1] == 1000


# ---------------------------------------------------------------- encoders


def frames_with_a_moving_dot(count=5, size=(40, 60), texture=False):
    """RGB frames of a blue dot moving right over a background, in under 255 colours."""
    background = np.full((*size, 3), (230, 235, 240), dtype=np.uint8)
    background[:, :10] = (40, 60, 90)
    if texture:  # hard to compress: random pixels from 12 well-spaced greys
        grey = (20 + 16 * np.random.default_rng(0).integers(0, 12, size=size)).astype(np.uint8)
        background = np.repeat(grey[..., None], 3, axis=2)
    images = []
    for k in range(count):
        image = background.copy()
        image[10:14, 5 + 8 * k : 9 + 8 * k] = (0, 114, 178)
        images.append(image)
    return images


def gif_frames(data):
    with Image.open(io.BytesIO(data)) as gif:
        frames, durations = [], []
        for index in range(gif.n_frames):
            gif.seek(index)
            frames.append(np.asarray(gif.convert("RGB")))
            durations.append(gif.info["duration"])
        return frames, durations, gif.info.get("loop")


def test_gif_shows_each_frame_exactly_and_holds_the_last():
    images = frames_with_a_moving_dot()
    frames, durations, loop = gif_frames(encode.gif(images, fps=10, accents=["#0072B2"]))
    assert len(frames) == len(images)
    for frame, image in zip(frames, images, strict=True):
        np.testing.assert_array_equal(frame, image)  # few colours: the palette is exact
    assert durations == [100] * (len(images) - 1) + [encode.HOLD_MS]
    assert loop == 0


def test_gif_frames_store_only_what_changed():
    moving = frames_with_a_moving_dot(count=30, size=(100, 300), texture=True)
    one_frame = len(encode.gif(moving[:1], fps=10))
    assert len(encode.gif(moving, fps=10)) < 3 * one_frame  # far from 30 full frames
    frames, _, _ = gif_frames(encode.gif(moving, fps=10))
    np.testing.assert_array_equal(frames[-1], moving[-1])


def test_png_frames_decode_when_read():
    images = frames_with_a_moving_dot(count=3)
    pngs = []
    for image in images:
        out = io.BytesIO()
        Image.fromarray(image).save(out, format="PNG")
        pngs.append(out.getvalue())
    frames = encode.PNGFrames(pngs)
    assert len(frames) == 3 and len(frames[1:]) == 2
    for frame, image in zip(frames, images, strict=True):
        np.testing.assert_array_equal(frame, image)
    np.testing.assert_array_equal(frames[-1], images[-1])


def test_mp4_is_readable_and_has_even_sides(tmp_path):
    images = frames_with_a_moving_dot(count=8, size=(41, 61))
    path = tmp_path / "a.mp4"
    path.write_bytes(encode.mp4(images, fps=8))
    frames = list(iio.imiter(path, plugin="FFMPEG"))
    assert len(frames) == len(images) + int(np.ceil(encode.HOLD_MS / 1000 * 8))
    assert frames[0].shape == (42, 62, 3)
    assert encode.mp4(images, fps=8) == path.read_bytes()


def test_svg_random_ids_become_fixed_names():
    def svg(layout_uid, trace_uid):
        return (
            f'<svg><defs id="defs-{layout_uid}"><clipPath id="clip{layout_uid}xyplot"/>'
            f'<clipPath id="clip{trace_uid}"/></defs><g class="cb{trace_uid} colorbar"/>'
            f'<path d="M123456,1"/><g clip-path="url(#clip{layout_uid}xyplot)"/></svg>'
        ).encode()

    one = encode.reproducible(svg("a1b2c3", "123456"), "svg")
    two = encode.reproducible(svg("ffee00", "0a0b0c"), "svg")
    assert one == two
    assert b'd="M123456,1"' in one  # numbers that look like an id stay as they are
    ET.fromstring(one)


def test_pdf_dates_become_a_fixed_date_of_the_same_length():
    pdf = b"%PDF-1.4\n/CreationDate (D:20261121025238+00'00')\n/ModDate (D:20261121025239+00'00')"
    fixed = encode.reproducible(pdf, "pdf")
    assert len(fixed) == len(pdf)
    assert fixed.count(b"D:20000101000000+00'00'") == 2


# ---------------------------------------------------------------- pictures (Chromium)

chromium = pytest.mark.browser


@pytest.fixture(scope="module")
def session():
    with Browser() as browser:
        browser.still({"data": []}, "png", 100, 100, 1)
        yield browser


def render(session, scene, fmt, **changes):
    return R.render(scene, fmt, R.Options(**{**SMALL.__dict__, **changes}), browser=session)


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def share_of_colour(image, hex_colour, tolerance=40):
    colour = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return np.mean(np.abs(image.astype(int) - colour).sum(axis=2) < tolerance)


def share_of_hue(image, red_over_blue=None, green_over_red=None):
    """The share of pixels whose red exceeds their blue (or green their red) by a margin."""
    red, green, blue = (image[..., i].astype(int) for i in range(3))
    if red_over_blue is not None:
        return np.mean(red > blue + red_over_blue)
    return np.mean(green > red + green_over_red)


@chromium
def test_png_has_the_size_asked_and_draws_contour_and_paths(session):
    scene = small_scene()
    image = pixels(render(session, scene, "png"))
    assert image.shape == (256, 320, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200  # the shaded contour
    assert share_of_colour(image, "#0072B2") > 0.001  # racer 1's path (Okabe-Ito blue)
    assert share_of_colour(image, "#D55E00") > 0.001  # racer 2's
    assert pixels(render(session, scene, "png", scale=2)).shape == (512, 640, 3)


@chromium
def test_frame_k_moves_the_heads_and_dark_theme_darkens_the_paper(session):
    scene = small_scene()
    last, first = render(session, scene, "png"), render(session, scene, "png", frame=0)
    assert last != first
    dark = pixels(render(session, scene, "png", theme="dark"))
    assert pixels(last)[2, 2].mean() > 200 and dark[2, 2].mean() < 60


@chromium
def test_svg_is_well_formed_and_pdf_has_a_header(session):
    scene = small_scene()
    root = ET.fromstring(render(session, scene, "svg"))
    assert root.tag.endswith("svg") and root.get("width") == "320"
    pdf = render(session, scene, "pdf")
    assert pdf.startswith(b"%PDF-") and b"D:20000101000000" in pdf


@chromium
def test_gif_has_the_frames_asked_and_ends_like_the_still(session):
    scene = small_scene()
    calls = []
    data = R.render(
        scene,
        "gif",
        R.Options(**{**SMALL.__dict__, "frames": 12}),
        browser=session,
        progress=lambda done, total: calls.append((done, total)),
    )
    frames, durations, _ = gif_frames(data)
    assert len(frames) == 12 and frames[0].shape == (256, 320, 3)
    assert calls[-1] == (12, 12) and len(calls) == 12
    assert durations[-1] == encode.HOLD_MS
    still = pixels(render(session, scene, "png")).astype(int)
    assert np.mean(np.abs(frames[-1].astype(int) - still)) < 4  # same picture, same place
    assert np.mean(np.abs(frames[0].astype(int) - still)) > np.mean(
        np.abs(frames[-1].astype(int) - still)
    )


@chromium
def test_mp4_is_readable(session, tmp_path):
    path = tmp_path / "race.mp4"
    path.write_bytes(render(session, small_scene(), "mp4", frames=10, fps=10))
    frames = list(iio.imiter(path, plugin="FFMPEG"))
    assert len(frames) == 10 + int(np.ceil(encode.HOLD_MS / 100))
    assert frames[0].shape == (256, 320, 3)


@chromium
@pytest.mark.parametrize("fmt", R.FORMATS)
def test_two_exports_of_one_scene_are_identical(session, fmt):
    scene = small_scene()
    changes = {"frames": 6} if fmt in R.ANIMATIONS else {}
    assert render(session, scene, fmt, **changes) == render(session, scene, fmt, **changes)


@chromium
def test_the_command_line_writes_the_same_bytes_as_render(session, tmp_path):
    scene_file = tmp_path / "scene.json"
    scene_file.write_text(json.dumps(small_scene().to_dict()))
    out = tmp_path / "race.png"
    command = [sys.executable, "-m", "export", str(scene_file), "-o", str(out)]
    result = subprocess.run(
        [*command, "--width", "320", "--height", "256"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == render(session, small_scene(), "png")


@chromium
def test_all_presets_renders_the_gallery(monkeypatch, tmp_path, session):
    folder = tmp_path / "presets"
    folder.mkdir()
    for name in ("beale_race", "quick"):
        preset = {"title": name, "description": "d", "scene": small_scene(steps=10).to_dict()}
        (folder / f"{name}.json").write_text(json.dumps(preset))
    monkeypatch.setattr(presets, "FOLDER", folder)
    monkeypatch.setattr(E, "Browser", lambda: _Borrowed(session))
    gallery = tmp_path / "gallery"
    assert E.main(["--all-presets", "-o", str(gallery), "--width", "320", "--height", "256"]) == 0
    assert sorted(p.name for p in gallery.iterdir()) == [
        "beale_race.gif",
        "beale_race.png",
        "quick.png",
    ]
    with Image.open(gallery / "beale_race.gif") as gif:
        assert gif.size == E.GALLERY_GIF_SIZE and gif.n_frames == 11


class _Borrowed:
    """The test session's browser, lent to code that would open and close its own."""

    def __init__(self, browser):
        self._browser = browser

    def __enter__(self):
        return self._browser

    def __exit__(self, *_):
        pass


# ---------------------------------------------------------------- command line errors

ERRORS = {
    "unknown preset": (["nope", "-o", "{tmp}/a.png"], "'nope' is not a preset"),
    "malformed json": (["{tmp}/bad.json", "-o", "{tmp}/a.png"], "is not valid JSON"),
    "not a scene link": (["http://localhost:8501/?q=1", "-o", "{tmp}/a.png"], "holds no scene"),
    "unknown extension": (["beale_race", "-o", "{tmp}/a.jpg"], "cannot tell the format"),
    "unwritable path": (["beale_race", "-o", "{tmp}/bad.json/a.png"], "cannot write"),
    "output is a folder": (["beale_race", "-o", "{tmp}/dir.png"], "it is a folder"),
    "letters for a number": (["beale_race", "-o", "{tmp}/a.png", "--width", "wide"], "--width"),
    "number out of range": (["beale_race", "-o", "{tmp}/a.png", "--scale", "99"], "scale=99.0"),
    "frame past the end": (["beale_race", "-o", "{tmp}/a.png", "--frame", "9999"], "frame=9999"),
    "frame of an animation": (["beale_race", "-o", "{tmp}/a.gif", "--frame", "1"], "png, svg"),
    "unknown theme": (["beale_race", "-o", "{tmp}/a.png", "--theme", "x"], "--theme"),
    "no output": (["beale_race"], "give a SCENE and -o OUT"),
    "chromium missing": (["beale_race", "-o", "{tmp}/a.png"], "no browser at BROWSER_PATH="),
}
IN_SUBPROCESSES = ("unknown preset", "chromium missing")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("errors")
    (tmp / "bad.json").write_text('{"surface": ')
    (tmp / "dir.png").mkdir()
    return tmp


def check_one_line_error(case, status, out, err):
    assert status == 2, err
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and ERRORS[case][1] in err


@pytest.mark.parametrize("case", ERRORS)
def test_command_line_errors_are_one_line_with_status_2(case, inputs, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(inputs / "no-chromium"))
    argv = [a.format(tmp=inputs) for a in ERRORS[case][0]]
    try:
        status = E.main(argv)
    except SystemExit as exit:  # argparse's own errors
        status = exit.code
    check_one_line_error(case, status, *capsys.readouterr())


@pytest.fixture(scope="module")
def process_runs(inputs):
    """A few error cases as real processes, started together."""
    env = {**os.environ, "BROWSER_PATH": str(inputs / "no-chromium")}
    processes = {
        case: subprocess.Popen(
            [sys.executable, "-m", "export", *(a.format(tmp=inputs) for a in ERRORS[case][0])],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for case in IN_SUBPROCESSES
    }
    return {case: (p.wait(timeout=300), *p.communicate()) for case, p in processes.items()}


@pytest.mark.parametrize("case", IN_SUBPROCESSES)
def test_the_process_exits_2_with_one_line_and_no_traceback(case, process_runs):
    check_one_line_error(case, *process_runs[case])


def test_the_old_command_name_still_works_and_says_where_it_moved():
    result = subprocess.run(
        [sys.executable, "-m", "viz.export", "--list"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stderr == "note: the export command is now `python -m export`\n"
    assert result.stdout.split()[0] == presets.names()[0]


def test_list_prints_every_preset_name_first(capsys):
    assert E.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == presets.names()
    assert all(presets.describe(n) in line for n, line in zip(presets.names(), lines, strict=True))


# ---------------------------------------------------------------- landscape views


def himmelblau_scene(**landscape):
    scene = {
        "surface": {"name": "himmelblau"},
        "optimizers": [{"name": "sgd", "hyper": {"lr": 0.01, "momentum": 0.5}}],
        "steps": 100,
        "view": {"grid": 60},
        "landscape": landscape,
    }
    scene, warnings = S.validate(scene)
    assert warnings == []
    return scene


def test_the_race_of_a_scene_with_a_basin_map_has_the_layer_and_the_arrows():
    race = R.race_of(himmelblau_scene(overlay="basin", grid=40, curvature=True))
    names = [t.get("name") for t in race.figure.plain["data"]]
    assert names[1] == "basins" and names[2] == "start here"
    assert sum(t.get("marker", {}).get("symbol") == "arrow" for t in race.figure.plain["data"]) == 4
    assert race.figure.plain["frames"][0]["traces"] == [len(names) - 1]  # the heads, still


@pytest.mark.parametrize(
    ("changes", "fmt", "message"),
    [
        ({"view": "sweep"}, "gif", "view sweep is a still; allowed formats: png, svg, pdf"),
        (
            {"view": "basins"},
            "png",
            "view='basins' is not a choice; allowed: one of 'race', 'sweep', 'lr_range'",
        ),
        ({"view": "lr_range"}, "mp4", "view lr_range is a still; allowed formats: png, svg, pdf"),
    ],
)
def test_bad_view_options_name_the_allowed_values(changes, fmt, message):
    with pytest.raises(ValueError, match=message):
        R.check_options(R.Options(**{**SMALL.__dict__, **changes}), fmt, steps=40)


@chromium
def test_png_of_a_basin_map_scene_shows_the_basins_under_the_path(session):
    plain = pixels(render(session, himmelblau_scene(), "png"))
    basins = pixels(render(session, himmelblau_scene(overlay="basin", grid=40), "png"))
    assert basins.shape == plain.shape
    # the four basins tint the plot (about half the picture): many pixels change
    changed = np.abs(basins.astype(int) - plain.astype(int)).sum(axis=2) > 60
    assert changed.mean() > 0.2
    # the tints are warm where the contour shading is cool: reddish pixels appear (the
    # first basin's pink) and greenish ones give way
    assert share_of_hue(plain, red_over_blue=10) == 0.0
    assert share_of_hue(basins, red_over_blue=10) > 0.005
    assert share_of_hue(basins, green_over_red=15) < share_of_hue(plain, green_over_red=15) / 2


@chromium
def test_sweep_view_renders_the_heatmap_as_png_and_svg(session):
    scene = himmelblau_scene(sweep="momentum")
    image = pixels(render(session, scene, "png", view="sweep", width=640, height=480))
    assert image.shape == (480, 640, 3)
    assert share_of_colour(image, "#440154", tolerance=60) > 0.05  # Viridis' low end: f ≈ f*
    svg = render(session, scene, "svg", view="sweep").decode()
    assert "converged" in svg and "momentum" in svg and "diverged" in svg
    lr_alone = render(session, himmelblau_scene(), "svg", view="sweep").decode()
    assert "learning rate" in lr_alone and "momentum</text>" not in lr_alone


@chromium
def test_lr_range_view_draws_the_range_test_with_its_suggestions(session):
    scene = himmelblau_scene(range_steps=300)
    result = SL.range_test(scene)
    svg = render(session, scene, "svg", view="lr_range").decode()
    assert "learning-rate range test, 300 steps" in svg
    steepest, minimum = (s.lr for s in result.suggestions)
    assert f"steepest fall: lr {steepest:.3g}" in svg and f"minimum / 10: lr {minimum:.3g}" in svg
    chinese = render(session, scene, "svg", view="lr_range", lang="zh").decode()
    assert "学习率范围测试" in chinese and "下降最快" in chinese
    image = pixels(render(session, scene, "png", view="lr_range", width=640, height=480))
    assert image.shape == (480, 640, 3)
    assert share_of_colour(image, "#0072b2", tolerance=60) > 0.002  # the smoothed line


@chromium
def test_command_line_refuses_a_bad_view_and_an_animated_sweep(tmp_path, capsys):
    link = "?surface=himmelblau&o1=sgd,lr:0.01&steps=50&sweep=momentum"
    with pytest.raises(SystemExit) as exited:
        E.main([link, "-o", str(tmp_path / "x.png"), "--view", "maps"])
    assert exited.value.code == 2
    assert E.main([link, "-o", str(tmp_path / "x.gif"), "--view", "sweep"]) == 2
    assert E.main([link, "-o", str(tmp_path / "x.png"), "--view", "sweep"]) == 0
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "invalid choice: 'maps'" in errors[0]
    assert errors[1] == "error: view sweep is a still; allowed formats: png, svg, pdf"
    assert (tmp_path / "x.png").read_bytes().startswith(b"\x89PNG")
