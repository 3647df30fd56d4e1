"""Who may do what to an article: the roles, and the second person (maker-checker).

- Drafts (create, edit, revert, submit for review): the `trainer` or `editor` role.
- Publishing: a second person. Whoever saved a version of the change, or submitted it, never publishes it.
  An ordinary article may be published by any other trainer, editor or approver; one tagged billing, refund
  or legal (on the new version or on the one the bot answers from now) only by an `approver`.
- Retiring takes the same role as publishing that article. It needs no second person: it only stops the bot
  answering from the article (the bot then offers a person), and it is undone by publishing again.
- Sending a submitted draft back: whoever may publish it, or whoever may edit drafts (to withdraw it).
"""

from __future__ import annotations

from typing import Collection, Dict, Iterable, Optional

from common.errors import ApiError
from console.agents.models import ADMIN, APPROVER, EDITOR, TRAINER
from console.kb.models import DRAFT, IN_REVIEW, SENSITIVE_TAGS

EDIT_ROLES = (TRAINER, EDITOR)
REVIEW_ROLES = (TRAINER, EDITOR, APPROVER)
SENSITIVE_REVIEW_ROLES = (APPROVER,)
READ_ROLES = (TRAINER, EDITOR, APPROVER, ADMIN)


def is_sensitive(*tag_lists: Iterable[str]) -> bool:
    return any(tag in SENSITIVE_TAGS for tags in tag_lists for tag in tags)


def may_edit(roles: Collection[str]) -> bool:
    return any(role in roles for role in EDIT_ROLES)


def review_refusal(roles: Collection[str], *, sensitive: bool) -> Optional[ApiError]:
    """Why this person may not publish or retire the article (by role), or None."""
    if sensitive and APPROVER not in roles:
        return ApiError(
            403,
            "approver_required",
            "This article is tagged billing, refund or legal: only a user with the approver role may "
            "publish or retire it.",
        )
    if not any(role in roles for role in REVIEW_ROLES):
        return ApiError(403, "role_required", "Publishing needs the trainer, editor or approver role.")
    return None


def maker_checker_refusal(username: str, makers: Collection[str]) -> Optional[ApiError]:
    if username in makers:
        return ApiError(
            403,
            "maker_checker",
            "You wrote, edited or submitted this change: a second person must publish it.",
            {"makers": sorted(makers)},
        )
    return None


def allowed_steps(
    *,
    state: str,
    live_version: Optional[int],
    username: str,
    roles: Collection[str],
    makers: Collection[str],
    sensitive: bool,
) -> Dict[str, bool]:
    """What the page offers this person; the service checks each step again when it is asked."""
    editor = may_edit(roles)
    reviewer = review_refusal(roles, sensitive=sensitive) is None
    return {
        "edit": editor,
        "revert": editor,
        "submit": editor and state == DRAFT,
        "publish": reviewer and state == IN_REVIEW and username not in makers,
        "send_back": (reviewer or editor) and state == IN_REVIEW,
        "retire": reviewer and live_version is not None,
    }
