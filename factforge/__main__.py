"""``python -m factforge`` is the ``factforge`` command."""

from factforge.cli import main

main()
