"""Bulk ingest: find letters, parse them in parallel, store them in batches, report what failed.

Workers (a process pool, or Dask workers with `cluster=`) read, hash and parse chunks of letters and
hand back ready-made rows; the main process is the single writer, one transaction per batch. A letter
whose content hash is already held is skipped (workers check before parsing, the writer checks again
under its lock), so a run stopped at any point - Ctrl-C, a crash, a kill - and run again stores every
letter exactly once. A letter that fails to parse is recorded with the reason and never stops the run.
"""

from __future__ import annotations

import csv
import hashlib
import signal
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from imr.corpus.extract import to_rows
from imr.corpus.parallel import Runner, run_tasks
from imr.corpus.sources import Source, TooLarge, find_sources, origin, read_source, suffix
from imr.corpus.store import CorpusStore, Failure, ParsedLetter, forget_inherited_connections
from imr.errors import ImrError, LetterError
from imr.model import Determination

CHUNK = 200  # letters per worker task: large enough to amortise the hand-off, small enough to balance
BATCH = 2000  # letters per write transaction


@dataclass(slots=True)
class ChunkResult:
    letters: list[ParsedLetter] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    held: int = 0
    count: int = 0


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did. `seen` = stored + already_held + failed (+ not reached if interrupted)."""

    seen: int = 0
    stored: int = 0
    items: int = 0
    already_held: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    failures: list[Failure] = field(default_factory=list)
    report_path: Path | None = None

    @property
    def letters_per_second(self) -> float:
        return self.seen / self.seconds if self.seconds else 0.0


# -- the worker side ------------------------------------------------------------------------------
def parse_bytes(source: Source, data: bytes) -> Determination:
    """Parse one letter from its bytes by its type: text, PDF, or a Determination as JSON."""
    kind = suffix(source)
    if kind == ".json":
        try:
            return Determination.model_validate_json(data)
        except ValueError as error:
            raise LetterError(f"not a Determination JSON ({str(error).splitlines()[0]})") from None
    from imr.letters.parse import parse_letter, parse_letter_text

    if kind == ".pdf":
        if source[1] is None:
            return parse_letter(Path(source[0]))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            return parse_letter(Path(handle.name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return parse_letter_text(text)


@cache
def _worker_store(url: str) -> CorpusStore:
    return CorpusStore(url)


def process_chunk(sources: Sequence[Source], url: str | None) -> ChunkResult:
    """Read, hash, skip what the corpus holds, parse the rest: one worker task."""
    result = ChunkResult(count=len(sources))
    read: list[tuple[Source, str, bytes]] = []
    for source in sources:
        try:
            data = read_source(source)
        except (OSError, KeyError, TooLarge) as error:
            # no content to hash: the failure is keyed by where the letter was
            key = hashlib.sha256(("unreadable:" + origin(source)).encode("utf-8")).hexdigest()
            why = str(error) if isinstance(error, TooLarge) else error.__class__.__name__
            result.failures.append(Failure(key, origin(source), f"cannot read ({why})"))
            continue
        read.append((source, hashlib.sha256(data).hexdigest(), data))
    held = _worker_store(url).held([h for _, h, _ in read]) if url else set()
    for source, content_hash, data in read:
        if content_hash in held:
            result.held += 1
            continue
        try:
            determination = parse_bytes(source, data)
            result.letters.append(to_rows(determination, content_hash, origin(source)))
        except ImrError as error:
            result.failures.append(Failure(content_hash, origin(source), str(error)))
        except Exception as error:  # a parser bug on one letter must not stop a run of a million
            result.failures.append(Failure(content_hash, origin(source), f"internal error: {error.__class__.__name__}: {error}"))
    return result


def _worker_init() -> None:
    # Ctrl-C is the writer's to handle: it stops submitting and lets the pool wind down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget_inherited_connections()
    _worker_store.cache_clear()


# -- the writer side ------------------------------------------------------------------------------
def chunked(sources: Iterable[Source], size: int) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    for source in sources:
        chunk.append(source)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest(
    paths: Sequence[str | Path],
    *,
    url: str | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    batch_size: int = BATCH,
    chunk_size: int = CHUNK,
    report_path: Path | None = None,
    progress: bool = False,
    optimize: bool = False,
) -> IngestReport:
    """Ingest every letter under `paths` into the corpus; see the module docstring for the guarantees."""
    store = CorpusStore(url)
    sources = list(find_sources(paths))
    report = IngestReport()
    started = time.perf_counter()
    # enough chunks in flight that the workers keep parsing while the writer writes a batch
    runner = Runner(workers, cluster, initializer=_worker_init, window=2 * max(1, batch_size // chunk_size))
    bar = _progress(len(sources)) if progress else None
    letters: list[ParsedLetter] = []
    failures: list[Failure] = []

    def flush() -> None:
        if letters or failures:
            written = store.write_batch(letters, failures)
            report.stored += written.stored
            report.items += written.items
            report.already_held += written.already_held
            report.failed += len(failures)
            report.failures.extend(failures)
            letters.clear()
            failures.clear()

    try:
        tasks = ((chunk, store.url) for chunk in chunked(sources, chunk_size))
        for result in run_tasks(runner, process_chunk, tasks):
            report.seen += result.count
            report.already_held += result.held
            letters.extend(result.letters)
            failures.extend(result.failures)
            if len(letters) + len(failures) >= batch_size:
                flush()
            if bar is not None:
                elapsed = time.perf_counter() - started
                bar[0].update(
                    bar[1], advance=result.count, description=_describe(report), rate=f"{report.seen / elapsed:,.0f} letters/s"
                )
        flush()
        if optimize:
            store.optimize()
    except KeyboardInterrupt:
        report.interrupted = True
        runner.close(cancel=True)  # queued chunks are dropped; the finally below must not wait for them
        flush()  # what was parsed before the interrupt is kept; the rest is picked up by the next run
    finally:
        if not report.interrupted:
            runner.close()
        if bar is not None:
            bar[0].stop()
        store.close()
        report.seconds = time.perf_counter() - started
    if report.failures:
        report.report_path = write_failure_report(report.failures, report_path)
    return report


def _describe(report: IngestReport) -> str:
    return f"stored {report.stored:,} · held {report.already_held:,} · failed {report.failed:,}"


def _progress(total: int):  # noqa: ANN202
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )
    task = bar.add_task("ingesting", total=total, rate="")
    bar.start()
    return bar, task


def write_failure_report(failures: Sequence[Failure], path: Path | None = None) -> Path:
    """A CSV of the letters that failed this run: where each came from, its hash, and why."""
    if path is None:
        from imr.settings import get_settings

        folder = get_settings().data_dir / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"ingest-failures-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.csv"
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["origin", "content_hash", "reason"])
        writer.writerows((f.origin, f.content_hash, f.reason) for f in failures)
    return Path(path)
