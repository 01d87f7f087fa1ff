"""Refit what confidence means: agreement per decision path on published letters (development half only).

    python -m imr.review.calibrate tests/fixtures/letters/eval/development

prints the `paths:` block of data/confidence.yaml: for each way a recommendation is reached, the share
of published decisions that agreed (smoothed: (agreed + 1) / (items + 2)), and how many items it rests on. A path seen fewer than `--min`
times keeps the value it has (too few items to say).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import yaml

from imr.review.evaluation import evaluate, expand
from imr.review.split import half_of

DATA = __import__("pathlib").Path(__file__).parent / "data" / "confidence.yaml"


def fitted_paths(paths: list[str], minimum: int) -> dict[str, dict[str, float | int]]:
    current = yaml.safe_load(DATA.read_text(encoding="utf-8"))["paths"]
    letters = expand(paths)
    if any(half_of(p.stem) == "validation" for p in letters if p.stem.startswith("CM")):
        raise SystemExit("calibrate: refusing letters of the validation half (fit on the development half only)")
    agree: dict[str, list[bool]] = defaultdict(list)
    for result in evaluate(letters).results:
        if result.engine is not None:
            agree[result.path].append(result.agrees)
    fitted: dict[str, dict[str, float | int]] = {}
    for path, entry in current.items():
        seen = agree.get(path, [])
        # Laplace's rule of succession: a handful of items never claims certainty (13 of 13 is 0.93)
        value = round((sum(seen) + 1) / (len(seen) + 2), 2) if len(seen) >= minimum else float(entry["confidence"])
        fitted[path] = {"confidence": value, "items": len(seen)}
    return fitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("letters", nargs="+")
    parser.add_argument("--min", type=int, default=5, help="fewest items a path needs to be refit")
    args = parser.parse_args()
    for path, entry in fitted_paths(args.letters, args.min).items():
        print(f"  {path + ':':23} {{confidence: {entry['confidence']:.2f}, items: {entry['items']}}}")


if __name__ == "__main__":
    main()
