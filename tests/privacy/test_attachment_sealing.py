"""Attachments at rest: the bytes and the name a customer gave are sealed with the conversation's key, read
back whole for agents, and unreadable once the conversation's key is destroyed (erasure) or when the
description is pointed at another conversation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from sqlalchemy.orm import Session

from common.attachments import AttachmentStore
from privacy.attachments import ConversationSealer
from privacy.keys import ConversationKeys
from privacy.rights import BackendRights, Stores, _attachments, _opened_attachments

PDF = b"%PDF-1.7\n(Dana Whitfield) Tj (GB33BUKB20201555555555) Tj\n%%EOF"
NAME = "Dana Whitfield bank statement.pdf"


def sealed_store(tmp_path: Path) -> tuple[AttachmentStore, ConversationKeys]:
    keys = ConversationKeys(f"sqlite:///{tmp_path / 'keys.db'}", "a test secret")
    return AttachmentStore(tmp_path / "attachments", 10_000, ConversationSealer(keys)), keys


def test_bytes_and_name_are_sealed_on_disk_and_opened_for_reading(tmp_path: Path) -> None:
    store, _ = sealed_store(tmp_path)
    saved = store.save(PDF, NAME, "wc-dana")
    assert saved.name == NAME and saved.size == len(PDF) and saved.content_type == "application/pdf"

    on_disk = (tmp_path / "attachments" / saved.id).read_bytes()
    description = (tmp_path / "attachments" / f"{saved.id}.json").read_text()
    for clear in (b"Dana", b"GB33BUKB", b"%PDF"):
        assert clear not in on_disk
    assert "Dana" not in description and "statement" not in description
    assert json.loads(description)["conversation_id"] == "wc-dana"  # erasure finds files by conversation

    found = store.find(saved.id)
    assert found is not None and found[0] == saved
    read = store.read(saved.id)
    assert read is not None and read == (saved, PDF)


def test_destroying_the_key_leaves_the_file_unreadable(tmp_path: Path) -> None:
    store, keys = sealed_store(tmp_path)
    saved = store.save(PDF, NAME, "wc-erased")
    kept = store.save(PDF, "other.pdf", "wc-kept")
    assert keys.destroy(["wc-erased"]) == 1
    assert store.find(saved.id) is None and store.read(saved.id) is None
    assert (
        tmp_path / "attachments" / saved.id
    ).is_file()  # still on disk (and in backups): noise without the key
    assert store.read(kept.id) == (kept, PDF)


def test_a_description_moved_to_another_conversation_does_not_open(tmp_path: Path) -> None:
    store, keys = sealed_store(tmp_path)
    saved = store.save(PDF, NAME, "wc-owner")
    keys.key("wc-other", create=True)
    meta = tmp_path / "attachments" / f"{saved.id}.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "conversation_id": "wc-other"}))
    assert store.find(saved.id) is None and store.read(saved.id) is None


def test_files_stored_before_sealing_are_still_read(tmp_path: Path) -> None:
    plain = AttachmentStore(tmp_path / "attachments", 10_000).save(PDF, "old.pdf", "wc-old")
    store, _ = sealed_store(tmp_path)
    assert store.read(plain.id) == (plain, PDF)


def test_an_export_carries_the_files_as_the_customer_sent_them(tmp_path: Path) -> None:
    store, keys = sealed_store(tmp_path)
    mine = store.save(PDF, NAME, "wc-dana")
    store.save(PDF, "someone-else.pdf", "wc-other")
    stores = Stores(
        backend=cast(BackendRights, None),
        console=cast(Session, None),
        tracker=None,
        attachments_dir=tmp_path / "attachments",
        keys=lambda: keys,
    )
    exported = _opened_attachments(stores, _attachments(stores, ["wc-dana"]))
    assert exported == [(mine, PDF)]
