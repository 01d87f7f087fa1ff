"""`imr serve`: the web app (API and workbench) under uvicorn, on the database the settings name.

In production run several worker processes on PostgreSQL (one Python process uses one core at a time):

    IMR_DATABASE_URL=postgresql+psycopg://imr@127.0.0.1:5432/imr imr serve --host 0.0.0.0 --workers 4
"""

from __future__ import annotations

import sys

import typer

# Behind a proxy or with clients that send request after request, a short keep-alive closes connections
# just as the next request is sent (the client sees a dropped connection).
KEEP_ALIVE_SECONDS = 30


def _prepare_once() -> None:
    """What every worker would otherwise race to do at start: migrate the database, make the secret key."""
    from imr.cases import open_database
    from imr.settings import get_settings
    from imr.web.auth import secret_key

    settings = get_settings()
    open_database(settings=settings).dispose()
    secret_key(settings)


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
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=1,
        max=64,
        help="Worker processes: in production one or two per core, with PostgreSQL (IMR_DATABASE_URL).",
    ),
    access_log: bool = typer.Option(False, "--access-log", help="Log each request line (paths carry case ids)."),
) -> None:
    """Start the case service API (OpenAPI at /docs) on the embedded database unless IMR_DATABASE_URL is set."""
    import uvicorn

    from imr.settings import get_settings

    if workers > 1 and not get_settings().database_url:
        print(
            "imr: note: several workers share the embedded SQLite database's one writer; use PostgreSQL "
            "(IMR_DATABASE_URL) for production",
            file=sys.stderr,
        )
    _prepare_once()
    typer.echo(startup_message(host, port, _has_accounts()))
    uvicorn.run(
        "imr.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=access_log,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
    app.command("serve")(serve)
