"""The packet fixtures: typed and scanned packets made by imr.packets.synth, each with its truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

PACKETS = Path(__file__).parent.parent / "fixtures" / "packets"
TYPED = sorted(p for p in PACKETS.glob("packet-*.pdf") if p.stem.count("-") == 1)
SCANNED = sorted(p for p in PACKETS.glob("packet-*-*.pdf"))


def truth_of(pdf: Path) -> dict[str, Any]:
    return yaml.safe_load(pdf.with_suffix(".yaml").read_text(encoding="utf-8"))


def locked_copy(pdf: Path, to: Path) -> Path:
    """A password-protected copy of a packet file, as a sender may send one."""
    writer = pypdf.PdfWriter(clone_from=pdf)
    writer.encrypt("secret")
    with to.open("wb") as out:
        writer.write(out)
    return to


@pytest.fixture(scope="session")
def typed_packets() -> list[Path]:
    return TYPED


@pytest.fixture(scope="session")
def scanned_packets() -> list[Path]:
    return SCANNED
