"""``python -m export``: the export command (``export.command``)."""

import sys

from .command import main

sys.exit(main())
