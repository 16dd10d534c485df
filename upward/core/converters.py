"""Path converters.

`<id:pk>` matches 1 to 18 digits. Eighteen digits always fit in a signed 64-bit integer, so a
huge id in an address is an unknown page (404) rather than an `OverflowError` in the database
driver (500). Every `<int:...>` in our URL configuration uses it; a test keeps it so.
"""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))
