"""The fixed split of published letters into a development half and a validation half.

A letter is in the validation half when the first byte of SHA-256 of its case number is odd. The rule
was fixed once (2026-12-03) before any rule was written from the letters it splits, so that rules are
written looking at the development half only and measured on the other (tests/fixtures/letters/eval).
"""

from __future__ import annotations

import hashlib
import sys
from typing import Literal

Half = Literal["development", "validation"]


def half_of(case_number: str) -> Half:
    digest = hashlib.sha256(case_number.strip().encode("utf-8")).digest()
    return "validation" if digest[0] % 2 else "development"


if __name__ == "__main__":
    for number in sys.argv[1:]:
        print(f"{number}\t{half_of(number)}")
