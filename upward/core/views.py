import json
import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from upward.core.ratelimit import limit_per_address


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


csp_logger = logging.getLogger("upward.csp")
CSP_REPORT_MAX_BYTES = 16 * 1024
CSP_REPORT_FIELDS = (
    "document-uri",
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "source-file",
    "line-number",
    "column-number",
    "disposition",
    "script-sample",
)


def _csp_violations(raw: bytes) -> list[dict[str, object]]:
    """The violations in a report-uri body ({"csp-report": {...}}) or a Reporting API list."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items[:10]:
        if not isinstance(item, dict):
            continue
        body = item.get("csp-report", item.get("body"))
        if isinstance(body, dict):
            found.append(body)
    return found


def _clean(value: object) -> str:
    # Reports are written by whoever sends them: keep log lines short and on one line.
    return repr(value)[:300]


# CSRF-exempt because browsers post violation reports without a CSRF token (the report is sent
# by the browser itself, not by our page). The view writes nothing but a log line, reads at most
# CSP_REPORT_MAX_BYTES, and answers 204 to anything it cannot parse, so junk never costs a 500.
@csrf_exempt
@require_POST
@limit_per_address("csp_report")
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    raw = request.read(CSP_REPORT_MAX_BYTES + 1)
    if len(raw) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    for violation in _csp_violations(raw):
        fields = {
            key: _clean(violation.get(key, violation.get(_camel(key))))
            for key in CSP_REPORT_FIELDS
            if key in violation or _camel(key) in violation
        }
        csp_logger.warning("CSP violation %s", " ".join(f"{k}={v}" for k, v in fields.items()))
    return HttpResponse(status=204)


def _camel(key: str) -> str:
    # The Reporting API spells the same fields in camelCase ("blockedURL" aside).
    head, *rest = key.split("-")
    return head + "".join(part.capitalize() for part in rest)
