from __future__ import annotations

from django.contrib import admin

from cchc.documents.models import DocumentRef, StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin[StoredFile]):
    list_display = ["original_name", "kind", "size", "unit", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = [
        "storage_name",
        "original_name",
        "size",
        "content_type",
        "kind",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    raw_id_fields = ["unit"]


@admin.register(DocumentRef)
class DocumentRefAdmin(admin.ModelAdmin[DocumentRef]):
    list_display = ["number", "date", "issuer", "unit"]
    search_fields = ["number", "issuer", "summary"]
    raw_id_fields = ["unit", "file"]
