"""The JSON API: one router per resource (cases, determinations, reviewers, users, audit), errors as
problem details (RFC 9457). Routers only translate HTTP to `imr.cases` service calls and back."""

from imr.web.api import audit, cases, corpus, determinations, reviewers, users

ROUTERS = (users.router, cases.router, determinations.router, reviewers.router, audit.router)
# The published-decisions corpus (public data, its own package's router) lives under /api/corpus.
PUBLIC_ROUTERS = ((corpus.router, "/api"),)
