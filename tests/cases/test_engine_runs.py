"""The engine's draft in a process of its own: the same draft as in this process, and a case that runs
too long or whose process dies gets a blank draft that says why, while the server goes on."""

from __future__ import annotations

import multiprocessing
import threading
import time
from importlib import resources
from typing import Any

import yaml

from imr.cases.engine_runs import DraftProcesses, engine_draft

ITEMS = [("Norco 10/325 mg #60", "drug")]
NOTE = "She has taken Norco 10/325 mg twice daily since 2012 with pain 7/10; start gabapentin. "


def _example() -> dict[str, Any]:
    text = (resources.files("imr.examples") / "cases" / "opioid-norco.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _large(example: dict[str, Any]) -> dict[str, Any]:
    return {**example, "records": [{"date": "2016-12-12", "text": NOTE * 4000}]}  # 350 KB: seconds of engine time


def test_a_draft_made_in_its_own_process_is_the_draft_made_here() -> None:
    case_file = _example()
    here, source_here = engine_draft(1, case_file, ITEMS)
    there, source_there = DraftProcesses(1, timeout=120).draft(1, case_file, ITEMS)
    assert source_here == source_there == "engine"
    assert there.to_json_dict() == here.to_json_dict()
    assert [i.outcome for i in there.issues] and all(i.outcome for i in there.issues)


def test_a_draft_that_runs_too_long_is_stopped_with_a_blank_draft() -> None:
    draft, source = DraftProcesses(1, timeout=0.2).draft(7, _large(_example()), ITEMS)
    assert source == "blank"
    assert [i.outcome for i in draft.issues] == [None]
    assert draft.issues[0].abstain_reason == "no engine draft: the review engine took longer than 0.2 s on this case"
    assert not multiprocessing.active_children(), "the stopped draft's process is still running"


def test_a_draft_whose_process_dies_gets_a_blank_draft() -> None:
    processes = DraftProcesses(1, timeout=120)
    answer: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: answer.update(result=processes.draft(8, _large(_example()), ITEMS)))
    worker.start()
    deadline = time.monotonic() + 60
    while not multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    for child in multiprocessing.active_children():
        child.kill()  # as the kernel would, out of memory
    worker.join(120)
    draft, source = answer["result"]
    assert source == "blank"
    assert draft.issues[0].abstain_reason == "no engine draft: the review engine's process stopped before it finished"


def test_drafts_beyond_the_processes_wait_their_turn() -> None:
    processes = DraftProcesses(1, timeout=120)
    running: list[int] = []
    most = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal most
        while not stop.is_set():
            running.append(len(multiprocessing.active_children()))
            most = max(most, running[-1])
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    drafts = [threading.Thread(target=processes.draft, args=(n, _example(), ITEMS)) for n in range(3)]
    for thread in drafts:
        thread.start()
    for thread in drafts:
        thread.join(120)
    stop.set()
    watcher.join()
    assert most == 1 and max(running) == 1
