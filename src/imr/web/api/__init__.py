"""The JSON API: one router per resource (cases, determinations, reviewers, users, audit), errors as
problem details (RFC 9457). Routers only translate HTTP to `imr.cases` service calls and back."""

from imr.web.api import audit, cases, corpus, determinations, reviewers, users

# Cases first: a request is matched against each route in turn (FastAPI checks every route of an
# included router, at some 5 us each), and the case routes are most of the traffic. No two routers
# share a path, so the order changes nothing else.
ROUTERS = (cases.router, determinations.router, users.router, reviewers.router, audit.router)
# The published-decisions corpus (public data, its own package's router) lives under /api/corpus.
PUBLIC_ROUTERS = ((corpus.router, "/api"),)
