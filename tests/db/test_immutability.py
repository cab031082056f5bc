"""A published index set and the audit trail cannot be rewritten, not even in bulk.

On PostgreSQL the database refuses raw SQL too (triggers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from cchc.audit.models import AppendOnlyError, AuditEvent
from cchc.audit.services import record
from cchc.frameworks.models import Criterion, CriterionMapping, FrozenSetError, IndexSet
from cchc.frameworks.services import indexset_import, shipped_sets

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> IndexSet:
    path = next(p for p in shipped_sets() if p.name == "par-commune-sample.yaml")
    return indexset_import(path, publish=True)


def test_criteria_of_a_published_set_refuse_bulk_writes(published: IndexSet) -> None:
    criteria = Criterion.objects.filter(index_set=published)
    count = criteria.count()
    with pytest.raises(FrozenSetError):
        criteria.update(max_points=0)
    with pytest.raises(FrozenSetError):
        criteria.delete()
    one = criteria.get(code="I.1.1")
    draft = indexset_import(
        next(p for p in shipped_sets() if p.name == "service-766.yaml"), publish=False
    )
    one.index_set = draft  # moving a criterion out of a published set
    with pytest.raises(FrozenSetError):
        one.save()
    assert Criterion.objects.filter(index_set=published).count() == count
    mapping = CriterionMapping(criterion=one, previous=one, kind="same")
    with pytest.raises(FrozenSetError):
        mapping.save()


def test_audit_rows_refuse_bulk_writes(make_user: Any) -> None:
    user = make_user("vp")
    record(actor=user, obj=user, action="test", changes={"x": (1, 2)})
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.postgres_only  # database triggers exist on PostgreSQL only (see the migrations)
def test_postgresql_refuses_raw_sql(published: IndexSet, make_user: Any) -> None:
    user = make_user("vp")
    record(actor=user, obj=user, action="test")
    statements = [
        "UPDATE audit_auditevent SET reason = 'x'",
        "DELETE FROM audit_auditevent",
        f"UPDATE frameworks_criterion SET max_points = 0 WHERE index_set_id = {published.pk}",
        f"UPDATE frameworks_indexset SET name = 'x' WHERE id = {published.pk}",
        f"DELETE FROM frameworks_criterion WHERE index_set_id = {published.pk}",
    ]
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
