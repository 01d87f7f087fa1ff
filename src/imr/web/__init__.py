"""The web side of imr: one FastAPI app (`app.create_app`) with the JSON API (`api/`), sign-in and
authorization (`auth.py`), and the workbench pages (`pages/`, when present). Routers are thin: the
business rules live in `imr.cases`."""
