"""Closed tabs' sessions given back when their time is up, on a server nobody uses.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` seconds, so
a page that reconnects gets its state back. It keeps them in a TTL cache that drops an
expired entry only when it is written to or its length is asked for: on a server the
class has left, nobody connects, and the sessions (each with its widgets' state and its
scene, several thousand objects scattered over the interpreter's memory) stay until the
next class. Measured with 30 students: the server stayed 150 MB above its idle figure
five minutes after they left; these sessions were part of it (the sweeper's collection,
``scene.cache.sweep``, and the C library's allocator, ``deploy/serve.sh``, the rest).
"""

from streamlit.runtime import Runtime


def drop_expired_sessions(runtime=None):
    """Drops the stored sessions whose time to reconnect is up; returns how many are left.

    The storage and its lock are Streamlit's own (1.67), reached by their private names:
    ``tests/test_sessions.py`` fails when a Streamlit release moves them. The length of
    the storage's cache is what reaps it (documented in its module); the manager's
    storage lock keeps the reaping apart from a tab connecting or leaving meanwhile."""
    runtime = runtime or (Runtime.instance() if Runtime.exists() else None)
    if runtime is None:  # no server (a test of the script alone)
        return 0
    manager = runtime._session_mgr
    with manager._storage_lock:
        return len(manager._session_storage._cache)
