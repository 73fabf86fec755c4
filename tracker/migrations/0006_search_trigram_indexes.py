"""Trigram (pg_trgm) GIN indexes for the item list's text search, on PostgreSQL only.

The search (tracker.forms.matching_ids) compares with icontains, which Django writes on
PostgreSQL as UPPER(column::text) LIKE UPPER('%word%'); the indexes are built on that same
expression so the planner can use them. Words of fewer than three characters give no trigram
and are still scanned. SQLite (the embedded default) gets nothing: its path is unchanged.

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

# One index per column (name, table, column): the planner ORs them (BitmapOr). fastupdate=off
# writes each row straight into the index: with the default pending list, a bulk import leaves
# the planner overestimating the index (and scanning every item) until the next VACUUM.
INDEXES = [
    ("tracker_item_text_trgm", "tracker_item", "text"),
    ("tracker_item_ref_trgm", "tracker_item", "ref"),
    ("tracker_item_section_trgm", "tracker_item", "section"),
    ("tracker_itemowner_name_trgm", "tracker_itemowner", "name"),
    ("tracker_itemperson_name_trgm", "tracker_itemperson", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops) WITH (fastupdate = off)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_reminder_escalation_once"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
