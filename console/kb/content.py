"""An article's text as the editor saves it: built from the form's fields (or taken whole), checked, and
rendered with its version number and state. Parsing and rendering are knowledge/articles.py's, the one
parser the bot uses too: whatever the editor saves, the bot can read.

Every problem is a 422 that names the field and says what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Dict, Optional, Tuple

from common.errors import ApiError
from console.kb.models import ArticleIn
from knowledge.articles import Article, ArticleError, parse_article, render_article

TITLE_MAX = 120
OWNER_MAX = 100
TAGS_MAX = 12
TAG_MAX = 40
QUESTIONS_MAX = 20
QUESTION_MAX = 200
ID_MAX = 80
BODY_MAX = 20_000
ANSWER_MAX = 1_500
# The first paragraph of a draft made from a question nobody has answered yet ("needs an answer"): it can be
# saved, but not submitted until someone writes the answer.
ANSWER_PLACEHOLDER = "Write here the answer the bot should send: one paragraph, in the customer's words."
FIELDS = ("title", "owner", "review_by", "url", "body")


def invalid(code: str, message: str, field: Optional[str] = None) -> ApiError:
    return ApiError(422, code, message, {"field": field} if field else None)


def parse(text: str, *, source: str) -> Article:
    """An article from Markdown with front matter, or a 422 saying what is wrong with it."""
    try:
        return parse_article(text, source)
    except ArticleError as error:
        field = error.problem.split(":", 1)[0] if ":" in error.problem else None
        raise invalid("invalid_article", f"The article is not valid: {error.problem}", field) from None


def build(body: ArticleIn, *, article_id: str, number: int, status: str) -> Tuple[Article, str]:
    """The article and its text for version `number` in state `status`, from the form or the whole text."""
    if body.text is not None:
        sent = parse(body.text, source="the text you sent")
        if sent.id != article_id:
            raise invalid(
                "id_mismatch", f"The text's id is {sent.id!r}; this article is {article_id!r}.", "id"
            )
        article = dataclasses.replace(sent, version=number, status=status)
    else:
        missing = [name for name in FIELDS if not str(getattr(body, name) or "").strip()]
        if missing:
            what = "empty_answer" if missing == ["body"] else "missing_fields"
            raise invalid(what, f"Fill in: {', '.join(missing)}.", missing[0])
        article = Article(
            id=article_id,
            title=str(body.title).strip(),
            tags=tuple(dict.fromkeys(tag.strip().lower() for tag in body.tags if tag.strip())),
            owner=str(body.owner).strip(),
            review_by=body.review_by,
            version=number,
            status=status,
            url=str(body.url).strip(),
            answer="",
            body=str(body.body).strip(),
            topic=(body.topic or "").strip() or None,
            questions=tuple(dict.fromkeys(" ".join(q.split()) for q in body.questions if q.strip())),
        )
    if not article.body.strip():
        raise invalid(
            "empty_answer", "The body is empty: its first paragraph is the answer the bot sends.", "body"
        )
    _check_limits(article)
    text = render_article(article)
    return parse(text, source=article_id), text  # the round trip checks id, tags, url and the answer


def _check_limits(article: Article) -> None:
    if len(article.id) > ID_MAX:
        raise invalid("id_too_long", f"The id has {len(article.id)} characters; at most {ID_MAX}.", "id")
    if len(article.title) > TITLE_MAX:
        raise invalid(
            "title_too_long", f"The title has {len(article.title)} characters; at most {TITLE_MAX}.", "title"
        )
    if len(article.owner) > OWNER_MAX:
        raise invalid("owner_too_long", f"The owner has more than {OWNER_MAX} characters.", "owner")
    if article.review_by is None:
        raise invalid("missing_fields", "Fill in: review_by.", "review_by")
    if len(article.tags) > TAGS_MAX or any(len(tag) > TAG_MAX for tag in article.tags):
        raise invalid("too_many_tags", f"At most {TAGS_MAX} tags of up to {TAG_MAX} characters.", "tags")
    if len(article.questions) > QUESTIONS_MAX or any(len(q) > QUESTION_MAX for q in article.questions):
        raise invalid(
            "too_many_questions",
            f"At most {QUESTIONS_MAX} customer questions of up to {QUESTION_MAX} characters.",
            "questions",
        )
    if len(article.body) > BODY_MAX:
        raise invalid("body_too_long", f"The body has more than {BODY_MAX} characters.", "body")
    answer = article.body.strip().split("\n\n", 1)[0]
    if len(answer) > ANSWER_MAX:
        raise invalid(
            "answer_too_long",
            f"The first paragraph (the bot's answer) has {len(answer)} characters; at most {ANSWER_MAX}.",
            "body",
        )


def check_answer_written(article: Article) -> None:
    """A draft goes to review only with a real answer (not the placeholder of a "needs an answer" draft)."""
    if not article.answer.strip() or article.answer.strip() == ANSWER_PLACEHOLDER:
        raise invalid(
            "answer_missing", "Write the answer the bot should send as the body's first paragraph.", "body"
        )


def restated(text: str, *, number: int, status: str, source: str) -> Tuple[Article, str]:
    """An earlier version's text as version `number` in state `status` (reverts, releases, retirements)."""
    rendered = render_article(dataclasses.replace(parse(text, source=source), version=number, status=status))
    return parse(rendered, source=source), rendered  # an older-format text without owner or date fails here


def fields_of(article: Article) -> Dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "tags": list(article.tags),
        "owner": article.owner,
        "review_by": article.review_by.isoformat() if article.review_by else None,
        "url": article.url,
        "topic": article.topic,
        "questions": list(article.questions),
        "body": article.body,
        "answer": article.answer,
        "version": article.version,
        "status": article.status,
    }


def propose_id(title: str, *, taken: Callable[[str], bool]) -> str:
    """A new article's id from its title ("Do you ship to Iceland?" -> do-you-ship-to-iceland), unique."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    base = (words[:60].rsplit("-", 1)[0] if len(words) > 60 else words) or "article"
    candidate, suffix = base, 2
    while taken(candidate):
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate
