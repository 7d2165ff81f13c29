"""The export: a scene to PNG, SVG, PDF, GIF or MP4 bytes, the same every time.

- ``command``: the command line (``python -m export``);
- ``render``: a scene's race, sweep or range test as a picture or an animation;
- ``browser``: one Chromium that draws Plotly figures (stills, animation frames);
- ``encode``: frames to GIF and MP4, and reproducible still files.
"""
