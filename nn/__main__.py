"""``python -m nn`` and the ``nn-train`` console script: see :mod:`nn.cli`."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (the demo without arguments); returns the exit status."""
    from nn.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
