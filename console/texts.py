"""Customer-facing sentences the console sends, read from domain.yml so all wording lives in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import yaml

CONSOLE_RESPONSES = (
    "utter_agent_joined",
    "utter_agent_transferred",
    "utter_agent_unassigned",
    "utter_agent_reply_email_subject",
    "utter_agent_reply_email",
)


class CustomerTexts:
    def __init__(self, domain_path: Path) -> None:
        responses = yaml.safe_load(Path(domain_path).read_text(encoding="utf-8"))["responses"]
        missing = [name for name in CONSOLE_RESPONSES if name not in responses]
        if missing:
            raise RuntimeError(f"{domain_path} lacks the console's responses: {', '.join(missing)}")
        self.templates: Dict[str, str] = {name: responses[name][0]["text"] for name in CONSOLE_RESPONSES}

    def render(self, name: str, **values: object) -> str:
        """The response with its {placeholders} filled (values are shown as given, never interpreted)."""
        text = self.templates[name]
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text
