"""`imr letter parse|render`: the letters package on the command line."""

from __future__ import annotations

import typer

letter_app = typer.Typer(help="Read and write IMR Final Determination Letters.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from imr.cli import letter_parse, letter_render

    letter_parse.register(letter_app)
    letter_render.register(letter_app)
    app.add_typer(letter_app, name="letter")
