"""The console's knowledge-base editor in real headless Chromium (no stack: the backend and the console, with
a seed folder of their own): the list shows states and marks an overdue review date; an editor edits an
article (the bot's answer shown as she types), saves and submits it, and cannot publish her own change; an
approver sees the diff against the live version and publishes it; the published file holds the new version.
A trainer makes an agent's correction a draft in one click and starts a new article. The pages have no
serious accessibility violations and fit the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from common.database import make_engine, make_session_factory
from console.corrections.service import record as record_correction
from knowledge.articles import load_library, parse_article
from tests.console.test_kb_api import DELIVERY, REFUNDS, start_kb_console
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.e2e.test_browser_layout import serious_violations
from tests.e2e.test_browser_privacy import signed_in
from tests.support import BackendServer, stop_process

NEW_ANSWER = "Standard delivery takes 2 to 4 business days after your order ships."


@pytest.fixture(scope="module")
def kb_console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dict[str, Any]]:
    started = start_kb_console(
        sqlite_backend,
        tmp_path_factory.mktemp("browser-kb"),
        delivery_times=DELIVERY,
        refund_policy=REFUNDS,
        newsletter={"answer": "Sign up at the foot of any page.", "review_by": "2020-01-31"},
    )
    yield started
    stop_process(started["console"].process)


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_an_editor_submits_and_an_approver_sees_the_diff_and_publishes(
    kb_console: dict,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    console, out = kb_console["console"], kb_console["out"]
    erin = signed_in(browser, console, "erin", bypass_csp=True)  # axe is injected as a script
    erin.get_by_test_id("nav-kb").click()
    expect(erin.get_by_test_id("kb-row")).to_have_count(3, timeout=WAIT_MS)
    late = erin.locator("[data-testid='kb-row'][data-article-id='newsletter']")
    expect(late).to_have_attribute("data-overdue", "true")
    expect(late.get_by_test_id("kb-review-by")).to_contain_text("Overdue")
    on_time = erin.locator("[data-testid='kb-row'][data-article-id='delivery-times']")
    expect(on_time).to_have_attribute("data-overdue", "false")
    erin.get_by_test_id("kb-filter").select_option("draft")
    expect(erin.get_by_test_id("kb-empty")).to_be_visible(timeout=WAIT_MS)
    erin.get_by_test_id("kb-filter").select_option("")
    assert serious_violations(erin) == []
    assert fits(erin)
    erin.screenshot(path=str(tmp_path / "kb-list.png"), full_page=True)

    erin.locator("[data-testid='kb-row'][data-article-id='delivery-times']").get_by_test_id("kb-open").click()
    article = erin.get_by_test_id("kb-article")
    expect(article).to_have_attribute("data-state", "published", timeout=WAIT_MS)
    expect(erin.get_by_test_id("kb-answer")).to_have_text("Standard delivery takes 3 to 5 business days.")
    body = erin.get_by_test_id("kb-field-body")
    body.fill(f"{NEW_ANSWER}\n\nMore detail that the retriever also searches.")
    expect(erin.get_by_test_id("kb-answer")).to_have_text(
        NEW_ANSWER
    )  # marked as the bot's answer while typing
    erin.get_by_test_id("kb-save").click()
    expect(article).to_have_attribute("data-state", "draft", timeout=WAIT_MS)
    expect(article).to_have_attribute("data-version", "3")
    expect(erin.get_by_test_id("kb-live")).to_have_text("Bot answers from v2")
    assert not (out / "delivery-times.md").exists()  # a draft never reaches the bot
    erin.get_by_test_id("kb-submit").click()
    expect(article).to_have_attribute("data-state", "in_review", timeout=WAIT_MS)
    expect(erin.get_by_test_id("kb-waiting")).to_be_visible()
    expect(erin.get_by_test_id("kb-publish")).to_have_count(0)
    assert serious_violations(erin) == []
    assert fits(erin)
    erin.screenshot(path=str(tmp_path / "kb-editor-submitted.png"), full_page=True)

    vera = signed_in(browser, console, "vera")
    vera.goto(f"{console.base_url}/#/kb/delivery-times")
    expect(vera.get_by_test_id("kb-article")).to_have_attribute("data-state", "in_review", timeout=WAIT_MS)
    diff = vera.get_by_test_id("kb-diff")
    expect(diff).to_have_attribute("data-from", "2", timeout=WAIT_MS)  # the live version against the draft
    expect(diff).to_have_attribute("data-to", "3")
    expect(diff.get_by_test_id("kb-diff-added").filter(has_text=NEW_ANSWER)).to_have_count(1)
    expect(diff.get_by_test_id("kb-diff-removed").filter(has_text="3 to 5 business days")).to_have_count(1)
    expect(vera.get_by_test_id("kb-field-body")).to_be_disabled()  # an approver alone does not edit
    vera.get_by_test_id("kb-publish").click()
    expect(vera.get_by_test_id("confirm-dialog")).to_be_visible(timeout=WAIT_MS)
    vera.get_by_test_id("confirm-note").fill("checked against the carrier's new times")
    vera.get_by_test_id("confirm-ok").click()
    expect(vera.get_by_test_id("kb-article")).to_have_attribute("data-state", "published", timeout=WAIT_MS)
    expect(vera.get_by_test_id("kb-live")).to_have_text("Bot answers from v3")
    live = vera.locator("[data-testid='kb-version'][data-version='3']")
    expect(live.get_by_test_id("kb-live-version")).to_be_visible(timeout=WAIT_MS)
    expect(vera.locator("[data-testid='kb-audit-row'][data-action='kb_published']")).to_have_count(1)
    vera.screenshot(path=str(tmp_path / "kb-editor-published.png"), full_page=True)

    written = parse_article((out / "delivery-times.md").read_text(), "published")
    assert (written.version, written.status, written.answer) == (3, "published", NEW_ANSWER)
    assert load_library(kb_console["seed"], out)["delivery-times"].answer == NEW_ANSWER
    erin.context.close()
    vera.context.close()


def test_the_knowledge_link_follows_the_roles_and_the_top_bar_still_fits(
    kb_console: dict,
    browser: Browser,  # noqa: F811
) -> None:
    console = kb_console["console"]
    for username, shown in {"alice": True, "erin": True, "bob": False}.items():
        page = signed_in(browser, console, username, width=1024)  # alice has every other link too
        link = page.get_by_test_id("nav-kb")
        if shown:
            expect(link).to_be_visible()
        else:
            expect(link).to_be_hidden()
        fit = page.evaluate(
            """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                      document.getElementById('topbar').scrollWidth, document.getElementById('topbar').clientWidth]"""
        )
        assert fit[0] <= fit[1] and fit[2] <= fit[3], (username, fit)
        page.goto(f"{console.base_url}/#/corrections")
        expect(page.get_by_test_id("corrections-view")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_test_id("corrections-to-kb")).to_have_count(1 if username == "erin" else 0)
        page.goto(f"{console.base_url}/#/kb")
        if shown:
            expect(page.get_by_test_id("kb-row").first).to_be_visible(timeout=WAIT_MS)
            expect(page.get_by_test_id("kb-new")).to_have_count(1 if username == "erin" else 0)
        else:
            expect(page.get_by_test_id("kb-forbidden")).to_be_visible(timeout=WAIT_MS)
        page.context.close()


def test_a_correction_becomes_a_draft_in_one_click_and_a_new_article_starts_as_a_draft(
    kb_console: dict,
    browser: Browser,  # noqa: F811
) -> None:
    console = kb_console["console"]
    engine = make_engine(f"sqlite:///{kb_console['folder']}/console.db")
    with make_session_factory(engine)() as session:
        record_correction(
            ticket_id=12,
            conversation_id="web-12",
            bot_text="We do not deliver on Sundays.",
            bot_timestamp=None,
            customer_text="do you deliver on sundays",
            correction="We deliver on Sundays in large cities for orders placed by Saturday noon.",
            agent="bob",
            db_session=session,
        )
        session.commit()
    engine.dispose()
    tara = signed_in(browser, console, "tara")
    tara.goto(f"{console.base_url}/#/kb")
    card = tara.get_by_test_id("kb-correction").filter(has_text="do you deliver on sundays")
    expect(card).to_have_count(1, timeout=WAIT_MS)
    card.get_by_test_id("kb-make-draft").click()
    article = tara.get_by_test_id("kb-article")
    expect(article).to_have_attribute("data-article-id", "do-you-deliver-on-sundays", timeout=WAIT_MS)
    expect(article).to_have_attribute("data-state", "draft")
    expect(tara.get_by_test_id("kb-answer")).to_have_text(
        "We deliver on Sundays in large cities for orders placed by Saturday noon."
    )
    origin = tara.get_by_test_id("kb-origin")
    expect(origin).to_contain_text("We do not deliver on Sundays.")
    expect(origin.get_by_test_id("kb-origin-ticket")).to_have_attribute("href", "#/tickets/12")
    tara.get_by_test_id("kb-back").click()
    expect(tara.get_by_test_id("kb-correction")).to_have_count(
        0, timeout=WAIT_MS
    )  # drafted: no longer waiting

    tara.get_by_test_id("kb-new").click()
    tara.get_by_test_id("kb-field-title").fill("Parcel lockers")
    tara.get_by_test_id("kb-field-owner").fill("logistics-team")
    tara.get_by_test_id("kb-field-review_by").fill("2027-06-30")
    tara.get_by_test_id("kb-field-url").fill("https://shop.example.com/help/parcel-lockers")
    tara.get_by_test_id("kb-field-body").fill(
        "You can have your order delivered to a parcel locker near you."
    )
    tara.get_by_test_id("kb-save").click()
    created = tara.get_by_test_id("kb-article")
    expect(created).to_have_attribute("data-article-id", "parcel-lockers", timeout=WAIT_MS)
    expect(created).to_have_attribute("data-version", "1")
    tara.context.close()
