"""Scanned variants of a typed packet: each page rasterised, skewed, speckled or fax-binarised, and
wrapped again as an image-only PDF (no text layer), the way a faxed packet arrives.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image


@dataclass(frozen=True)
class ScanStyle:
    dpi: int = 300
    skew: float = 0.0  # degrees; each page gets a random angle within +-skew
    speckle: float = 0.0  # share of pixels flipped to black
    fax: bool = False  # binarise at fax resolution (204 x 196 dpi), then back to `dpi`
    rotate_pages: tuple[int, ...] = ()  # 1-based pages fed upside down or sideways (180/90/270 in turn)


STYLES = {
    "clean300": ScanStyle(300),
    "clean200": ScanStyle(200),
    "skewed300": ScanStyle(300, skew=2.0, speckle=0.0005, rotate_pages=(3,)),
    "speckled300": ScanStyle(300, speckle=0.002),  # a dusty glass: four times the specks, level pages
    "fax": ScanStyle(200, skew=1.5, speckle=0.001, fax=True),
}


def scan_pdf(pdf: bytes, style: ScanStyle, *, seed: int = 0) -> bytes:
    """The image-only PDF a scanner (or fax) would make of `pdf`."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pdf)
    images: list[Image.Image] = []
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=style.dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if style.fax:
                width, height = image.size
                image = image.resize((int(width * 204 / style.dpi), int(height * 196 / style.dpi)), Image.Resampling.BILINEAR)
                image = image.point(lambda v: 255 if v > 150 else 0).resize((width, height), Image.Resampling.NEAREST)
            if style.skew:
                image = image.rotate(rng.uniform(-style.skew, style.skew), resample=Image.Resampling.BICUBIC, fillcolor=255)
            if style.speckle:
                pixels = np.asarray(image).copy()
                pixels[noise.random(pixels.shape) < style.speckle] = 0
                image = Image.fromarray(pixels)
            if index + 1 in style.rotate_pages:
                turn = (180, 90, 270)[style.rotate_pages.index(index + 1) % 3]
                image = image.rotate(turn, expand=True, fillcolor=255)
            # Office scanners and fax machines send black-and-white pages; they are also 10x smaller.
            images.append(image.point(lambda v: 255 if v > 160 else 0).convert("1"))
    finally:
        document.close()
    return images_to_pdf(images, style.dpi)


def images_to_pdf(images: list[Image.Image], dpi: int) -> bytes:
    """Page images wrapped as a PDF with no text layer (bilevel pages compress as a fax does)."""
    buffer = io.BytesIO()
    first, rest = images[0], images[1:]
    first.save(buffer, format="PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return buffer.getvalue()


def noise_page(width: int = 1700, height: int = 2200, *, seed: int = 0) -> Image.Image:
    """A page of pure noise (a scanner fault, a fax line error)."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width), dtype=np.uint8)
    return Image.fromarray(pixels)
