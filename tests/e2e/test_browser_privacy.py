"""The console's Privacy screen in real headless Chromium (no stack: a backend, the console and a tracker
store written by the encrypted tracker store): alice asks for a customer's export and cannot approve her own
request, priya approves it and the link serves the zip; priya asks for an erasure, alice approves it after the
confirmation and sees the receipt. Only privacy users get the link, and the top bar still fits."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from rasa.shared.core.domain import Domain

from common.paths import DOMAIN_PATH
from privacy.tracker_store import EncryptedSQLTrackerStore
from tests.console.test_privacy_requests import SAID, _conversation
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.e2e.test_browser_layout import serious_violations
from tests.factories import Factory, MadeCustomer
from tests.support import BackendServer, ConsoleServer, start_console, stop_process

# Carrying a request out walks every store: slower than a page load on this shared machine.
CARRY_OUT_MS = 120_000


@pytest.fixture(scope="module")
def privacy_console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, MadeCustomer, MadeCustomer]]:
    folder = tmp_path_factory.mktemp("browser-privacy")
    people = Factory(sqlite_backend, order_id_base=320_000)
    exported = people.customer([{"status": "delivered", "total_cents": 4200, "delivered_days_ago": 2}])
    erased = people.customer([{"status": "placed", "total_cents": 1800}])
    store = EncryptedSQLTrackerStore(
        domain=Domain.load(str(DOMAIN_PATH)),
        dialect="sqlite",
        db=str(folder / "rasa-tracker.db"),
        keys_db=str(folder / "conversation-keys.db"),
    )
    _conversation(store, "web-exported", exported.id, SAID)
    _conversation(store, "web-erased", erased.id, "where is my order")
    server = start_console(
        sqlite_backend,
        folder,
        TRACKER_STORE_URL=f"sqlite:///{folder / 'rasa-tracker.db'}",
        CONVERSATION_KEYS_DB=str(folder / "conversation-keys.db"),
        HANDOFF_QUEUE_DATABASE_URL=f"sqlite:///{folder / 'pending-handoffs.db'}",
        ATTACHMENTS_DIR=str(folder / "attachments"),
        PRIVACY_EXPORT_DIR=str(folder / "exports"),
    )
    yield server, exported, erased
    stop_process(server.process)


def signed_in(
    browser: Browser,  # noqa: F811
    console: ConsoleServer,
    username: str,
    width: int = 1280,
    bypass_csp: bool = False,
) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=bypass_csp)
    page = context.new_page()
    page.goto(console.base_url)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(console.agents[username])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("queue-view")).to_be_visible(timeout=WAIT_MS)
    return page


def open_privacy(page: Page) -> None:
    page.get_by_test_id("nav-privacy").click()
    expect(page.get_by_test_id("privacy-form")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_test_id("nav-privacy")).to_have_attribute("aria-current", "page")


def ask(page: Page, kind: str, address: str, reason: str) -> Locator:
    """Fills the form and submits it; returns the new request's card (the newest, first in the list)."""
    cards = page.get_by_test_id("privacy-request")
    before = cards.count()
    page.get_by_test_id("privacy-kind").select_option(kind)
    page.get_by_test_id("privacy-customer").fill(address)
    page.get_by_test_id("privacy-reason").fill(reason)
    page.get_by_test_id("privacy-submit").click()
    if kind == "erasure":
        expect(page.get_by_test_id("confirm-dialog")).to_be_visible(timeout=WAIT_MS)
        page.get_by_test_id("confirm-ok").click()
    expect(cards).to_have_count(before + 1, timeout=WAIT_MS)
    card = cards.first
    expect(card).to_have_attribute("data-kind", kind)
    expect(card).to_have_attribute("data-status", "pending")
    return card


def card_of(page: Page, request_id: str) -> Locator:
    return page.locator(f"[data-testid='privacy-request'][data-request-id='{request_id}']")


