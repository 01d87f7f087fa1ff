"""imr: California workers' compensation Independent Medical Review, end to end.

Packages, in the order data flows through them (nothing imports a package above it):
letters (the Final Determination model, parser, renderer) · drugs (lexicon) · items (request text) ·
clinical (facts from records) · guidelines (rules as data) · review (recommendation, evaluation) ·
cases (workflow and storage) · corpus (published decisions) · web (API and workbench) · cli.
"""

__version__ = "0.1.0"
