"""`python -m digestsite` runs the command line."""

from digestsite.cli import entry_point

entry_point()
