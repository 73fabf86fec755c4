"""Helpers shared by the tracking tests: a source document, evidence uploads, posting forms."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.models import SourceDocument, SourceFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="佐证材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_document(text, line_start=10, doc_number="晋市政办〔2024〕12号", title="测试文件"):
    digest = hashlib.sha256(text.encode()).hexdigest()
    source = SourceFile.objects.create(name="gazette.txt", sha256=digest, size=len(text), text=text)
    lines = text.count("\n") + 1
    return SourceDocument.objects.create(
        source_file=source,
        sha256=digest,
        doc_number=doc_number,
        title=title,
        line_start=line_start,
        line_end=line_start + lines - 1,
        text=text,
    )


def fast_passwords(settings):
    """Cheap password hashing: the shared `users` fixture hashes six passwords per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
