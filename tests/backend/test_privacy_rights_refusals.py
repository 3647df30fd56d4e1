"""The backend's privacy routes refuse what they must (tests/backend/test_privacy_rights.py has the export and
the erasure themselves): bad erasure requests leave no trace, only the console's credential may use them,
and concurrent repeats of one erasure answer with one receipt."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

from sqlalchemy import func, select

from backend.notifications.models import OutboxMessage
from tests.backend.test_privacy_rights import (  # noqa: F401 - person and bystander are fixtures
    Person,
    bystander,
    erase,
    export,
    person,
    sent_to,
)
from tests.support import BackendServer


def test_bad_erasure_requests_are_refused_without_a_trace(
    backend_server: BackendServer,
    person: Person,  # noqa: F811 - the fixture imported above
) -> None:
    unknown = erase(backend_server, 2_000_000_000, "erasure-unknown")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "customer_not_found")
    path = f"/v1/privacy/customers/{person.id}/erasure"
    bad_bodies: List[Any] = [
        {},
        {"request_id": ""},
        {"request_id": "a b"},
        {"request_id": "x" * 101},
        [],
        "text",
    ]
    for body in bad_bodies:
        refused = backend_server.post(path, json=body, as_="console")
        assert refused.status_code == 422, (body, refused.text)
    for bad_id in ("0", "-1", "99999999999", "abc"):
        refused = backend_server.post(
            f"/v1/privacy/customers/{bad_id}/erasure", json={"request_id": "r1"}, as_="console"
        )
        assert refused.status_code == 422, (bad_id, refused.text)
    assert export(backend_server, person.id)["customer"]["email"] == person.email


def test_only_the_consoles_credential_may_export_or_erase(
    backend_server: BackendServer,
    person: Person,  # noqa: F811 - the fixture imported above
) -> None:
    calls = [
        ("POST", "/v1/privacy/customers/lookup", {"email": person.email}),
        ("GET", f"/v1/privacy/customers/{person.id}/export", None),
        ("POST", f"/v1/privacy/customers/{person.id}/erasure", {"request_id": "from-the-bot"}),
    ]
    for method, path, body in calls:
        if method == "GET":
            answer = backend_server.get(path, as_="actions")
        else:
            answer = backend_server.post(path, json=body, as_="actions")
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "scope_required"), path
    assert export(backend_server, person.id)["customer"]["email"] == person.email


def test_concurrent_repeats_of_one_erasure_answer_with_one_receipt(
    backend_server: BackendServer,
    person: Person,  # noqa: F811 - the fixture imported above
) -> None:
    request_id = f"erasure-{uuid.uuid4().hex[:12]}"
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: erase(backend_server, person.id, request_id), range(4)))
    assert [answer.status_code for answer in answers] == [200] * 4, [answer.text for answer in answers]
    assert len({json.dumps(answer.json(), sort_keys=True) for answer in answers}) == 1
    with backend_server.session_factory() as session:
        confirmations = session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.template == "privacy_erasure_done",
                OutboxMessage.recipient_hash == sent_to(session, person.email),
            )
        ).scalar_one()
    assert confirmations == 1
