"""Knowledge-base articles: Markdown files with YAML front matter, parsed, rendered and merged from sources.

An article file (`data/kb/<id>.md`, or the console's published copy in KB_PUBLISHED_DIR):

    ---
    id: refund-policy
    title: Refunds
    tags: [refund, billing]
    owner: payments-team
    review_by: 2027-03-31
    version: 3
    status: published          # draft | in_review | published | retired
    url: https://shop.example.com/help/refunds
    topic: refund_policy       # optional: the NLU's FAQ topic this article answers
    questions:                 # optional: how customers ask for it, in their words (searched, never sent)
    - when do I get my money back?
    - how long does a refund take?
    ---
    The canonical answer: this first paragraph is what the bot says, word for word.

    Further paragraphs: details the retriever also searches.

Files of the older format (front matter with only topic, title and url) are still read while they are
converted: their id is the topic (else the file name), version 1, status published, no owner or review date.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

STATUSES = ("draft", "in_review", "published", "retired")
PUBLISHED = "published"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
REQUIRED = ("id", "title", "tags", "owner", "review_by", "version", "status", "url")


class ArticleError(ValueError):
    """An article file is not valid; the message names the file and the field."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source, self.problem = source, problem


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    tags: Tuple[str, ...]
    owner: str
    review_by: Optional[date]  # None only for older-format files
    version: int
    status: str
    url: str
    answer: str  # the body's first paragraph: the only text the bot ever sends from this article
    body: str  # the whole Markdown body, the answer included
    topic: Optional[str] = None
    questions: Tuple[str, ...] = ()  # customers' phrasings this article answers: searched, never sent
    content_hash: str = ""  # of what is searched (title, tags, body, questions): not of a date or status
    source: str = field(default="", compare=False)  # the file it was read from, for messages

    @property
    def paragraphs(self) -> List[str]:
        return split_paragraphs(self.body)


def split_paragraphs(body: str) -> List[str]:
    return [part.strip() for part in re.split(r"\n[ \t]*\n", body.strip()) if part.strip()]


def content_hash(title: str, tags: Iterable[str], body: str, questions: Iterable[str] = ()) -> str:
    searched: List[Any] = [title, list(tags), body]
    if questions:  # an article without questions keeps the hash it had before the field existed
        searched.append(list(questions))
    return hashlib.sha256(json.dumps(searched).encode("utf-8")).hexdigest()


