"""Frames to GIF and MP4, and still images made reproducible (same input, same bytes)."""

import io
import itertools
import math
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import imageio.v2
import numpy as np
from PIL import Image

HOLD_MS = 1500  # the last frame of an animation stays this long
TRANSPARENT = 255  # GIF palette index meaning "unchanged since the previous frame"
# A fixed date for PDFs, as long as Chromium's, so the file's byte offsets still hold.
_PDF_DATE = b"D:20000101000000+00'00'"
_SVG_UID = re.compile(r"(?:clip|trace)([0-9a-f]{6})")  # the plot's id and each trace's
_SVG_UID_PREFIXES = r'clip|legend|defs-|[#"]g|cb|trace'  # where Plotly puts those ids


class PNGFrames(Sequence):
    """PNG screenshots seen as (height, width, 3) uint8 arrays, decoded when read.

    An animation's frames stay compressed until encoded, a few at a time, so a long GIF
    needs the memory of its PNGs, not of its pixels.
    """

    def __init__(self, pngs):
        self._pngs = list(pngs)

    def __len__(self):
        return len(self._pngs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return PNGFrames(self._pngs[index])
        return np.asarray(Image.open(io.BytesIO(self._pngs[index])).convert("RGB"))


def gif(images, fps, accents=()):
    """A looping GIF of RGB ``images`` (a sequence of arrays): one shared palette, and
    each frame only what changed.

    Unchanged pixels are written as the transparent index over the previous frame, so a
    frame costs its moving markers, not the whole picture. ``accents`` ("#rrggbb") are
    kept exactly in the palette (the racers' colours); the last frame holds ``HOLD_MS``.
    """
    palette = _palette(images, accents)
    frames = [_indexed(images[0], palette)]
    for previous, image in itertools.pairwise(images):
        differs = image != previous
        changed = differs[..., 0] | differs[..., 1] | differs[..., 2]  # faster than any()
        frame = np.full(changed.shape, TRANSPARENT, dtype=np.uint8)
        frame[changed] = _indexed(image[changed][None], palette)[0]
        frames.append(frame)
    pictures = [Image.fromarray(frame, mode="P") for frame in frames]
    for picture in pictures:
        picture.putpalette(palette.getpalette())
    out = io.BytesIO()
    pictures[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=pictures[1:],
        transparency=TRANSPARENT,
        disposal=1,  # leave each frame in place under the next
        optimize=False,
        duration=[round(1000 / fps)] * (len(frames) - 1) + [HOLD_MS],
        loop=0,
    )
    return out.getvalue()


COLOR_WEIGHT_CAP = 16  # pixels a colour counts for at most when fitting the palette
EXACT_COLORS = 48  # the most frequent colours, kept exactly
FARTHEST_COLORS = 64  # entries given to the colours the fitted palette serves worst


def _palette(images, accents):
    """255 colours fitted to the first, middle and last frame: ``accents`` and the
    ``EXACT_COLORS`` most frequent colours exactly, median cut for most of the rest, and
    ``FARTHEST_COLORS`` entries added one by one at the colour farthest from every entry.

    Median cut splits the colour boxes that hold the most pixels: fitted to raw pixel
    counts it spends the palette on the wide contour bands and merges a thin colour bar's
    gradient into a few off-colour stripes. Here each colour counts for at most
    ``COLOR_WEIGHT_CAP`` pixels (about a colour bar's width), and the farthest-colour
    entries bound the error of what median cut still leaves out (a bar's ends, say).

    Entry 255 (transparent) repeats entry 0; Pillow picks the first of equally near
    colours, so quantizing never produces it.
    """
    sample = np.concatenate([images[0], images[len(images) // 2], images[-1]]).reshape(-1, 3)
    packed = (sample[:, 0].astype(np.uint32) << 16) | (sample[:, 1].astype(np.uint32) << 8)
    distinct, counts = np.unique(packed | sample[:, 2], return_counts=True)
    rgb = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], -1)
    common = np.argsort(counts)[::-1][:EXACT_COLORS]  # the paper, the flat bands: exact
    accent_rgb = [[int(color[i : i + 2], 16) for i in (1, 3, 5)] for color in accents]
    entries = [*rgb[common].tolist(), *accent_rgb]
    rest = np.delete(np.arange(len(distinct)), common)
    fit = 255 - len(entries) - FARTHEST_COLORS
    if rest.size and fit > 0:
        weighted = np.repeat(rgb[rest], np.minimum(counts[rest], COLOR_WEIGHT_CAP), axis=0)
        fitted = Image.fromarray(weighted.astype(np.uint8)[None]).quantize(
            fit, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        entries += np.reshape(fitted.getpalette()[: 3 * fit], (-1, 3)).tolist()
    colours = rgb.astype(float)
    nearest = np.full(len(colours), np.inf)
    for entry in entries:
        nearest = np.minimum(nearest, ((colours - entry) ** 2).sum(axis=1))
    while len(entries) < 255 and nearest.max() > 0:
        far = colours[np.argmax(nearest)]
        entries.append(far.astype(int).tolist())
        nearest = np.minimum(nearest, ((colours - far) ** 2).sum(axis=1))
    colors = [int(v) for entry in entries for v in entry]
    colors += [0] * (3 * 255 - len(colors))  # fewer colours than entries
    palette = Image.new("P", (1, 1))
    palette.putpalette(colors + colors[:3])
    return palette


def _indexed(rgb, palette):
    return np.asarray(Image.fromarray(rgb).quantize(palette=palette, dither=Image.Dither.NONE))


def mp4(images, fps):
    """H.264 in MP4 (yuv420p, which every player shows), without dates or encoder tags."""
    height, width = images[0].shape[:2]
    pad = ((0, height % 2), (0, width % 2), (0, 0))  # yuv420p needs even sides
    hold = math.ceil(HOLD_MS / 1000 * fps)
    with tempfile.TemporaryDirectory(prefix="gradscape-mp4-") as folder:
        path = Path(folder) / "race.mp4"
        writer = imageio.v2.get_writer(
            path,
            format="FFMPEG",
            fps=fps,
            codec="libx264",
            pixelformat="yuv420p",
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=[
                *("-threads", "2"),  # x264's choices depend on its thread count
                *("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"),
            ],
        )
        with writer:
            for image in itertools.chain(images, itertools.repeat(images[-1], hold)):
                writer.append_data(np.pad(image, pad, mode="edge"))
        return path.read_bytes()


def reproducible(data, fmt):
    """Still-image bytes without what changes between runs.

    SVG: Plotly names clip paths, gradients and trace groups after a random id per plot
    and per trace; they become fixed names in order of appearance. PDF: Chromium stamps creation and modification dates; they become a fixed
    date of the same length. PNG from Chromium carries no time stamp and is left alone.
    """
    if fmt == "svg":
        text = data.decode("utf-8")
        uids = list(dict.fromkeys(_SVG_UID.findall(text)))  # in order of appearance
        if uids:
            names = {uid: f"gs{index}" for index, uid in enumerate(uids)}
            where = re.compile(rf"({_SVG_UID_PREFIXES})({'|'.join(uids)})")
            text = where.sub(lambda m: m.group(1) + names[m.group(2)], text)
        return text.encode("utf-8")
    if fmt == "pdf":
        for key in (b"/CreationDate (", b"/ModDate ("):
            begin = data.find(key)
            if begin >= 0:
                begin += len(key)
                end = data.index(b")", begin)
                data = data[:begin] + _PDF_DATE[: end - begin].ljust(end - begin) + data[end:]
    return data
