"""Foundations shared by every Frontdesk service: settings, errors, database helpers, texts, masking.

Each service (backend, actions, channels, console, webchat) imports these instead of keeping its own copy.
"""
