"""A process killed in the middle of a transaction leaves no half-written case."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select, text

from imr.cases.models import Case
from imr.examples import EXAMPLE_SERVICE

EXAMPLE = EXAMPLE_SERVICE / "case.yaml"

WRITER = textwrap.dedent("""
    import sys, time
    from imr.casefile import load_case
    from imr.cases import command_line_actor, open_database, service
    database = open_database(sys.argv[1])
    with database.transaction() as session:
        case = service.import_case(session, command_line_actor(), load_case(sys.argv[2]),
                                   documents=[service.NewDocument("note.txt", b"Progress note.")])
        session.flush()              # parties, items, document and audit rows are written...
        print("flushed", flush=True)
        time.sleep(60)               # ...and the process is killed before the commit
""")


def test_killed_writer_leaves_nothing(database) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(EXAMPLE)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "flushed"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with database.transaction() as session:  # the next writer gets the lock and finds nothing
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        for table in ("case_parties", "case_items", "case_documents", "case_document_blobs", "case_audit_log"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