def test_only_privacy_users_get_the_link_and_the_top_bar_fits(
    privacy_console: tuple,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    console, _exported, _erased = privacy_console
    for username, has_link in {
        "alice": True,
        "priya": True,
        "tara": False,
        "vera": False,
        "bob": False,
    }.items():
        page = signed_in(browser, console, username, width=1024)
        link = page.get_by_test_id("nav-privacy")
        if has_link:
            expect(link).to_be_visible()
        else:
            expect(link).to_be_hidden()
        for width in (1024, 1280, 1440):
            page.set_viewport_size({"width": width, "height": 800})
            fits = page.evaluate(
                """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                          document.getElementById('topbar').scrollWidth,
                          document.getElementById('topbar').clientWidth]"""
            )
            assert fits[0] <= fits[1] and fits[2] <= fits[3], (username, width, fits)
            page.screenshot(path=str(tmp_path / f"top-bar-{username}-{width}.png"))
        # Without the role the address still answers, with a refusal instead of the form.
        page.goto(f"{console.base_url}/#/privacy")
        if not has_link:
            expect(page.get_by_test_id("privacy-forbidden")).to_be_visible(timeout=WAIT_MS)
            expect(page.get_by_test_id("privacy-form")).to_have_count(0)
        page.context.close()


def test_an_export_and_an_erasure_each_need_a_second_person(
    privacy_console: tuple,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    console, exported, erased = privacy_console
    alice = signed_in(browser, console, "alice")
    open_privacy(alice)
    # An address nobody has: the server's refusal is shown in the page, nothing is listed.
    alice.get_by_test_id("privacy-kind").select_option("export")
    alice.get_by_test_id("privacy-customer").fill("nobody-here@example.org")
    alice.get_by_test_id("privacy-reason").fill("the customer asked by email")
    alice.get_by_test_id("privacy-submit").click()
    expect(alice.get_by_test_id("alert")).to_contain_text("No customer has that email", timeout=WAIT_MS)
    expect(alice.get_by_test_id("privacy-request")).to_have_count(0)
    # A reason too short is caught in the page, before any request.
    alice.get_by_test_id("privacy-reason").fill("x")
    alice.get_by_test_id("privacy-submit").click()
    expect(alice.get_by_test_id("privacy-form-error")).to_contain_text("Reason: at least 3 characters")

    export = ask(alice, "export", exported.email, "the customer asked by email on 30 November")
    export_id = export.get_attribute("data-request-id")
    expect(alice.get_by_test_id("alert")).to_be_hidden()  # the earlier refusal went with the success
    assert export_id
    expect(export.get_by_test_id("privacy-subject")).not_to_contain_text(exported.email)  # masked
    expect(export.get_by_test_id("privacy-requested-by")).to_contain_text("(you)")
    expect(export.get_by_test_id("privacy-waiting")).to_be_visible()
    expect(export.get_by_test_id("privacy-approve")).to_have_count(0)
    expect(export.get_by_test_id("privacy-reject")).to_have_count(0)

    priya = signed_in(browser, console, "priya")
    open_privacy(priya)
    theirs = card_of(priya, export_id)
    expect(theirs.get_by_test_id("privacy-waiting")).to_have_count(0)
    theirs.get_by_test_id("privacy-approve").click()
    expect(theirs).to_have_attribute("data-status", "carried_out", timeout=CARRY_OUT_MS)
    expect(theirs.get_by_test_id("privacy-decided-by")).to_contain_text("(you)")
    with priya.expect_download(timeout=WAIT_MS) as downloading:
        theirs.get_by_test_id("privacy-bundle").click()
    files = zipfile.ZipFile(io.BytesIO(Path(downloading.value.path()).read_bytes()))
    manifest = json.loads(files.read("manifest.json"))
    assert manifest["customer_id"] == exported.id and manifest["conversations"] == ["web-exported"]
    assert SAID in files.read("conversations/web-exported.json").decode()

    erasure = ask(priya, "erasure", erased.email, "the customer asked to be forgotten")
    erasure_id = erasure.get_attribute("data-request-id")
    assert erasure_id
    expect(erasure.get_by_test_id("privacy-approve")).to_have_count(0)
    expect(erasure.get_by_test_id("privacy-waiting")).to_be_visible()

    alice.get_by_test_id("privacy-refresh").click()
    mine = card_of(alice, erasure_id)
    # Cancelling the confirmation leaves the request pending.
    mine.get_by_test_id("privacy-approve").click()
    expect(alice.get_by_test_id("confirm-dialog")).to_be_visible(timeout=WAIT_MS)
    alice.get_by_test_id("confirm-cancel").click()
    expect(alice.get_by_test_id("confirm-dialog")).to_have_count(0)
    expect(mine).to_have_attribute("data-status", "pending")
    mine.get_by_test_id("privacy-approve").click()
    expect(alice.get_by_test_id("confirm-dialog")).to_be_visible(timeout=WAIT_MS)
    alice.get_by_test_id("confirm-ok").click()
    expect(mine).to_have_attribute("data-status", "carried_out", timeout=CARRY_OUT_MS)
    rows = mine.get_by_test_id("receipt-row")
    expect(rows.first).to_be_visible()
    receipt = {
        rows.nth(index).get_attribute("data-store"): int(rows.nth(index).get_attribute("data-rows") or -1)
        for index in range(rows.count())
    }
    assert receipt.get("rasa.events") == 5, receipt
    assert any(
        store and store.startswith("backend.") and count >= 1 for store, count in receipt.items()
    ), receipt
    expect(mine.locator("tr[data-store='rasa.events'] td").nth(2)).to_have_text("5")
    # The export priya carried out shows its link to alice too; alice's own request is decided now.
    expect(card_of(alice, export_id).get_by_test_id("privacy-bundle")).to_be_visible()
    alice.screenshot(path=str(tmp_path / "privacy.png"), full_page=True)
    alice.context.close()
    priya.context.close()


def test_axe_finds_no_serious_violations_on_the_privacy_screen(
    privacy_console: tuple,
    browser: Browser,  # noqa: F811
) -> None:
    console, _exported, _erased = privacy_console
    # Bypassing CSP only so axe's script can be injected (the console allows no inline scripts).
    page = signed_in(browser, console, "priya", bypass_csp=True)
    open_privacy(page)
    expect(page.get_by_test_id("privacy-requests").locator("article, p").first).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "privacy"
    page.get_by_test_id("privacy-kind").select_option("erasure")
    page.get_by_test_id("privacy-customer").fill("someone@example.org")
    page.get_by_test_id("privacy-reason").fill("checking the dialog")
    page.get_by_test_id("privacy-submit").click()
    expect(page.get_by_test_id("confirm-dialog")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "erasure confirmation"
    page.get_by_test_id("confirm-cancel").click()
    page.context.close()
