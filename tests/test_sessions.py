"""``ui.sessions``: a closed tab's session, stored by Streamlit's own session manager for
reconnecting, is given back once its time is up, with nobody connecting to reap it."""

import gc
import time
import weakref

from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.session_manager import SessionInfo
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from ui.sessions import drop_expired_sessions

TTL = 0.05  # seconds a closed tab's session is kept for reconnecting


class Session:
    """Stands for an AppSession: what the storage keys sessions by, and a weak reference."""

    def __init__(self, session_id):
        self.id = session_id


class Server:
    """The part of Streamlit's Runtime that ``drop_expired_sessions`` uses: its real
    session manager over its real in-memory storage."""

    def __init__(self, ttl=TTL):
        self.storage = MemorySessionStorage(ttl_seconds=ttl)
        self._session_mgr = WebsocketSessionManager(self.storage, None, None, None)


def closed_tabs(server, count):
    """``count`` closed tabs' sessions saved for reconnecting; weak references to them."""
    sessions = [Session(f"tab-{k}") for k in range(count)]
    for session in sessions:
        server.storage.save(SessionInfo(client=None, session=session))
    return [weakref.ref(session) for session in sessions]


def test_sessions_past_their_time_are_dropped_when_nobody_connects():
    server = Server()
    watches = closed_tabs(server, 3)
    time.sleep(2 * TTL)
    gc.collect()
    assert server.storage.list() == []  # expired: no longer offered for reconnecting...
    assert all(watch() is not None for watch in watches)  # ...but still held
    assert drop_expired_sessions(server) == 0
    gc.collect()
    assert all(watch() is None for watch in watches)


def test_sessions_still_in_their_time_are_kept():
    server = Server(ttl=60)
    watches = closed_tabs(server, 2)
    assert drop_expired_sessions(server) == 2
    gc.collect()
    assert all(watch() is not None for watch in watches)
    assert [info.session.id for info in server.storage.list()] == ["tab-0", "tab-1"]


def test_without_a_server_there_is_nothing_to_drop():
    assert drop_expired_sessions() == 0  # the script run alone (AppTest, the export)
