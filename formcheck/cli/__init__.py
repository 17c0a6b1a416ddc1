"""The command-line interface (typer); ``formcheck.cli.app:main`` is the entry point."""
