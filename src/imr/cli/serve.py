"""`imr serve`: the web app (API and workbench) under uvicorn, on the database the settings name."""

from __future__ import annotations

import typer


def _address(host: str, port: int) -> str:
    """The URL a browser on this machine opens: a wildcard address is reached as localhost."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def _has_accounts() -> bool | None:
    """Whether anyone can sign in yet; None when the database cannot be read (the server will say why)."""
    from sqlalchemy import func, select

    from imr.cases import open_database
    from imr.cases.models import User

    try:
        database = open_database()
    except Exception:  # noqa: BLE001 - uvicorn's start reports the real error a moment later
        return None
    try:
        with database.reading() as session:
            return bool(session.scalar(select(func.count()).select_from(User)))
    except Exception:  # noqa: BLE001
        return None
    finally:
        database.dispose()


def startup_message(host: str, port: int, has_accounts: bool | None) -> str:
    url = _address(host, port)
    lines = [f"imr is serving on {url}/  (workbench; API docs at {url}/docs and {url}/redoc). Ctrl-C stops it."]
    if has_accounts is False:
        lines += [
            "No accounts yet. Create the first (an admin) in another terminal:",
            "    imr users add NAME --role admin",
            f"then sign in at {url}/login; more accounts are made there (Accounts) or with `imr users add`.",
        ]
    return "\n".join(lines)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, help="Port."),
    access_log: bool = typer.Option(False, "--access-log", help="Log each request line (paths carry case ids)."),
) -> None:
    """Start the case service API (OpenAPI at /docs) on the embedded database unless IMR_DATABASE_URL is set."""
    import uvicorn

    typer.echo(startup_message(host, port, _has_accounts()))
    uvicorn.run("imr.web.app:create_app", factory=True, host=host, port=port, log_level="warning", access_log=access_log)


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
    app.command("serve")(serve)
