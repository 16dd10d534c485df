from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200
# A page number far beyond any list (and within what a database offset holds).
MAX_PAGE = 10**9
MESSAGES = {
    "page": "Give a page number: a whole number from 1.",
    "page_size": f"Give a whole number of results per page, from 1 to {MAX_PAGE_SIZE}.",
}


def _whole(raw: str, maximum: int) -> int | None:
    """`raw` as a whole number from 1 to `maximum`, or None."""
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


class Pagination(PageNumberPagination):
    """?page=N&page_size=M. Every list is paged. A page or a size that is not a whole number
    in its range is a 400 naming it; a page past the end of the list is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        errors = {}
        for name, maximum in (("page", MAX_PAGE), ("page_size", MAX_PAGE_SIZE)):
            raw = request.query_params.get(name)
            if raw is not None and _whole(raw, maximum) is None:
                errors[name] = [MESSAGES[name]]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "A page number, from 1 (a 400 otherwise; a page past the end is a 404)."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page, from 1 to {MAX_PAGE_SIZE} (default {self.page_size}; "
                    "a 400 otherwise)."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
