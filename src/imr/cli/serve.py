"""`imr serve`: the web app (API and workbench) under uvicorn, on the database the settings name."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, help="Port."),
    access_log: bool = typer.Option(False, "--access-log", help="Log each request line (paths carry case ids)."),
) -> None:
    """Start the case service API (OpenAPI at /docs) on the embedded database unless IMR_DATABASE_URL is set."""
    import uvicorn

    uvicorn.run("imr.web.app:create_app", factory=True, host=host, port=port, log_level="warning", access_log=access_log)


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
    app.command("serve")(serve)