def parse_article(text: str, source: str = "<text>") -> Article:
    """One article from its file's text; `source` (the path) names it in every ArticleError."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise ArticleError(
            source, "no front matter: the file must start with a '---' line, then YAML, then '---'"
        )
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise ArticleError(source, f"the front matter is not valid YAML ({error})")
    if not isinstance(meta, dict):
        raise ArticleError(source, "the front matter must be a mapping of fields (id: ..., title: ...)")
    body = text[match.end() :].strip()
    if not body:
        raise ArticleError(source, "body: empty; its first paragraph must be the canonical answer")
    answer = _answer(split_paragraphs(body)[0], source)
    if "id" not in meta:
        return _older_format(meta, body, answer, source)
    missing = [name for name in REQUIRED if meta.get(name) is None]
    if missing:
        raise ArticleError(source, f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    title = _text(meta, "title", source)
    tags = _tags(meta, source)
    questions = _questions(meta, source)
    return Article(
        id=_identifier(meta, "id", source),
        title=title,
        tags=tags,
        owner=_text(meta, "owner", source),
        review_by=_date(meta, source),
        version=_version(meta, source),
        status=_status(meta, source),
        url=_url(meta, source),
        answer=answer,
        body=body,
        topic=_identifier(meta, "topic", source) if meta.get("topic") is not None else None,
        questions=questions,
        content_hash=content_hash(title, tags, body, questions),
        source=source,
    )


def _older_format(meta: Mapping[str, Any], body: str, answer: str, source: str) -> Article:
    """The format before governed articles (topic, title, url): read as published, version 1."""
    topic = _identifier(meta, "topic", source) if meta.get("topic") is not None else None
    stem = Path(source).stem.lower()
    article_id = topic or stem
    if not _ID.match(article_id):
        raise ArticleError(source, f"id: no id field, and the file name {stem!r} is not a usable id")
    title = _text(meta, "title", source)
    return Article(
        id=article_id,
        title=title,
        tags=(),
        owner="",
        review_by=None,
        version=1,
        status=PUBLISHED,
        url=_url(meta, source),
        answer=answer,
        body=body,
        topic=topic,
        content_hash=content_hash(title, (), body),
        source=source,
    )


def _answer(paragraph: str, source: str) -> str:
    if paragraph.startswith("#"):
        raise ArticleError(source, "body: the first paragraph is a heading; it must be the canonical answer")
    lines = [line.strip() for line in paragraph.splitlines()]
    # Markdown joins a wrapped paragraph's lines; a list keeps its lines.
    return "\n".join(lines) if any(_LIST_ITEM.match(line) for line in lines) else " ".join(lines)


def _text(meta: Mapping[str, Any], name: str, source: str) -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(source, f"{name}: must be non-empty text, not {value!r}")
    return value.strip()


def _identifier(meta: Mapping[str, Any], name: str, source: str) -> str:
    value = _text(meta, name, source)
    if not _ID.match(value):
        raise ArticleError(source, f"{name}: {value!r} must be lower-case letters, digits, '-' or '_'")
    return value


def _tags(meta: Mapping[str, Any], source: str) -> Tuple[str, ...]:
    value = meta.get("tags")
    if not isinstance(value, list) or not all(isinstance(tag, str) and tag.strip() for tag in value):
        raise ArticleError(source, f"tags: must be a list of words, e.g. [refund, billing], not {value!r}")
    return tuple(tag.strip().lower() for tag in value)


def _questions(meta: Mapping[str, Any], source: str) -> Tuple[str, ...]:
    value = meta.get("questions")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ArticleError(
            source,
            f"questions: must be a list of non-empty questions, e.g. [where is my refund?], not {value!r}",
        )
    return tuple(dict.fromkeys(" ".join(item.split()) for item in value))


def _date(meta: Mapping[str, Any], source: str) -> date:
    value = meta.get("review_by")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArticleError(source, f"review_by: must be a date like 2027-03-31, not {value!r}")


def _version(meta: Mapping[str, Any], source: str) -> int:
    value = meta.get("version")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArticleError(source, f"version: must be a whole number from 1, not {value!r}")
    return value


def _status(meta: Mapping[str, Any], source: str) -> str:
    value = meta.get("status")
    if value not in STATUSES:
        raise ArticleError(source, f"status: must be one of {', '.join(STATUSES)}, not {value!r}")
    return str(value)


def _url(meta: Mapping[str, Any], source: str) -> str:
    value = _text(meta, "url", source)
    if not value.startswith(("https://", "http://", "/")):
        raise ArticleError(source, f"url: must start with https://, http:// or /, not {value!r}")
    return value


def render_article(article: Article) -> str:
    """The file's text; parse_article(render_article(a)) == a for every article of the current format."""
    meta: Dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "tags": list(article.tags),
        "owner": article.owner,
        "review_by": article.review_by,
        "version": article.version,
        "status": article.status,
        "url": article.url,
    }
    if article.topic is not None:
        meta["topic"] = article.topic
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    if article.questions:  # one a line, as people write them, rather than a long [..., ...] line
        questions = {"questions": list(article.questions)}
        front += yaml.safe_dump(questions, allow_unicode=True, default_flow_style=False, width=1000)
    return f"---\n{front}---\n{article.body.strip()}\n"


def read_directory(directory: Path) -> Dict[str, Article]:
    """Every *.md file of one source, by id (any status); two files with one id are an error."""
    found: Dict[str, Article] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ArticleError(str(path), f"cannot be read ({error})")
        article = parse_article(text, str(path))
        if article.id in found:
            raise ArticleError(str(path), f"id: {article.id!r} is also the id of {found[article.id].source}")
        found[article.id] = article
    return found


def merge_sources(*directories: Path) -> Dict[str, Article]:
    """Every article by id, any status: a later source's copy replaces an earlier one of the same or a
    lower version (the console's published directory overrides the git seed)."""
    merged: Dict[str, Article] = {}
    for directory in directories:
        for article_id, article in read_directory(Path(directory)).items():
            earlier = merged.get(article_id)
            if earlier is None or article.version >= earlier.version:
                merged[article_id] = article
    return merged


def load_library(*directories: Path) -> Dict[str, Article]:
    """The articles the bot may answer from: merged as merge_sources does, then only the published ones (a
    later source's retired copy hides the seed's)."""
    return {
        key: article for key, article in merge_sources(*directories).items() if article.status == PUBLISHED
    }
