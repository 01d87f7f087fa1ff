"""OCR of one scanned page: clean it, straighten it, turn it upright, read it with Tesseract, say
how sure.

Tesseract runs in-process through tesserocr (the engine is loaded once per process, not once per
page as a command-line wrapper would), with the language data of Debian's `tesseract-ocr-eng`. Page
images stay in memory: nothing of a page is written to disk.

Before the read, each step costs a few hundredths of a second on a 200-dpi page:
- lone specks (dust, fax line noise) are whitened: Tesseract reads them as stray marks;
- the skew is a projection-profile estimate: text lines make the row sums of the ink peaky, most of
  all when the lines are level, so the angle with the largest variance of row sums is the skew;
- a page fed upside down is known by its ink (`upright_score`) and turned before it is read, so it
  costs one read like any other page; a page fed sideways reads poorly and is read again turned.
The page is read as one block of text (Tesseract's page segmentation mode 6): the forms and records
are one column, and reading the page as columns split the rows of a form's table (an RFA's
diagnosis, code and service) into separate runs of text; one block is also faster.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from imr.errors import ImrError

# Debian's language data; TESSDATA_PREFIX wins when set (another distribution, a test).
_TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")

# Skew of a fed or faxed page is a few degrees; search a little wider, coarse then fine.
_SKEW_LIMIT = 4.0
_SKEW_COARSE = 0.5
_SKEW_FINE = 0.1
# The skew is measured on every n-th pixel, about this many along the long side of the page.
_SKEW_SIDE = 1100
# Below this mean word confidence the page is read again at the other orientations.
_UPRIGHT_CONFIDENCE = 70
# A page whose best reading is below this confidence, or has fewer words, is noise, not text.
_NOISE_CONFIDENCE = 35
_MIN_WORDS = 5
# Share of dark pixels above which a page is not print: text is 2-12 % ink, a noise page about half.
_NOISE_DARK = 0.3
# A page whose lines vote below -this (see `upright_score`) is turned before it is read; upright pages
# of the test packets score 0.25 to 0.8, upside-down ones -0.4 to -0.6.
_UPSIDE_DOWN = 0.15
# Rows of ink shorter than this (at 200 dpi) are no text line; fewer lines than this give no vote.
_MIN_LINE_ROWS = 6
_MIN_LINES = 3
# A pixel darker than this with no dark neighbour is a speck (see `despeckle`).
_SPECK_GREY = 192
# Tesseract reads a speck as a mark: a token of nothing but these is dropped, and an opening quote
# glued to a word with no closing quote after it on the line is dropped from the word.
_SPECK_MARK = re.compile(r"[.,:;'`\"\u2018\u2019\u201c\u201d]+")
_OPENING = {"\u2018": "\u2019", "\u201c": "\u201d", "`": "'"}


class OcrUnavailable(ImrError):
    """Tesseract or its English language data is not installed."""


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0..1
    rotation: int  # degrees the page was turned (counter-clockwise) to read it
    skew: float  # degrees the page was straightened by
    words: int
    noise: bool = False

    @property
    def is_noise(self) -> bool:
        return self.noise or self.words < _MIN_WORDS or self.confidence * 100 < _NOISE_CONFIDENCE


def tessdata_dir() -> str:
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for directory in [*candidates, *_TESSDATA_DIRS]:
        if (Path(directory) / "eng.traineddata").is_file():
            return directory.rstrip("/") + "/"
    raise OcrUnavailable("OCR needs Tesseract's English data (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)")


_local = threading.local()


def _tesserocr():
    # OpenMP threads inside Tesseract spin while they wait: one thread per engine reads more pages
    # per CPU second (pages are read one engine per worker, not one page over many threads).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import tesserocr
    except ImportError:
        raise OcrUnavailable("OCR needs the tesserocr package (pip install tesserocr)") from None
    return tesserocr


def _api():  # one engine per thread: tesserocr's API object is not thread-safe
    api = getattr(_local, "api", None)
    if api is None:
        tesserocr = _tesserocr()
        # one block of text: see the module's docstring
        api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="eng", psm=tesserocr.PSM.SINGLE_BLOCK)
        # An inverted-text pass costs a third of the time and never finds text in these documents.
        api.SetVariable("tessedit_do_invert", "0")
        _local.api = api
    return api


def _binary(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as True; the threshold halfway between the page's dark and light."""
    low, high = int(gray.min()), int(gray.max())
    return gray < (low + high) / 2 if high - low > 40 else np.zeros_like(gray, dtype=bool)


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    """How peaky the row sums of the ink are once the page is turned by `angle`: each dark pixel is
    counted in the row it would land in (y - x tan a), which costs one bincount, not a rotated image."""
    shifted = ys - xs * np.tan(np.radians(angle))
    rows = np.bincount(np.rint(shifted - shifted.min()).astype(np.int64))
    return float(np.var(np.diff(rows)))


