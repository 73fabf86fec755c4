"""The stored `Item.next_due`: the earliest date an item still owes, kept by the database.

next_due = min(the item's due date, its first open dated deadline, the next_due of its open
sub-items (分解; neither completed nor withdrawn)), NULLs ignored. An open deadline is neither
done nor superseded (Deadline.OPEN). Triggers keep it on every write of an item's due date,
status, withdrawal or parent and of any deadline (insert, update, delete; bulk writes and
queryset updates included), so no code path can forget it; a change to a sub-item's next_due
moves its parent's on (on SQLite, the development database, one level of sub-items). ItemQuerySet.with_state and the 序时进度
lights compare this indexed column with today instead of asking the deadlines per row.

`install(connection)` (re)creates the triggers and fills the column; the migration that added
the column calls it, and `ItemQuerySet.refresh_next_due` is the same rule as a Django UPDATE.
"""

FIRST_OPEN = (
    'SELECT MIN(d."date") FROM tracker_deadline d WHERE d.item_id = {item} '
    'AND d.done_at IS NULL AND d.superseded_at IS NULL AND d."date" IS NOT NULL'
)
CHILDREN = (
    "SELECT MIN(c.next_due) FROM tracker_item c WHERE c.parent_id = {item} "
    "AND c.withdrawn_at IS NULL AND c.status <> 'completed'"
)

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION tracker_item_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- LEAST ignores NULLs: the due date, the first open deadline, or NULL when neither.
    NEW.next_due := LEAST(NEW.due_date, ({FIRST_OPEN.format(item="NEW.id")}),
                          ({CHILDREN.format(item="NEW.id")}));
    RETURN NEW;
END $$""",
    "DROP TRIGGER IF EXISTS tracker_item_next_due ON tracker_item",
    """CREATE TRIGGER tracker_item_next_due BEFORE INSERT OR UPDATE OF due_date, next_due
       ON tracker_item FOR EACH ROW EXECUTE FUNCTION tracker_item_next_due()""",
    """
CREATE OR REPLACE FUNCTION tracker_item_parent_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A sub-item's change moves its parent's next_due (and so on up, through this trigger).
    IF TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id
       AND NEW.next_due IS NOT DISTINCT FROM OLD.next_due
       AND NEW.status IS NOT DISTINCT FROM OLD.status
       AND NEW.withdrawn_at IS NOT DISTINCT FROM OLD.withdrawn_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.parent_id IS NOT NULL THEN
        UPDATE tracker_item SET next_due = NULL WHERE id = OLD.parent_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.parent_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id) THEN
        UPDATE tracker_item SET next_due = NULL WHERE id = NEW.parent_id;
    END IF;
    RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS tracker_item_parent_next_due ON tracker_item",
    """CREATE TRIGGER tracker_item_parent_next_due
       AFTER INSERT OR DELETE OR UPDATE OF next_due, status, withdrawn_at, parent_id
       ON tracker_item FOR EACH ROW EXECUTE FUNCTION tracker_item_parent_next_due()""",
    """
CREATE OR REPLACE FUNCTION tracker_deadline_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.item_id = OLD.item_id
       AND NEW."date" IS NOT DISTINCT FROM OLD."date"
       AND (NEW.done_at IS NULL) = (OLD.done_at IS NULL)
       AND (NEW.superseded_at IS NULL) = (OLD.superseded_at IS NULL) THEN
        RETURN NULL;  -- nothing next_due depends on changed
    END IF;
    -- Writing next_due fires tracker_item_next_due, which recomputes it.
    IF TG_OP <> 'INSERT' THEN
        UPDATE tracker_item SET next_due = NULL WHERE id = OLD.item_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.item_id <> OLD.item_id) THEN
        UPDATE tracker_item SET next_due = NULL WHERE id = NEW.item_id;
    END IF;
    RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS tracker_deadline_next_due ON tracker_deadline",
    """CREATE TRIGGER tracker_deadline_next_due AFTER INSERT OR UPDATE OR DELETE
       ON tracker_deadline FOR EACH ROW EXECUTE FUNCTION tracker_deadline_next_due()""",
    "UPDATE tracker_item SET next_due = NULL",  # the item trigger fills every row
]

# SQLite's two-argument MIN is NULL when either is: min(coalesce(a, b), coalesce(b, a)).
_OWN = FIRST_OPEN.format(item="tracker_item.id")
_SUB = CHILDREN.format(item="tracker_item.id")
_SQLITE_SET = (
    "UPDATE tracker_item SET next_due = MIN(COALESCE(due_date, ({own}), ({sub})), "
    "COALESCE(({own}), due_date, ({sub})), COALESCE(({sub}), due_date, ({own}))) "
    "WHERE id {where};"
).format(own=_OWN, sub=_SUB, where="{where}")

SQLITE = [
    *(
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "tracker_item_next_due_insert",
            "tracker_item_next_due_update",
            "tracker_deadline_next_due_insert",
            "tracker_deadline_next_due_update",
            "tracker_deadline_next_due_delete",
        )
    ),
    "CREATE TRIGGER tracker_item_next_due_insert AFTER INSERT ON tracker_item BEGIN "
    + _SQLITE_SET.format(where="= NEW.id")
    + " END",
    "CREATE TRIGGER tracker_item_next_due_update AFTER UPDATE OF due_date, next_due "
    "ON tracker_item BEGIN " + _SQLITE_SET.format(where="= NEW.id") + " END",
    "CREATE TRIGGER tracker_item_parent_next_due_update AFTER UPDATE OF next_due, status, "
    "withdrawn_at, parent_id ON tracker_item BEGIN "
    + _SQLITE_SET.format(where="IN (OLD.parent_id, NEW.parent_id)")
    + " END",
    "CREATE TRIGGER tracker_item_parent_next_due_delete AFTER DELETE ON tracker_item BEGIN "
    + _SQLITE_SET.format(where="= OLD.parent_id")
    + " END",
    "CREATE TRIGGER tracker_deadline_next_due_insert AFTER INSERT ON tracker_deadline BEGIN "
    + _SQLITE_SET.format(where="= NEW.item_id")
    + " END",
    'CREATE TRIGGER tracker_deadline_next_due_update AFTER UPDATE OF item_id, "date", '
    "done_at, superseded_at ON tracker_deadline BEGIN "
    + _SQLITE_SET.format(where="IN (OLD.item_id, NEW.item_id)")
    + " END",
    "CREATE TRIGGER tracker_deadline_next_due_delete AFTER DELETE ON tracker_deadline BEGIN "
    + _SQLITE_SET.format(where="= OLD.item_id")
    + " END",
    _SQLITE_SET.format(where="IS NOT NULL"),
]


def install(connection):
    """Create the triggers for this database and fill next_due for every item."""
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"next_due triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
