"""The one cache policy: what a scene computes is remembered in process-wide LRU stores.

Every product of a scene (its race, basin map, sweep, typed-formula surface, the dry runs
of validation) is remembered under a canonical string of exactly the settings it depends
on (``Scene.key``), in a bounded store that every session of the server shares: thirty
students on the same lesson compute it once. Stores are plain and thread-safe (Streamlit
runs each session's script in a thread of its own); unlike ``st.cache_*`` they can be
asked whether a result is there yet, so the app shows a progress bar only when it will
compute.
"""

from collections import OrderedDict
from threading import Lock


class Store:
    """A thread-safe LRU mapping of at most ``size`` entries."""

    def __init__(self, size):
        self._size, self._items, self._lock = size, OrderedDict(), Lock()

    def get(self, key):
        """The value stored under ``key``, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key, value):
        """Stores ``value`` under ``key`` (dropping the least recently used) and returns it."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def remember(self, key, compute):
        """The value under ``key``, computed by ``compute()`` and stored the first time."""
        found = self.get(key)
        return found if found is not None else self.put(key, compute())
