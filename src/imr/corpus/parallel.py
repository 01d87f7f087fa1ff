"""Where the corpus's parallel work runs: a local process pool by default, a Dask cluster when asked.

Both ingest and evaluation hand out chunk tasks with a bounded number in flight (memory stays flat
on a million letters) and take the results back in submission order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from imr.errors import ImrError


class Runner:
    """Runs chunk tasks with a bounded number in flight, on a process pool or a Dask cluster."""

    def __init__(
        self,
        workers: int | None,
        cluster: str | None,
        *,
        initializer: Callable[[], None] | None = None,
        window: int | None = None,
    ) -> None:
        self.cluster = cluster
        if cluster:
            from distributed import Client

            try:
                self.client = Client(cluster, timeout="10s", set_as_default=False)
            except OSError as error:
                raise ImrError(f"cannot reach the Dask scheduler at {cluster} ({error})") from None
            self.window = max(window or 0, 4, 2 * sum(self.client.nthreads().values()))
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            count = workers or os.cpu_count() or 1
            self.pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=initializer)
            # with fork the pool starts every worker at the first task: do it now, before the caller
            # starts threads (a progress bar) that a forked child must not inherit mid-lock
            self.pool.submit(_ready).result()
            self.window = max(window or 0, 2 * count)

    def submit(self, function: Callable, *args):  # noqa: ANN201
        if self.cluster:
            return self.client.submit(function, *args, pure=False)
        return self.pool.submit(function, *args)

    def close(self, *, cancel: bool = False) -> None:
        if self.cluster:
            self.client.close()
        else:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


def _ready() -> bool:
    return True


def run_tasks(runner: Runner, function: Callable, tasks: Iterable[tuple]) -> Iterator:
    """Results of function(*task) in task order, at most runner.window in flight."""
    pending: deque = deque()
    for task in tasks:
        pending.append(runner.submit(function, *task))
        if len(pending) >= runner.window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
