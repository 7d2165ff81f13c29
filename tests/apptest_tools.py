"""Finding the app's widgets in an AppTest run."""


def labelled(elements, key):
    """The widget of ``ui.labelled_choice(..., key, ...)`` among ``elements`` (e.g.
    ``at.selectbox``): its key is ``key`` plus a digest of its current labels."""
    found = [e for e in elements if e.key.startswith(f"{key}@")]
    assert len(found) == 1, [e.key for e in elements]
    return found[0]
