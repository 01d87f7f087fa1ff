"""`imr letter` subcommands (filled in by the letters package)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register this module's commands on the `letter` sub-app."""
