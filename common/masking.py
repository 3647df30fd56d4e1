"""Showing an identifier so its owner recognises it and a shared screen does not give it away."""

from __future__ import annotations


def mask_email(email: str) -> str:
    """j***@example.com"""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """*******4567: only the last four digits."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_identifier(identifier: str) -> str:
    """An email or a phone number, masked."""
    return mask_email(identifier) if "@" in identifier else mask_phone(identifier)
