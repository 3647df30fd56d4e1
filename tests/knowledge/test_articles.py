"""Article files: parsing with errors that name the file and the field, rendering, and merging sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.knowledge_settings import knowledge_settings
from knowledge.articles import ArticleError, load_library, merge_sources, parse_article, render_article
from tests.knowledge.support import article_text, write_article

GOOD = article_text(
    "refunds", '"Refunds: how and when"', "[refund, Billing]", "The answer,\nwrapped.\n\nMore detail."
)


def test_an_article_is_parsed_with_its_first_paragraph_as_the_answer() -> None:
    article = parse_article(GOOD, "data/kb/refunds.md")
    assert article.id == "refunds" and article.title == "Refunds: how and when"
    assert article.tags == ("refund", "billing")
    assert (article.owner, article.review_by, article.version, article.status) == (
        "support-team",
        date(2027, 6, 30),
        1,
        "published",
    )
    assert article.answer == "The answer, wrapped."
    assert article.paragraphs == ["The answer,\nwrapped.", "More detail."]
    assert article.topic is None and len(article.content_hash) == 64


@pytest.mark.parametrize(
    "change, field",
    [
        (("version: 1", "version: two"), "version"),
        (("version: 1", "version: 0"), "version"),
        (("status: published", "status: live"), "status"),
        (("review_by: 2027-06-30", "review_by: someday"), "review_by"),
        (("tags: [refund, Billing]", "tags: refund"), "tags"),
        (("url: https://shop.example.com/help/refunds", "url: shop.example.com"), "url"),
        (("id: refunds", "id: Refunds Policy"), "id"),
        (("owner: support-team\n", ""), "missing field: owner"),
        (("The answer,", "# Refunds\n\nThe answer,"), "body"),
        (('title: "Refunds: how and when"', "title: [unclosed"), "not valid YAML"),
    ],
)
def test_an_invalid_article_names_its_file_and_field(change: tuple, field: str) -> None:
    with pytest.raises(ArticleError) as raised:
        parse_article(GOOD.replace(*change), "data/kb/refunds.md")
    assert str(raised.value).startswith("data/kb/refunds.md: ")
    assert field in str(raised.value)


def test_a_file_without_front_matter_or_body_is_refused() -> None:
    with pytest.raises(ArticleError, match="x.md: no front matter"):
        parse_article("Just text.\n", "x.md")
    with pytest.raises(ArticleError, match="x.md: body: empty"):
        parse_article(GOOD.split("The answer")[0], "x.md")


def test_the_older_format_is_read_as_published_version_1() -> None:
    text = "---\ntopic: newsletter\ntitle: Newsletters\nurl: https://shop.example.com/help/newsletter\n---\nYou can unsubscribe.\n"
    article = parse_article(text, "data/kb/newsletter.md")
    assert (article.id, article.topic, article.status, article.version, article.tags) == (
        "newsletter",
        "newsletter",
        "published",
        1,
        (),
    )


def test_rendering_round_trips_every_article_in_the_repository() -> None:
    paths = sorted(knowledge_settings().kb_dir.glob("*.md"))
    assert paths
    for path in paths:
        article = parse_article(path.read_text(encoding="utf-8"), str(path))
        if article.review_by is None:  # an older-format file: rendering converts it
            continue
        assert parse_article(render_article(article), str(path)) == article


def test_a_later_source_overrides_the_seed_when_its_version_is_the_same_or_higher(tmp_path: Path) -> None:
    seed, published = tmp_path / "seed", tmp_path / "published"
    write_article(seed, "refunds", "Seed answer.", version=2)
    write_article(seed, "delivery", "Seed delivery answer.", version=3)
    write_article(seed, "passwords", "Seed password answer.", version=1)
    write_article(published, "refunds", "Published answer.", version=2)  # same version: the console's copy
    write_article(published, "delivery", "Older copy.", version=2)  # lower version: ignored
    library = load_library(seed, published)
    assert library["refunds"].answer == "Published answer."
    assert library["delivery"].answer == "Seed delivery answer."
    assert set(library) == {"refunds", "delivery", "passwords"}


def test_only_published_articles_are_served_and_a_retired_copy_hides_the_seed(tmp_path: Path) -> None:
    seed, published = tmp_path / "seed", tmp_path / "published"
    write_article(seed, "refunds", "Seed answer.")
    write_article(seed, "delivery", "A draft.", status="draft")
    write_article(seed, "passwords", "Under review.", status="in_review")
    write_article(published, "refunds", "Gone.", version=2, status="retired")
    assert load_library(seed, published) == {}
    assert merge_sources(seed, published)["refunds"].status == "retired"
    assert load_library(seed, tmp_path / "missing") == {"refunds": load_library(seed)["refunds"]}


def test_two_files_with_one_id_in_a_source_are_an_error(tmp_path: Path) -> None:
    write_article(tmp_path, "refunds")
    (tmp_path / "copy.md").write_text((tmp_path / "refunds.md").read_text())
    with pytest.raises(ArticleError, match="refunds.md: id: 'refunds' is also the id of .*copy.md"):
        load_library(tmp_path)
