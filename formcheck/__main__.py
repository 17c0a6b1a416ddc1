"""``python -m formcheck`` runs the command-line interface."""

from formcheck.cli.app import main

if __name__ == "__main__":
    main()
