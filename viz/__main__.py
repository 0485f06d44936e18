"""``python -m viz``: the gategraph command line."""

import sys

from .cli import main

sys.exit(main())
