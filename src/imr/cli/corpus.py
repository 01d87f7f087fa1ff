"""`imr corpus` commands (filled in by the package that owns them)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
