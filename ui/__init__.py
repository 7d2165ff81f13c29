"""The Streamlit app's widgets and panels (``app.py`` lays them out).

- ``controls``: the sidebar and racer controls that describe a scene;
- ``landscape``: the basin map, curvature, sweep and auto-tune controls and panels;
- ``panels``: header, share link, race chart, results, downloads, export;
- ``session_scene``: the session's scene, from its link and then its widgets;
- ``widgets``: keyed widgets, labelled choices, parameter controls, safe Markdown.
"""
