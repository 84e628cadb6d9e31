"""`python -m collablens` runs the command line."""

from collablens.cli import main

main()
