"""``python -m ssot_guard check``: the same as the ``ssot-guard`` command."""

import sys

from ._cli import main

sys.exit(main())
