"""A filled-contour picture of a grid of values, as a PNG for a Plotly layout image.

The race draws its contour as a picture under the axes rather than as a contour trace:
plotly.js wipes contour and heatmap traces from a subplot whose other traces are animated
without a full redraw (plotly.js #4491), and a full redraw of every frame is too slow to
play. A picture is also smaller to send than the grid of values it comes from.
"""

import io

import numpy as np
from PIL import Image

PIXELS = 600  # the picture's least size along each axis: about the plot's, so lines are thin
LINE_SHADE = 0.8  # band edges are drawn as the band's colour times this


def band_edges(low, high, count):
    """``count + 1`` evenly spaced values splitting ``[low, high]`` into ``count`` bands."""
    return np.linspace(low, high, count + 1)


def contour_png(values, edges, colorscale):
    """PNG bytes of ``values`` (rows from the bottom of the plot up) coloured by band.

    Each value is coloured by the band of ``edges`` it falls in, the colour taken from
    ``colorscale`` (Plotly's ``[[position, "#rrggbb"], ...]``) at the band's middle; a
    pixel whose band differs from its right or upper neighbour is a contour line.
    Non-finite values are left transparent.
    """
    values = np.asarray(values, dtype=float)
    fine = _upsample(values, max(1, -(-PIXELS // min(values.shape))))
    band = np.clip(np.searchsorted(edges, fine, side="right") - 1, 0, len(edges) - 2)
    middles = (np.arange(len(edges) - 1) + 0.5) / (len(edges) - 1)
    palette = _interpolate(colorscale, middles)  # (bands, 3)
    rgb = palette[band]
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, :-1] |= band[:, 1:] != band[:, :-1]
    edge[:-1, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] *= LINE_SHADE
    alpha = np.where(np.isfinite(fine), 255, 0)
    pixels = np.dstack([rgb, alpha]).round().astype(np.uint8)[::-1]  # image rows: top down
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, format="PNG")
    return out.getvalue()


def _upsample(values, factor):
    """Bilinear interpolation onto a grid ``factor`` times finer along each axis."""
    rows, cols = values.shape
    r = np.linspace(0, rows - 1, rows * factor)
    c = np.linspace(0, cols - 1, cols * factor)
    r0 = np.minimum(r.astype(int), rows - 2)
    c0 = np.minimum(c.astype(int), cols - 2)
    fr, fc = (r - r0)[:, None], (c - c0)[None, :]
    top = values[r0][:, c0] * (1 - fc) + values[r0][:, c0 + 1] * fc
    bottom = values[r0 + 1][:, c0] * (1 - fc) + values[r0 + 1][:, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr


def _interpolate(colorscale, positions):
    """RGB (0-255 floats) of ``colorscale`` at each of ``positions`` in [0, 1]."""
    stops = np.array([p for p, _ in colorscale], dtype=float)
    colors = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in colorscale])
    return np.stack([np.interp(positions, stops, colors[:, k]) for k in range(3)], axis=1)