def estimate_skew(page: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that levels the text lines of a grey page."""
    gray = np.asarray(page.convert("L"))
    step = max(1, -(-max(gray.shape) // _SKEW_SIDE))  # every n-th pixel: about 1,100 on the long side
    ys, xs = np.nonzero(_binary(gray[::step, ::step]))
    if len(ys) == 0:
        return 0.0
    ys, xs = ys.astype(np.float32), xs.astype(np.float32)
    best = max(np.arange(-_SKEW_LIMIT, _SKEW_LIMIT + 1e-9, _SKEW_COARSE), key=lambda a: _profile_score(ys, xs, float(a)))
    fine = np.arange(best - _SKEW_COARSE, best + _SKEW_COARSE + 1e-9, _SKEW_FINE)
    return round(float(max(fine, key=lambda a: _profile_score(ys, xs, float(a)))), 2)


def despeckle(gray: Image.Image) -> Image.Image:
    """The page without its lone dark pixels (scanner dust, fax line noise): a pixel darker than light
    grey with no such pixel among its eight neighbours is no print at 200 dpi, where the dot of an i
    is a few pixels across. Tesseract reads a speck beside a word as a stray mark ("10mg. #120")."""
    pixels = np.asarray(gray)
    dark = np.pad(pixels < _SPECK_GREY, 1)
    ys, xs = np.nonzero(dark)
    neighbours = np.zeros(len(ys), dtype=np.uint8)
    for dy, dx in ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)):
        neighbours += dark[ys + dy, xs + dx]
    lone = neighbours == 0
    if not lone.any():
        return gray
    cleaned = pixels.copy()
    cleaned[ys[lone] - 1, xs[lone] - 1] = 255
    return Image.fromarray(cleaned)


def upright_score(page: Image.Image) -> float:
    """Between -1 and 1: above 0 the level page's text stands upright, below 0 it is upside down.

    A line of Latin print has more ink above its x-height band (capitals, b d f h k l t) than below
    its baseline (g j p q y): in each text line, the rows of the band are the densest, and the ink
    of the rows above it against the rows below it says which way up the line is. Costs a row sum.
    """
    rows = np.count_nonzero(np.asarray(page.convert("L")) < 128, axis=1).astype(np.float64)
    inked = rows > max(2.0, rows.size * 0.001)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    votes = []
    for top, bottom in zip(edges[::2], edges[1::2]):
        line = rows[top:bottom]
        if len(line) < _MIN_LINE_ROWS:
            continue  # a rule, a box edge, a speck
        band = np.flatnonzero(line >= line.max() / 2)
        above, below = line[: band[0]].sum(), line[band[-1] + 1 :].sum()
        if above + below:
            votes.append((above - below) / (above + below))
    return float(np.mean(votes)) if len(votes) >= _MIN_LINES else 0.0


def without_specks(line: str) -> str:
    """An OCR line without the marks Tesseract read from specks (see `_SPECK_MARK`)."""
    words = [w for w in line.split() if not _SPECK_MARK.fullmatch(w)]
    for index, word in enumerate(words):
        closing = _OPENING.get(word[0])
        if closing and closing not in word[1:] and not any(closing in w for w in words[index + 1 :]):
            words[index] = word[1:]
    return " ".join(words)


def _read(api, image: Image.Image) -> tuple[str, float, int]:
    api.SetImage(image)
    # One line per text line, as a text layer has them: Tesseract's blank lines between paragraphs
    # fall where an indent changes, often inside a wrapped value ("Guideline: ..." and its next line).
    lines = (without_specks(line) for line in api.GetUTF8Text().splitlines())
    text = "\n".join(line for line in lines if line)
    confidences = [c for c in api.AllWordConfidences() if c >= 0]
    confidence = sum(confidences) / len(confidences) / 100 if confidences else 0.0
    return text, confidence, len(confidences)


@cache
def _blank_threshold() -> float:
    return 0.0002  # share of dark pixels below which a page is blank (one short line is more)


def _level(gray: Image.Image) -> tuple[Image.Image, float]:
    skew = estimate_skew(gray)
    # bilinear: as good as bicubic for Tesseract (it binarises the page anyway), in half the time
    level = gray.rotate(skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255) if abs(skew) >= 0.2 else gray
    return level, skew


def ocr_page(image: Image.Image) -> OcrResult:
    """Read one page image. A page that stands upside down (its lines' ink says so) is turned before
    it is read; the other orientations are read only when that reading is poor (a page fed sideways)."""
    api = _api()
    gray = image.convert("L")
    dark = float(np.mean(np.asarray(gray) < 128))
    if dark < _blank_threshold():
        return OcrResult("", 0.0, 0, 0.0, 0)
    if dark > _NOISE_DARK:  # printed pages are a few percent ink; this is noise (or a photo)
        return OcrResult("", 0.0, 0, 0.0, 0, noise=True)
    gray = despeckle(gray)
    level, skew = _level(gray)
    rotation = 180 if upright_score(level) < -_UPSIDE_DOWN else 0
    text, confidence, words = _read(api, level.rotate(rotation) if rotation else level)
    if confidence * 100 >= _UPRIGHT_CONFIDENCE:
        return OcrResult(text, round(confidence, 3), rotation, skew, words)
    # Read poorly: fed sideways, perhaps. Turned a quarter, its lines run across again; the quarter
    # turn whose lines stand upright is read first, and the reading stops at the first good one.
    quarter, quarter_skew = _level(gray.rotate(90, expand=True, fillcolor=255))
    first = 90 if upright_score(quarter) >= 0 else 270
    for turn in (first, 360 - first, 180 - rotation):
        turned = quarter.rotate(turn - 90, expand=True) if turn in (90, 270) else (level.rotate(turn) if turn else level)
        t, c, w = _read(api, turned)
        if c > confidence and w >= _MIN_WORDS:
            text, confidence, words, rotation = t, c, w, turn
            skew = quarter_skew if turn in (90, 270) else skew
        if confidence * 100 >= _UPRIGHT_CONFIDENCE:
            break
    return OcrResult(text, round(confidence, 3), rotation, skew, words)
