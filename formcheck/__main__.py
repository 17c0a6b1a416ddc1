"""``python -m formcheck`` runs the command-line interface."""

from formcheck.cli.app import main

main()
