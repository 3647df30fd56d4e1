"""The attachment store: types decided by content, not name; size limit; names cleaned; ids checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.attachments import AttachmentRefused, AttachmentStore, clean_name, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%..."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 8, "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (PDF, "application/pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", None),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_the_type_comes_from_the_content(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_a_file_named_like_a_picture_is_still_refused_by_content(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, 1000)
    with pytest.raises(AttachmentRefused) as refused:
        store.save(b"just text, named photo.png", "photo.png", "wc-1")
    assert refused.value.reason == "unsupported_type"
    assert list(tmp_path.iterdir()) == []


def test_size_limit_and_empty_files(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, len(PNG))
    assert store.save(PNG, "a.png", "wc-1").size == len(PNG)
    with pytest.raises(AttachmentRefused, match="too_large"):
        store.save(PNG + b"\x00", "b.png", "wc-1")
    with pytest.raises(AttachmentRefused, match="empty"):
        store.save(b"", "c.png", "wc-1")


def test_stored_files_are_found_by_their_id_only(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "attachments", 1000)
    saved = store.save(PDF, "../../etc/invoice\x07.pdf", "wc-7")
    assert saved.name == "invoice.pdf" and saved.content_type == "application/pdf"
    found = store.find(saved.id)
    assert found is not None and found[0] == saved and found[1].read_bytes() == PDF
    assert store.find("../" + saved.id) is None
    assert store.find(saved.id + ".json") is None
    assert store.find("A" * 22) is None


def test_clean_name() -> None:
    assert clean_name("C:\\Users\\me\\scan.pdf") == "scan.pdf"
    assert clean_name("") == "file"
    assert len(clean_name("x" * 500)) == 120
