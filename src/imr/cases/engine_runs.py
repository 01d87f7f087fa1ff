"""The review engine's draft of a case on file: made in this process (the command line), or in a
process of its own (the server), so that the seconds of CPU a large record takes are never taken from
the other users' requests, and a case that runs too long or exhausts its process is stopped alone.

Either way the result is the engine's draft, or a blank draft that says why there is none, so that the
reviewer can always decide the case by hand. Only the error's class is ever logged, never case data.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from multiprocessing import forkserver
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from imr.casefile import stored_case
from imr.model import Determination, DisputedItem, IssueDecision

_log = logging.getLogger(__name__)

# A case's identity (for the log), its case file as stored, and its disputed items (text, kind) for a
# blank draft; the engine's draft and where it came from ("engine" or "blank").
EngineDraft = Callable[[int, dict[str, Any], list[tuple[str, str]]], tuple[Determination, str]]

# The draft processes fork from a server that has already reviewed an example case: the rule book is
# loaded and every pattern compiled there once, so a draft's process starts in milliseconds.
_WARM_MODULE = "imr.cases.engine_warmup"


def blank_draft(items: list[tuple[str, str]], why: str) -> Determination:
    """One undecided item per disputed item, each saying why the engine has not decided it."""
    return Determination(
        issues=[
            IssueDecision(item=DisputedItem.model_validate({"text": text, "kind": kind}), outcome=None, abstain_reason=why)
            for text, kind in items
        ]
    )


def engine_draft(case_id: int, case_file: dict[str, Any], items: list[tuple[str, str]]) -> tuple[Determination, str]:
    """The engine's draft made in this process; a blank draft when the engine fails on this case."""
    from imr.review import review_case  # the engine loads its rule book and pipeline on first use

    try:
        return review_case(stored_case(case_file)), "engine"
    except Exception as error:  # noqa: BLE001 - an engine fault must not block a statutory review
        _log.warning("review engine failed on case id %s: %s", case_id, error.__class__.__name__)
        return blank_draft(items, f"no engine draft: the review engine failed ({error.__class__.__name__})"), "blank"


def _draft_in_child(answer: Connection, case_id: int, case_file: dict[str, Any], items: list[tuple[str, str]]) -> None:
    draft, source = engine_draft(case_id, case_file, items)
    answer.send((draft.to_json_dict(), source))
    answer.close()


class DraftProcesses:
    """Engine drafts, each in a process of its own, at most `processes` at a time (the rest wait their
    turn); a draft still running after `timeout` seconds is stopped and the case gets a blank draft."""

    def __init__(self, processes: int, timeout: float) -> None:
        self._turns = threading.BoundedSemaphore(processes)
        self._timeout = timeout
        self._context: Any = None
        self._context_lock = threading.Lock()

    def _fork_server(self) -> Any:
        with self._context_lock:
            if self._context is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([_WARM_MODULE])
                self._context = context
            return self._context

    def start(self) -> None:
        """Start the fork server now (the server calls this as it starts): starting it forks this whole
        process while holding the interpreter, which a request should not wait for."""
        self._fork_server()
        forkserver.ensure_running()

    def draft(self, case_id: int, case_file: dict[str, Any], items: list[tuple[str, str]]) -> tuple[Determination, str]:
        context = self._fork_server()
        with self._turns:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_draft_in_child, args=(send, case_id, case_file, items), daemon=True)
            process.start()
            send.close()
            try:
                if receive.poll(self._timeout):
                    content, source = receive.recv()
                    return Determination.model_validate(content), source
                why = f"the review engine took longer than {self._timeout:g} s on this case"
            except EOFError:  # the process ended without an answer: killed, out of memory, crashed
                why = "the review engine's process stopped before it finished"
            finally:
                receive.close()
                if process.is_alive():
                    process.kill()
                process.join()
        _log.warning("review engine stopped on case id %s (exit code %s)", case_id, process.exitcode)
        return blank_draft(items, f"no engine draft: {why}"), "blank"
