"""The example flows of docs/cases.md, which the tests run exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"


def docs_flow(marker: str) -> str:
    """The shell block that follows `<!-- flow:<marker> ... -->` in docs/cases.md (the example flows
    the README quotes)."""
    text = (DOCS / "cases.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- flow:{marker}\b.*?-->\s*```sh\n(.*?)```", text, re.S)
    if not found:
        raise LookupError(f"no flow:{marker} block in docs/cases.md")
    return found.group(1)
