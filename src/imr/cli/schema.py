"""`imr schema letter|case|rules`: the published JSON Schemas of the letter, the case file and a guideline rule."""

from __future__ import annotations

import json
from enum import Enum

import typer


class SchemaName(str, Enum):
    letter = "letter"
    case = "case"
    rules = "rules"


def schema(name: SchemaName = typer.Argument(..., help="letter, case or rules")) -> None:
    """Print the JSON Schema of a Final Determination (letter), a case file (case) or a guideline rule (rules)."""
    from pydantic import BaseModel

    from imr.casefile import CaseFile
    from imr.guidelines.model import Rule
    from imr.model import Determination

    models: dict[SchemaName, type[BaseModel]] = {
        SchemaName.letter: Determination,
        SchemaName.case: CaseFile,
        SchemaName.rules: Rule,
    }
    typer.echo(json.dumps(models[name].model_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
