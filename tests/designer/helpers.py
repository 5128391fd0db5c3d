"""Reading the designer API's answers in tests."""

from __future__ import annotations

from typing import Any

import httpx

from connector.sandbox import DEFAULT_PASSWORD


def ok(response: httpx.Response) -> Any:
    """The JSON of a 200 answer, which never carries the connection's secret."""
    assert response.status_code == 200, response.text
    assert DEFAULT_PASSWORD not in response.text
    return response.json()


def refused(response: httpx.Response, status: int, fragment: str) -> dict[str, Any]:
    """The JSON error of a refusal with ``status`` whose message holds ``fragment``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    error: dict[str, Any] = response.json()
    assert fragment in error["error"], error
    assert error["problems"] and "Traceback" not in response.text
    return error
