"""The reviewer workbench: server-rendered pages for intake staff, physician reviewers and auditors.

Owns the page routes (`router`, included by `imr.web.app.create_app`), the templates in
`imr/web/templates/` and the static files in `imr/web/static/` (CSS, a vendored HTMX). Pages are thin:
every read and change goes through the case service (`imr.cases.service`), which checks roles,
enforces the lifecycle and writes the audit log; the pages only arrange what it returns.

Modules: `session` (cookie sessions, CSRF), `render` (templates, evidence highlighting), `signin`,
`queue`, `open_case` (a case from a form), `records` (a case from its packet of PDFs, a record's page
beside its image), `casepage` (the case: records, checklist, actions), `decide`
(edit, preview, sign, PDF), `publication` (the redacted copy), `admin` (reviewers, accounts, audit),
`dashboard` (charts as server-side SVG).
"""

from __future__ import annotations

from fastapi import APIRouter

from imr.web.pages import admin, casepage, dashboard, decide, open_case, publication, queue, records, signin
from imr.web.pages.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
for _module in (signin, queue, open_case, records, casepage, decide, publication, admin, dashboard):
    router.include_router(_module.router)

__all__ = ["router"]
