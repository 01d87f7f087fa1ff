"""The `imr` command: thin Typer commands over the packages.

Each module here owns the commands of one package and registers them with `register(app)`. Modules
import their package lazily, inside the command, so that `imr --help` and `imr review` start fast.
Any `ImrError` becomes a one-line message on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys


def _interrupted_while_starting(_signum: int, _frame: object) -> None:
    # Ctrl-C while the commands are still being imported: one line and exit 130, never a traceback
    os.write(2, b"imr: interrupted\n")
    os._exit(130)


signal.signal(signal.SIGINT, _interrupted_while_starting)

import typer  # noqa: E402

from imr.errors import ImrError  # noqa: E402

app = typer.Typer(
    name="imr",
    help="California workers' compensation Independent Medical Review, end to end.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """California workers' compensation Independent Medical Review, end to end."""


# One module per package; each defines register(app).
COMMAND_MODULES = ("schema", "letter", "packets", "review", "cases", "corpus", "serve", "demo")

for _name in COMMAND_MODULES:
    _module = importlib.import_module(f"imr.cli.{_name}")
    _module.register(app)


_interrupted = False


def _interrupt(_signum: int, _frame: object) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)  # from here on, Ctrl-C is a KeyboardInterrupt (and noted)
    try:
        app()
    except SystemExit as done:
        # Typer turns Ctrl-C into a silent exit 130: say what happened, on one line
        if _interrupted and done.code == 130:
            print("imr: interrupted", file=sys.stderr)
        raise
    except ImrError as error:
        print(f"imr: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("imr: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as error:  # a bug, not bad input: still one line unless asked for the trace
        if os.environ.get("IMR_DEBUG"):
            raise
        # the class only: the error's text can carry case data (a database error's values)
        print(f"imr: internal error: {error.__class__.__name__} (set IMR_DEBUG=1 for the trace)", file=sys.stderr)
        raise SystemExit(1) from None
