"""Finding the app's widgets in an AppTest run."""

import re


def labelled(elements, key):
    """The widget of ``ui.labelled_choice(..., key, ...)`` among ``elements`` (e.g.
    ``at.selectbox``): its key is ``key`` plus a digest of its current labels."""
    found = [e for e in elements if e.key.startswith(f"{key}@")]
    assert len(found) == 1, [e.key for e in elements]
    return found[0]


def results_table(at):
    """The results table's cells as a reader sees them: ``st.table`` cells are Markdown with
    their signs escaped (``ui.plain``), ``0\\.001`` for 0.001."""
    return at.table[0].value.map(lambda cell: re.sub(r"\\(.)", r"\1", cell))
