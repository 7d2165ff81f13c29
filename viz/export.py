"""The old name of the export command: ``python -m viz.export`` runs ``python -m export``.

The export moved out of ``viz`` (which holds only figure builders) into a package of its
own; links in old notes and scripts keep working and are told where it went.
"""

import sys

if __name__ == "__main__":
    from export.command import main

    print("note: the export command is now `python -m export`", file=sys.stderr)
    sys.exit(main())
