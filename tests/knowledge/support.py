"""Small article libraries written to temporary folders, and a counting wrapper around the real encoder."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np

from knowledge.indexing import MiniLMEncoder

ARTICLES = {
    "refunds": (
        "Refunds",
        "[refund, billing]",
        "A refund reaches your original payment method within 5 to 7 business days after we approve it.\n\n"
        "Refunds for orders paid with a gift card go back to the gift card.",
    ),
    "delivery": (
        "Delivery times",
        "[delivery]",
        "Standard delivery takes 3 to 5 business days after your order ships; express takes 1 to 2.\n\n"
        "Orders placed before 2 pm on a business day usually ship the same day.",
    ),
    "passwords": (
        "Resetting your password",
        "[account]",
        'Choose "Forgot password" on the sign-in page and we email you a link that works for one hour.',
    ),
}


def article_text(
    article_id: str, title: str, tags: str, body: str, version: int = 1, status: str = "published"
) -> str:
    return (
        f"---\nid: {article_id}\ntitle: {title}\ntags: {tags}\nowner: support-team\nreview_by: 2027-06-30\n"
        f"version: {version}\nstatus: {status}\nurl: https://shop.example.com/help/{article_id}\n---\n{body}\n"
    )


def write_article(
    folder: Path, article_id: str, body: Optional[str] = None, version: int = 1, status: str = "published"
) -> Path:
    title, tags, default_body = ARTICLES.get(article_id, (article_id.title(), "[misc]", ""))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{article_id}.md"
    path.write_text(article_text(article_id, title, tags, body or default_body, version, status))
    return path


def write_library(folder: Path, ids: Sequence[str] = tuple(ARTICLES)) -> Path:
    for article_id in ids:
        write_article(folder, article_id)
    return folder


class CountingEncoder:
    """The real MiniLM encoder, counting the texts it embeds."""

    def __init__(self, encoder: MiniLMEncoder) -> None:
        self.encoder = encoder
        self.encoder_id = encoder.encoder_id
        self.texts: List[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.encoder.embed(texts)
