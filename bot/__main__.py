"""python -m bot: serve until SIGTERM or Ctrl-C; or run `check`, `audit` or `rotate-keys`."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
