"""Where letters come from: files, directories (walked) and zip archives (their members).

A source is a (container, member) pair: a file path and None, or an archive path and the member's name.
Workers read the bytes themselves, so only these small pairs cross process boundaries; archives are
opened once per worker process, not once per member.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from imr.errors import ImrError

LETTER_SUFFIXES = (".txt", ".pdf", ".json")
ARCHIVE_SUFFIXES = (".zip",)

Source = tuple[str, "str | None"]

# A letter is a few pages: a PDF of a few hundred kilobytes. A member declaring more is refused before
# it is inflated (a small archive can declare gigabytes), and so is an archive of more members than
# any corpus holds (its directory alone would fill memory).
MAX_LETTER_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 2_000_000


class SourceError(ImrError):
    """A path given to ingest does not exist or cannot be read as a letter, directory or archive."""


def origin(source: Source) -> str:
    """How a report names a source: the path, or 'archive.zip!member'."""
    container, member = source
    return container if member is None else f"{container}!{member}"


def suffix(source: Source) -> str:
    return os.path.splitext(source[1] or source[0])[1].lower()


def find_sources(paths: Sequence[str | Path]) -> Iterator[Source]:
    """Every letter under the given paths, in a stable order (sorted names)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield from _file_sources(Path(root) / name, given=False)
        elif path.is_file():
            yield from _file_sources(path, given=True)
        else:
            raise SourceError(f"{path}: no such file or directory")


def _file_sources(path: Path, *, given: bool) -> Iterator[Source]:
    lower = path.name.lower()
    if lower.endswith(ARCHIVE_SUFFIXES):
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_ARCHIVE_MEMBERS:
                    raise SourceError(f"{path}: {len(infos):,} members; an archive may hold at most {MAX_ARCHIVE_MEMBERS:,}")
                names = sorted(info.filename for info in infos if not info.is_dir())
        except (zipfile.BadZipFile, OSError) as error:
            raise SourceError(f"{path}: not a readable zip archive ({error.__class__.__name__})") from None
        yield from ((str(path), name) for name in names if name.lower().endswith(LETTER_SUFFIXES) and not _hidden(name))
    elif lower.endswith(LETTER_SUFFIXES) and not _hidden(path.name):
        yield (str(path), None)
    elif given:
        raise SourceError(f"{path}: not a letter (.txt, .pdf, .json) or a zip archive")


def _hidden(name: str) -> bool:
    # macOS archive debris (__MACOSX/, ._name) and dot files are never letters
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") or name.startswith("__MACOSX/")


@lru_cache(maxsize=8)
def _archive(path: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


class TooLarge(SourceError):
    """A letter (file or archive member) larger than `MAX_LETTER_BYTES`."""


def read_source(source: Source) -> bytes:
    """The bytes of one letter; `TooLarge` for a letter over `MAX_LETTER_BYTES` (nothing inflated)."""
    container, member = source
    if member is None:
        size = Path(container).stat().st_size
    else:
        size = _archive(container).getinfo(member).file_size
    if size > MAX_LETTER_BYTES:
        raise TooLarge(f"larger than {MAX_LETTER_BYTES // (1024 * 1024)} MB ({size:,} bytes)")
    if member is None:
        return Path(container).read_bytes()
    # the declared size bounds what is inflated: zipfile stops there and checks the CRC
    return _archive(container).read(member)
