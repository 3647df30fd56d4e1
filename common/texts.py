"""Customer-facing sentences, read from domain.yml so every wording lives in one place.

The channels (refusals), the console (agent-joined notices, reply emails) and the backend (emails)
render the same responses the bot uses; a missing response is an error at start-up, not at the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, Mapping

import yaml

from common.paths import DOMAIN_PATH, REPO_ROOT

EMAILS_PATH = REPO_ROOT / "emails.yml"


@lru_cache(maxsize=4)
def responses_of(domain_path: Path) -> Dict[str, str]:
    """Every response of a domain file that has a text, by name (its first variant)."""
    responses = yaml.safe_load(Path(domain_path).read_text(encoding="utf-8"))["responses"]
    return {
        name: variants[0]["text"]
        for name, variants in responses.items()
        if variants and "text" in variants[0]
    }


class Texts:
    """The named responses of a domain file, with their {placeholders} filled on demand."""

    def __init__(self, names: Iterable[str], domain_path: Path = DOMAIN_PATH) -> None:
        responses = responses_of(Path(domain_path))
        missing = [name for name in names if name not in responses]
        if missing:
            raise RuntimeError(f"{domain_path} lacks the responses {', '.join(missing)}")
        self.templates: Dict[str, str] = {name: responses[name] for name in names}

    def render(self, name: str, /, **values: object) -> str:
        """The response with its placeholders filled; values are shown as given, never interpreted."""
        return fill(self.templates[name], values)

    def __getitem__(self, name: str) -> str:
        return self.templates[name]


def fill(template: str, values: Mapping[str, object]) -> str:
    """The template with its {placeholders} replaced; values are inserted as text, never interpreted."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


class MessageTemplates:
    """Emails and SMS texts from emails.yml: `render(name, channel, **values)`."""

    def __init__(self, path: Path = EMAILS_PATH) -> None:
        self.templates: Dict[str, Dict[str, str]] = yaml.safe_load(Path(path).read_text(encoding="utf-8"))

    def render(self, template_name: str, channel: str = "email", /, **values: object) -> Message:
        template = self.templates[template_name]
        return Message(subject=fill(template["subject"], values), body=fill(template[channel], values))
