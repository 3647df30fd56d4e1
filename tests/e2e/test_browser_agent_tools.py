"""Agent tools in real headless Chromium: the agent claims a verified customer's ticket, changes the size of an
item on an unshipped order through the in-page confirmation (with a reason), then swaps it for another product
at the same price, and the backend's order changes, each with its entry in the console's audit trail; a shipped
order offers no size change or swap; resolve confirms in the page."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import Customer, admin_headers
from tests.e2e.test_browser_handoff import WAIT_MS, browser, ticket_of  # noqa: F401 - browser is a fixture
from tests.support import Factory
from tools.stack import Stack


def verified_handoff(stack: Stack, customer_id: int, email: str) -> int:
    created = requests.post(
        f"{stack.config.backend_url}/v1/tickets",
        json={
            "subject": "Wrong size ordered",
            "category": "handoff",
            "customer_id": customer_id,
            "customer_email": email,
            "details": {"escalation_reason": "user_requested"},
            "messages": [{"author": "customer", "body": "I ordered the wrong size, can you swap it?"}],
        },
        headers={**admin_headers(stack), "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def log_in(page: Page, stack: Stack, username: str) -> None:
    page.goto(stack.config.console_url)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(stack.demo_passwords()[username])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("queue-view")).to_be_visible(timeout=WAIT_MS)


def test_a_size_change_from_the_console_changes_the_order_and_is_audited(
    stack: Stack,
    browser: Browser,  # noqa: F811
    stack_people: Factory,
    tmp_path: Path,
) -> None:
    person = stack_people.customer(
        [
            {"status": "placed", "total_cents": 1500, "size": "M"},
            {"status": "shipped", "total_cents": 1900, "size": "S"},
        ]
    )
    placed, shipped = person.order_ids
    ticket_id = verified_handoff(stack, person.id, person.email)
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(console, stack, "alice")
    console.goto(f"{stack.config.console_url}/#/tickets/{ticket_id}")
    tools = console.get_by_test_id("tools")
    expect(tools.get_by_test_id("tools-hint")).to_be_visible(timeout=WAIT_MS)
    expect(tools.get_by_test_id("tool-change-size")).to_have_count(0)  # not before claiming
    console.get_by_test_id("claim").click()

    shipped_order = tools.locator(f"[data-testid='tool-order'][data-order-id='{shipped}']")
    expect(shipped_order).to_be_visible(timeout=WAIT_MS)
    expect(shipped_order.get_by_test_id("tool-change-size")).to_have_count(0)
    expect(shipped_order.get_by_test_id("tool-swap-item")).to_have_count(0)
    order = tools.locator(f"[data-testid='tool-order'][data-order-id='{placed}']")
    expect(order.get_by_test_id("tool-item-size")).to_have_text(" · size M")

    # Cancelling the dialog changes nothing; confirming needs a reason.
    order.get_by_test_id("tool-change-size").click()
    dialog = console.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("confirm-size").fill("XL")
    dialog.get_by_test_id("confirm-cancel").click()
    expect(dialog).to_have_count(0)
    order.get_by_test_id("tool-change-size").click()
    dialog.get_by_test_id("confirm-size").fill("L")
    dialog.get_by_test_id("confirm-ok").click()
    expect(dialog.get_by_test_id("confirm-error")).to_contain_text("Reason")
    dialog.get_by_test_id("confirm-reason").fill("Customer asked for a size swap before shipping")
    console.screenshot(path=str(tmp_path / "size-change-dialog.png"))
    dialog.get_by_test_id("confirm-ok").click()
    expect(dialog).to_have_count(0)
    expect(console.get_by_test_id("notice")).to_contain_text(
        f"on order #{placed} is now size L", timeout=WAIT_MS
    )
    expect(order.get_by_test_id("tool-item-size")).to_have_text(" · size L", timeout=WAIT_MS)
    console.screenshot(path=str(tmp_path / "size-changed.png"))

    stored = requests.get(
        f"{stack.config.backend_url}/v1/orders/{placed}", headers=admin_headers(stack), timeout=10
    ).json()
    assert [item["size"] for item in stored["items"]] == ["L"]
    trail = console.context.request.get(f"{stack.config.console_url}/api/audit?action=change_size").json()[
        "items"
    ]
    entry = next(e for e in trail if e["ticket_id"] == ticket_id)
    assert entry["actor"] == "alice"
    assert entry["details"].endswith("to size L. Reason: Customer asked for a size swap before shipping")

    # Swap the item for another product: the list holds only products at the item's price (15.00).
    order.get_by_test_id("tool-swap-item").click()
    choices = dialog.get_by_test_id("confirm-sku")
    expect(choices.locator("option[value='SKU-TEE-16']")).to_have_count(1)
    expect(choices.locator("option[value='SKU-LAMP-18']")).to_have_count(0)  # 34.00, another price
    dialog.get_by_test_id("confirm-sku").select_option("SKU-TEE-16")
    dialog.get_by_test_id("confirm-size").fill("S")
    dialog.get_by_test_id("confirm-reason").fill("Customer prefers linen")
    dialog.get_by_test_id("confirm-ok").click()
    expect(dialog).to_have_count(0)
    expect(console.get_by_test_id("notice")).to_contain_text(
        f"order #{placed} is now Linen T-shirt, size S", timeout=WAIT_MS
    )
    expect(order.get_by_test_id("tool-item")).to_contain_text("Linen T-shirt", timeout=WAIT_MS)
    expect(order.get_by_test_id("tool-item-size")).to_have_text(" · size S")
    console.screenshot(path=str(tmp_path / "item-swapped.png"))
    stored = requests.get(
        f"{stack.config.backend_url}/v1/orders/{placed}", headers=admin_headers(stack), timeout=10
    ).json()
    assert [(item["sku"], item["size"]) for item in stored["items"]] == [("SKU-TEE-16", "S")]
    assert stored["total"] == "15.00"
    swaps = console.context.request.get(f"{stack.config.console_url}/api/audit?action=swap_item").json()[
        "items"
    ]
    swap = next(e for e in swaps if e["ticket_id"] == ticket_id)
    assert swap["actor"] == "alice"
    assert swap["details"].endswith("to SKU-TEE-16 size S. Reason: Customer prefers linen")

    # Resolve asks in the page, not with the browser's confirm().
    native_dialogs: list = []
    console.on("dialog", lambda native: (native_dialogs.append(native.message), native.dismiss()))
    console.get_by_test_id("resolve").click()
    expect(dialog.get_by_test_id("confirm-message")).to_contain_text("goes back to the bot")
    dialog.get_by_test_id("confirm-ok").click()
    expect(console.get_by_test_id("notice")).to_contain_text("Conversation resolved", timeout=WAIT_MS)
    ticket = requests.get(
        f"{stack.config.backend_url}/v1/tickets/{ticket_id}", headers=admin_headers(stack), timeout=10
    ).json()
    assert ticket["status"] == "solved" and native_dialogs == []


def test_an_admin_adds_a_macro_and_an_agent_inserts_it_filled_for_the_customer(
    stack: Stack,
    browser: Browser,  # noqa: F811
    stack_people: Factory,
    tmp_path: Path,
) -> None:
    person = stack_people.customer([{"status": "placed", "total_cents": 2900, "size": "M"}])
    ticket_id = verified_handoff(stack, person.id, person.email)
    title = f"Size swap {uuid.uuid4().hex[:6]}"
    admin = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(admin, stack, "alice")
    admin.get_by_test_id("nav-macros").click()
    admin.get_by_test_id("macro-title").fill(title)
    admin.get_by_test_id("macro-body").fill(
        "Hi {customer_name}, order {order_id} now has the new size. {agent_name}"
    )
    admin.get_by_test_id("macro-save").click()
    expect(admin.get_by_test_id("macro-row").filter(has_text=title)).to_be_visible(timeout=WAIT_MS)

    agent = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(agent, stack, "bob")
    expect(agent.get_by_test_id("nav-macros")).to_be_hidden()  # not an admin
    agent.goto(f"{stack.config.console_url}/#/tickets/{ticket_id}")
    agent.get_by_test_id("claim").click()
    reply = agent.get_by_test_id("reply-input")
    expect(reply).to_be_enabled(timeout=WAIT_MS)
    reply.fill("Thanks! ")
    reply.press("End")
    reply.press("Control+/")  # the shortcut opens the picker
    picker = agent.get_by_test_id("macro-picker")
    expect(picker).to_be_visible(timeout=WAIT_MS)
    agent.get_by_test_id("macro-filter").fill(title[-6:])
    expect(picker.get_by_test_id("macro-option")).to_have_count(1)
    agent.screenshot(path=str(tmp_path / "macro-picker.png"))
    agent.get_by_test_id("macro-filter").press("Enter")
    expect(picker).to_be_hidden()
    first_name = "Test"  # the factory names customers "Test Customer <n>"
    expect(reply).to_have_value(
        f"Thanks! Hi {first_name}, order {person.order_ids[0]} now has the new size. Bob"
    )

    # A label and a private note, for agents only.
    agent.get_by_test_id("label-input").fill("size-swap")
    agent.get_by_test_id("label-add").click()
    expect(agent.get_by_test_id("label")).to_have_text(["size-swap×"], timeout=WAIT_MS)
    agent.get_by_test_id("note-input").fill("Promised the L before the parcel leaves")
    agent.get_by_test_id("note-add").click()
    expect(agent.get_by_test_id("note").last).to_contain_text("Promised the L", timeout=WAIT_MS)
    agent.reload()
    expect(agent.get_by_test_id("note")).to_have_count(1, timeout=WAIT_MS)

    # History: the ticket is found by its label and the customer's email.
    agent.get_by_test_id("nav-history").click()
    agent.get_by_test_id("history-label").fill("size-swap")
    agent.get_by_test_id("history-customer").fill(person.email)
    agent.get_by_test_id("history-search").click()
    rows = agent.get_by_test_id("history-row")
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    expect(rows.first).to_have_attribute("data-ticket-id", str(ticket_id))
    expect(rows.first).to_contain_text("size-swap")
    agent.screenshot(path=str(tmp_path / "history.png"))
    agent.get_by_test_id("history-status").select_option("solved")
    agent.get_by_test_id("history-search").click()
    expect(agent.get_by_test_id("history-empty")).to_be_visible(timeout=WAIT_MS)


FAKE_NOTIFICATIONS = """
window.Notification = class {
  constructor(title, options) {
    const shown = document.documentElement.dataset.notifications || "";
    document.documentElement.dataset.notifications = shown + title + " | " + (options && options.body) + "\\n";
  }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""


def test_keyboard_shortcuts_and_opt_in_notifications(
    stack: Stack,
    browser: Browser,  # noqa: F811
    stack_people: Factory,
) -> None:
    person = stack_people.customer([{"status": "placed", "total_cents": 1500}])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(FAKE_NOTIFICATIONS)  # records what the page would show on the desktop
    page = context.new_page()
    log_in(page, stack, "bob")
    page.get_by_test_id("notify-toggle").click()
    expect(page.get_by_test_id("notify-toggle")).to_have_attribute("aria-pressed", "true")
    # The first look at the queue only learns what is there; a conversation arriving afterwards is announced.
    expect(page.locator("body")).to_have_attribute("data-notifications-watching", "true", timeout=WAIT_MS)
    ticket_id = verified_handoff(stack, person.id, person.email)
    announced = re.compile(rf"(^|\n)New conversation waiting \| #{ticket_id} ")
    expect(page.locator("html")).to_have_attribute("data-notifications", announced, timeout=WAIT_MS)
    # Another agent hands it to Bob: Bob is told it is his now.
    alice = browser.new_context().request
    console_url = stack.config.console_url
    login = {"username": "alice", "password": stack.demo_passwords()["alice"]}
    assert alice.post(f"{console_url}/api/login", data=login).ok
    assert alice.post(f"{console_url}/api/tickets/{ticket_id}/claim").ok
    assert alice.post(f"{console_url}/api/tickets/{ticket_id}/transfer", data={"to": "bob"}).ok
    assigned = re.compile(rf"(^|\n)Conversation assigned to you \| #{ticket_id} ")
    expect(page.locator("html")).to_have_attribute("data-notifications", assigned, timeout=WAIT_MS)
    verified_handoff(stack, person.id, person.email)  # one more waiting, for the shortcuts below

    # n opens the first waiting conversation nobody has claimed; c claims it; m opens the macros; r resolves.
    page.keyboard.press("n")
    expect(page.get_by_test_id("conversation-view")).to_be_visible(timeout=WAIT_MS)
    opened = int(page.get_by_test_id("conversation-view").get_attribute("data-ticket-id") or 0)
    waiting = page.context.request.get(f"{stack.config.console_url}/api/queue").json()["items"]
    assert opened == next(item["id"] for item in waiting if not item["assignee"])
    expect(page.get_by_test_id("claim")).to_be_visible(timeout=WAIT_MS)
    page.keyboard.press("c")
    expect(page.get_by_test_id("resolve")).to_be_visible(timeout=WAIT_MS)
    page.keyboard.press("m")
    expect(page.get_by_test_id("macro-picker")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("macro-filter").press("Escape")
    expect(page.get_by_test_id("macro-picker")).to_be_hidden()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcuts-help")).to_contain_text("Claim this conversation")
    page.get_by_test_id("shortcuts-close").click()
    page.keyboard.press("r")
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text(f"Resolve ticket #{opened}?")
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Conversation resolved", timeout=WAIT_MS)


OVERFLOW = """() => {
  const page = document.documentElement;
  const cards = [...document.querySelectorAll("[data-testid='queue-view'] .table-card")];
  return {
    page: [page.scrollWidth, page.clientWidth],
    cards: cards.map((card) => [card.scrollWidth, card.clientWidth]),
  };
}"""


def test_the_queue_fits_1280_pixels_and_shows_the_live_last_customer_message(
    stack: Stack,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    # A conversation handed over; the customer writes again while waiting.
    customer = Customer(stack)
    assert "ticket" in customer.say_text("I'd like to talk to a human please").lower()
    ticket_id = ticket_of(stack, customer.sender)["id"]
    later = "Also, the parcel for order 10044 should go to my office instead"
    customer.say(later)
    # Long values in every column, the way real queues have them.
    for _ in range(2):
        requests.post(
            f"{stack.config.backend_url}/v1/tickets",
            json={
                "subject": "Conversation handed to a person: " + "a very long subject about an order " * 3,
                "category": "handoff",
                "priority": "urgent",
                "customer_email": f"a.really.long.customer.address.{uuid.uuid4().hex}@subdomain.example.org",
                "details": {"escalation_reason": "escalation_loop"},
                "messages": [{"author": "customer", "body": "word " * 80}],
            },
            headers=admin_headers(stack),
            timeout=10,
        ).raise_for_status()

    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, stack, "alice")
    row = page.locator(f"[data-testid='queue-row'][data-ticket-id='{ticket_id}']")
    expect(row.get_by_test_id("queue-last-message")).to_contain_text("go to my office", timeout=WAIT_MS)
    expect(page.get_by_test_id("queue-row").first).to_be_visible()
    widths = page.evaluate(OVERFLOW)
    assert widths["page"][0] <= widths["page"][1], widths
    assert widths["cards"] and all(scroll <= client for scroll, client in widths["cards"]), widths
    for header in (
        "Priority",
        "Reason",
        "Subject",
        "Customer",
        "Waiting",
        "Assignee",
        "Last customer message",
    ):
        expect(page.get_by_role("columnheader", name=header, exact=True)).to_be_in_viewport()
    page.screenshot(path=str(tmp_path / "queue-1280.png"), full_page=True)
