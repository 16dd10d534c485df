from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    """?page=N&page_size=M (at most 200). Every list is paged."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        raw: Any = request.query_params.get(self.page_size_query_param)
        if raw is not None and raw != "":
            try:
                int(raw)
            except ValueError as exc:
                raise ValidationError(
                    {"page_size": ["Give a whole number of results per page, at most 200."]}
                ) from exc
        return super().get_page_size(request)
