"""The contour picture: bands coloured from the scale, edges shaded, gaps transparent."""

import io

import numpy as np
from PIL import Image

from viz import raster

SCALE = [[0.0, "#000000"], [1.0, "#ff0000"]]


def picture(values, bands):
    png = raster.contour_png(values, raster.band_edges(0.0, 1.0, bands), SCALE)
    return np.asarray(Image.open(io.BytesIO(png)))


def test_bands_take_the_scale_colour_at_their_middle_and_edges_are_shaded():
    # left half in band 0, right half in band 1 of two: red 64 and red 191 (of 255)
    values = np.tile(np.where(np.arange(20) < 10, 0.2, 0.8), (20, 1))
    image = picture(values, 2)
    assert image.shape[0] >= raster.PIXELS and image.shape[1] >= raster.PIXELS
    assert tuple(image[5, 2]) == (64, 0, 0, 255)
    assert tuple(image[5, -2]) == (191, 0, 0, 255)
    reds = set(image[5, :, 0].tolist())
    assert round(64 * raster.LINE_SHADE) in reds  # the band edge


def test_rows_run_from_the_bottom_of_the_plot_and_gaps_are_transparent():
    values = np.zeros((10, 10))
    values[0, :] = np.nan  # the bottom row of the grid
    image = picture(values, 4)
    assert image[-1, 0, 3] == 0  # the image's last row is the plot's bottom
    assert image[0, 0, 3] == 255
