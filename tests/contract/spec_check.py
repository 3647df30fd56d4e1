"""Checks each request a client sends against the OpenAPI spec of the service it calls.

A ValidatingSession stands in for a client's requests.Session: before sending, it finds the spec's operation
for the method and path and records every query parameter, header or JSON field the operation does not
declare. The contract tests then fail on any such mismatch, which is how `limit` sent where the backend
reads `page_size` would have been caught.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set, Tuple
from urllib.parse import urlsplit

import requests

# Headers every HTTP client sends, or our transport adds for the credential; not part of any operation.
TRANSPORT_HEADERS = {
    "authorization",
    "accept",
    "content-type",
    "user-agent",
    "accept-encoding",
    "connection",
    "content-length",
}


class Spec:
    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.operations: List[Tuple[re.Pattern, str, Dict[str, Any]]] = []
        for template, item in document["paths"].items():
            parts = re.split(r"\{[^}]+\}", template)
            pattern = re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")
            for method, operation in item.items():
                self.operations.append((pattern, method.upper(), operation))

    def resolve(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.resolve(schema["allOf"][0])
        return schema

    def operation(self, method: str, path: str) -> Optional[Dict[str, Any]]:
        for pattern, operation_method, operation in self.operations:
            if operation_method == method and pattern.match(path):
                return operation
        return None

    def problems(
        self, method: str, url: str, params: Dict[str, Any], headers: Dict[str, str], body: Any
    ) -> List[str]:
        path = urlsplit(url).path
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method} {path}: not in the spec"]
        declared = operation.get("parameters", [])
        query = {parameter["name"] for parameter in declared if parameter["in"] == "query"}
        header_names = {parameter["name"].lower() for parameter in declared if parameter["in"] == "header"}
        found = [
            f"{method} {path}: query parameter {name!r} is not in the spec"
            for name in params
            if name not in query
        ]
        found += [
            f"{method} {path}: header {name!r} is not in the spec"
            for name in headers
            if name.lower() not in TRANSPORT_HEADERS and name.lower() not in header_names
        ]
        if body is not None:
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None:
                found.append(f"{method} {path}: sends a body the spec does not take")
            else:
                found += [
                    f"{method} {path}: {problem}"
                    for problem in self._body_problems(self.resolve(content["schema"]), body)
                ]
        return found

    def _body_problems(self, schema: Dict[str, Any], body: Any) -> List[str]:
        if isinstance(body, list):
            items = self.resolve(schema.get("items", {}))
            return [problem for element in body for problem in self._body_problems(items, element)]
        if not isinstance(body, dict) or "properties" not in schema:
            return []
        known: Set[str] = set(schema["properties"])
        found = [f"body field {name!r} is not in the spec" for name in body if name not in known]
        for name, value in body.items():
            if name in known and isinstance(value, dict | list):
                nested = self.resolve(schema["properties"][name])
                if nested.get("type") in ("object", "array") or "properties" in nested or "items" in nested:
                    found += self._body_problems(nested, value)
        return found


class ValidatingSession(requests.Session):
    """A requests.Session that records every way a request strays from the spec, then sends it."""

    def __init__(self, spec: Spec) -> None:
        super().__init__()
        self.spec = spec
        self.problems: List[str] = []
        self.calls: List[str] = []

    # requests.Session.request takes many more keyword arguments; the clients use only these.
    def request(  # type: ignore[override]
        self,
        method: str | bytes,
        url: str | bytes,
        params: Any = None,
        json: Any = None,
        headers: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        all_headers = {**{key: value for key, value in self.headers.items()}, **(headers or {})}
        self.calls.append(f"{method} {urlsplit(url).path}")
        self.problems += self.spec.problems(method, url, dict(params or {}), all_headers, json)
        return super().request(method, url, params=params, json=json, headers=headers, **kwargs)
