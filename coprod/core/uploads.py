"""Files people upload: their type is read from their first bytes, never from their name,
and they are stored under a random name so nothing a user typed reaches the file system."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File

HEAD_SIZE = 16
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1"}


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extension: str
    matches: Callable[[bytes], bool]


PDF = FileKind("PDF", "application/pdf", "pdf", lambda head: head.startswith(b"%PDF-"))
PNG = FileKind("PNG", "image/png", "png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"))
JPEG = FileKind("JPEG", "image/jpeg", "jpg", lambda head: head.startswith(b"\xff\xd8\xff"))
# An ISO media file: a box size, then "ftyp" and the brand. iPhones save photos like this.
HEIC = FileKind(
    "HEIC", "image/heic", "heic", lambda head: head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS
)

RECEIPT_KINDS = (JPEG, PNG, HEIC, PDF)
RECEIPT_MAX_BYTES = 5 * 1024 * 1024


def file_kind(file: File, kinds: tuple[FileKind, ...]) -> FileKind | None:
    """Which of `kinds` the file's content is, or None; the file is left at its start."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    return next((kind for kind in kinds if kind.matches(head)), None)


def _size_in_words(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def upload_check(file: File, *, kinds: tuple[FileKind, ...], max_bytes: int) -> FileKind:
    """The kind of an uploaded file; raises ValidationError in plain English if it is empty,
    too big, or not one of `kinds` (whatever its name says)."""
    if not file.size:
        raise ValidationError("This file is empty. Choose another one.", code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            f"This file is too big. It must be {_size_in_words(max_bytes)} or smaller.",
            code="too_big",
        )
    kind = file_kind(file, kinds)
    if kind is None:
        names = ", ".join(known.label for known in kinds[:-1]) + f" or {kinds[-1].label}"
        raise ValidationError(
            f"We cannot open this file. It must be a photo or a document saved as {names}.",
            code="wrong_type",
        )
    return kind


def random_file_name(kind: FileKind) -> str:
    return f"{uuid.uuid4().hex}.{kind.extension}"


class CheckedFileField(forms.FileField):
    """A file field that accepts only `kinds` (checked by content) up to `max_bytes`, and
    gives the cleaned file a random name."""

    def __init__(self, *, kinds: tuple[FileKind, ...], max_bytes: int, **kwargs):
        self.kinds = kinds
        self.max_bytes = max_bytes
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose a file.",
                "empty": "This file is empty. Choose another one.",
                "invalid": "We could not read this file. Choose it again.",
                "missing": "We could not read this file. Choose it again.",
            },
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        # A hint for the browser's file picker only; the content is what is checked.
        attrs["accept"] = ",".join(
            value for kind in self.kinds for value in (kind.content_type, f".{kind.extension}")
        )
        return attrs

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if not file or file is initial:
            # Nothing new was uploaded: the stored file was checked when it arrived.
            return file
        kind = upload_check(file, kinds=self.kinds, max_bytes=self.max_bytes)
        file.name = random_file_name(kind)
        return file
