from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MESSAGES = {
    "page": "Give a page number: a whole number from 1.",
    "page_size": "Give a whole number of results per page, at most 200.",
}


class Pagination(PageNumberPagination):
    """?page=N&page_size=M (at most 200). Every list is paged. A page or size that is not a
    whole number is a 400; a page past the end is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        errors = {}
        for name, message in MESSAGES.items():
            raw = request.query_params.get(name)
            if raw is None or (name == "page" and raw in self.last_page_strings):
                continue
            try:
                int(raw)
            except ValueError:
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
