"""Run scim2-tester against a running Upward: every check must pass.

    python -m upward.scim.tests.conformance http://127.0.0.1:8123/scim/v2/ upw_..._...

scim2-client's network engine is written for httpx2; this one sends the same requests with
httpx, which we have."""

from __future__ import annotations

import sys
from typing import Any

import httpx
from scim2_client import BaseSyncSCIMClient
from scim2_client.errors import RequestNetworkException
from scim2_tester import Status, check_server

FAILED = {Status.ERROR, Status.CRITICAL}


class HttpxSCIMClient(BaseSyncSCIMClient):
    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url = self.client.build_request("GET", endpoint).url
        base = self.client.base_url
        return url.host == base.host and url.port == base.port and url.path.startswith(base.path)

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            error = RequestNetworkException()
            error.add_note(str(exc))
            raise error from exc


def run(base_url: str, token: str) -> tuple[list[Any], list[Any]]:
    """(all results, failed results)."""
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        results = check_server(HttpxSCIMClient(http))
    return results, [r for r in results if r.status in FAILED]


def main(argv: list[str]) -> int:
    base_url, token = argv[1], argv[2]
    results, failed = run(base_url, token)
    for result in results:
        print(
            f"{result.status.name:10} {result.resource_type or '-':6} {result.title}: {result.reason}"
        )
    print(f"{len(results)} checks, {len(failed)} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
