"""Subcommands of the ``tvportal`` command, one module each with ``register(subparsers)``."""
