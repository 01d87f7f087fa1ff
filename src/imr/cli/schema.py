"""`imr schema letter|case`: the published JSON Schemas of the letter and the case file."""

from __future__ import annotations

import json
from enum import Enum

import typer


class SchemaName(str, Enum):
    letter = "letter"
    case = "case"


def schema(name: SchemaName = typer.Argument(..., help="letter or case")) -> None:
    """Print the JSON Schema of a Final Determination (letter) or of a case file (case)."""
    if name is SchemaName.letter:
        from imr.model import Determination as model
    else:
        from imr.casefile import CaseFile as model
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
