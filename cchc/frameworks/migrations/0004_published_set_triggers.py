"""On PostgreSQL the database refuses any change to a published index set, its criteria
and their mappings (raw SQL included). SQLite relies on the model and queryset guards."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION cchc_indexset_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'published' THEN
        RAISE EXCEPTION 'published index set % cannot be changed', OLD.id;
    ELSIF TG_OP = 'DELETE' AND OLD.status = 'published' THEN
        RAISE EXCEPTION 'published index set % cannot be deleted', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION cchc_criterion_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM frameworks_indexset s WHERE s.id = OLD.index_set_id AND s.status = 'published'
    ) THEN
        RAISE EXCEPTION 'criteria of published index set % cannot be changed', OLD.index_set_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND EXISTS (
        SELECT 1 FROM frameworks_indexset s WHERE s.id = NEW.index_set_id AND s.status = 'published'
    ) THEN
        RAISE EXCEPTION 'criteria of published index set % cannot be changed', NEW.index_set_id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION cchc_mapping_frozen() RETURNS trigger AS $$
DECLARE
    crit bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN crit := OLD.criterion_id; ELSE crit := NEW.criterion_id; END IF;
    IF EXISTS (
        SELECT 1 FROM frameworks_criterion c JOIN frameworks_indexset s ON s.id = c.index_set_id
        WHERE c.id = crit AND s.status = 'published'
    ) OR (TG_OP = 'UPDATE' AND EXISTS (
        SELECT 1 FROM frameworks_criterion c JOIN frameworks_indexset s ON s.id = c.index_set_id
        WHERE c.id = OLD.criterion_id AND s.status = 'published'
    )) THEN
        RAISE EXCEPTION 'mappings of a published index set cannot be changed';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER frameworks_indexset_frozen BEFORE UPDATE OR DELETE ON frameworks_indexset
    FOR EACH ROW EXECUTE FUNCTION cchc_indexset_frozen();
CREATE TRIGGER frameworks_criterion_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON frameworks_criterion FOR EACH ROW EXECUTE FUNCTION cchc_criterion_frozen();
CREATE TRIGGER frameworks_mapping_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON frameworks_criterionmapping FOR EACH ROW EXECUTE FUNCTION cchc_mapping_frozen();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS frameworks_indexset_frozen ON frameworks_indexset;
DROP TRIGGER IF EXISTS frameworks_criterion_frozen ON frameworks_criterion;
DROP TRIGGER IF EXISTS frameworks_mapping_frozen ON frameworks_criterionmapping;
DROP FUNCTION IF EXISTS cchc_indexset_frozen();
DROP FUNCTION IF EXISTS cchc_criterion_frozen();
DROP FUNCTION IF EXISTS cchc_mapping_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0003_metric_catalogue")]
    operations = [migrations.RunPython(forwards, backwards)]
