"""``python -m jailtui``: the same as the ``jailtui`` command."""

import sys

from .cli import main

sys.exit(main())
