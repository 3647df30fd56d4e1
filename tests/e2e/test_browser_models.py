"""The learning loop's screens in real headless Chromium: the Inbox and Models links follow the roles (and the
APIs refuse the others), the Models screen marks the production model as the one Rasa serves, the registry log
shows the bootstrap promotion, and an approver who trained a candidate is refused by maker-checker in the page.
No training here (tests/e2e/test_model_registry.py trains); promotions are left as they were."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from console.registry import service
from console.registry.models import RETIRED
from tests.e2e.helpers import console_agent
from tests.e2e.learning import console_page, eventually, served_model_id
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.learning.archives import trained_model, variant
from tools.stack import Stack


def test_the_learning_links_follow_the_roles(learning_stack: Stack, browser: Browser) -> None:  # noqa: F811
    url = learning_stack.config.console_url
    bob = console_agent(learning_stack, "bob")
    for path in (
        "/api/registry/models",
        "/api/registry/audit",
        "/api/registry/training",
        "/api/inbox/groups",
    ):
        assert bob.get(f"{url}{path}", timeout=10).status_code == 403, path
    vera = console_agent(learning_stack, "vera")
    assert vera.get(f"{url}/api/inbox/groups", timeout=10).status_code == 403
    assert vera.post(f"{url}/api/registry/training", timeout=10).status_code == 403

    expected = {"bob": (False, False), "vera": (False, True), "tara": (True, True)}
    for username, (inbox, models) in expected.items():
        page = console_page(browser, learning_stack, username)
        # The extra links still fit 1280 px without sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        nav = page.get_by_test_id("nav-inbox"), page.get_by_test_id("nav-models")
        for link, shown in zip(nav, (inbox, models), strict=True):
            if shown:
                expect(link).to_be_visible()
            else:
                expect(link).to_be_hidden()
        if models:
            page.get_by_test_id("nav-models").click()
            expect(page.get_by_test_id("models-view")).to_be_visible()
            expect(page.get_by_test_id("train-button")).to_have_count(1 if username == "tara" else 0)
            expect(page.get_by_test_id("rollback-button")).to_have_count(0 if username == "tara" else 1)
        if inbox:
            page.get_by_test_id("nav-inbox").click()
            expect(page.get_by_test_id("inbox-view")).to_be_visible()
            expect(page.get_by_test_id("export-patch")).to_be_visible(timeout=WAIT_MS)
        page.context.close()


def test_the_models_screen_shows_production_as_served_and_the_bootstrap_in_the_log(
    learning_stack: Stack,
    browser: Browser,  # noqa: F811
    registry_db: Session,
) -> None:
    registry_db.expire_all()
    production = service.production(db_session=registry_db)
    assert production is not None
    # Another test may have just rolled back: Rasa pulls every 2 s.
    eventually(lambda: served_model_id(learning_stack) == production.model_id, 240, "Rasa serves production")

    page = console_page(browser, learning_stack, "vera")
    page.goto(f"{learning_stack.config.console_url}/#/models")
    row = page.locator(f"[data-testid='model-row'][data-version='{production.version}']")
    expect(row).to_have_attribute("data-status", "production", timeout=WAIT_MS)
    expect(row).to_have_attribute("data-served", "true")
    expect(row.get_by_test_id("served-badge")).to_be_visible()
    expect(page.get_by_test_id("served-model")).to_have_attribute("data-version", production.version)

    bootstrap = page.locator(
        "[data-testid='registry-audit-row'][data-action='model_promoted']",
        has_text="first model of a new registry",
    )
    expect(bootstrap).to_have_count(1)
    expect(bootstrap).to_contain_text("system")

    row.get_by_test_id("model-select").click()
    detail = page.get_by_test_id("model-detail")
    expect(detail).to_have_attribute("data-version", production.version)
    expect(detail.get_by_test_id("approve-button")).to_be_disabled()
    expect(detail.get_by_test_id("promote-button")).to_be_disabled()
    page.context.close()


def test_an_approver_who_trained_the_candidate_is_refused_in_the_page(
    learning_stack: Stack,
    browser: Browser,  # noqa: F811
    registry_db: Session,
    tmp_path: Path,
) -> None:
    candidate = service.register(
        variant(trained_model(), tmp_path / "by-vera.tar.gz"),
        registry_dir=Path(learning_stack.env()["MODEL_REGISTRY_DIR"]),
        trained_by="vera",
        db_session=registry_db,
    )
    report = {
        "passed": True,
        "checks": [{"name": "nlu: project bars", "passed": True, "detail": "all bars met"}],
        "nlu": {
            "candidate": {"accuracy": 0.9, "macro_f1": 0.88},
            "production": {"accuracy": 0.9, "macro_f1": 0.88},
        },
        "replay": {
            "messages": 1,
            "changed": 1,
            "examples": [
                {"text": "where is order [ORDER]", "production": "inform", "candidate": "check_order_status"}
            ],
        },
    }
    service.record_gate(candidate, passed=True, report=report, metrics={}, db_session=registry_db)
    registry_db.commit()
    try:
        page = console_page(browser, learning_stack, "vera")
        page.goto(f"{learning_stack.config.console_url}/#/models")
        row = page.locator(f"[data-testid='model-row'][data-version='{candidate.version}']")
        expect(row).to_have_attribute("data-status", "candidate", timeout=WAIT_MS)
        row.get_by_test_id("model-select").click()
        detail = page.get_by_test_id("model-detail")
        expect(detail.get_by_test_id("gate-check")).to_have_attribute("data-passed", "true")
        expect(detail.get_by_test_id("replay-change")).to_contain_text("check_order_status")
        detail.get_by_test_id("approve-button").click()
        dialog = page.get_by_test_id("confirm-dialog")
        dialog.get_by_test_id("confirm-reason").fill("looks right")
        dialog.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("alert")).to_contain_text("another approver", timeout=WAIT_MS)
        expect(row).to_have_attribute("data-status", "candidate")
        expect(
            page.locator("[data-testid='registry-audit-row'][data-action='model_approval_refused']").first
        ).to_contain_text(candidate.version)
        page.context.close()
    finally:
        registry_db.refresh(candidate)
        candidate.status = RETIRED  # never approvable later by a test that takes the newest candidate
        registry_db.commit()
