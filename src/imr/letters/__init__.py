"""Final Determination Letters: the parser (text and PDF, every known layout) and the renderer.

The letter's data model lives in `imr.model`; read letters with `imr.letters.parse.parse_letter` /
`parse_letter_text` and write them with `imr.letters.render.render_letter`. The two modules are not
imported here because the PDF and template libraries behind them cost start-up time.
"""

# The files a letter comes in; in a folder, other files (notes, JSON, images) are not letters.
LETTER_SUFFIXES = (".txt", ".pdf")
