"""Waiting for a Streamlit server the benchmarks started (no engine imported here: the cold
start benchmark must not compile kernels in its own process)."""

import time
import urllib.request


def wait_for_health(url, pause=0.05):
    """Return once ``url``'s Streamlit health check answers."""
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(pause)
