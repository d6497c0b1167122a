"""The label tables and the small integer ids that cell rows store instead of labels.

Why ids: table 三 alone has 161 cells per report whose row label averages ~90 bytes;
stored as text in every cell row and again in its index, the labels made up most of a
100,000-report archive. Each label is stored once here; cells carry its id, and the views
``proactive_items``, ``applications`` and ``review_litigation`` join the text back.

Ids follow printed order for the official labels (the order of ``zfxxgk.labels``), so a
report's cells, clustered on (report_id, label ids), list in the order the report prints
them; ``label_applications.sort`` states that order explicitly. The official labels keep
their ids across rebuilds; a label the parser emits that is not (yet) official is added
with the next free id, a NULL gloss and a sort key after the others — never dropped.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlite_utils

from zfxxgk import labels

# table → (natural-key columns, extra columns)
LABEL_TABLES: dict[str, tuple[tuple[str, ...], dict[str, type]]] = {
    "label_proactive": (("item", "metric"), {"era": str, "label": str, "gloss_en": str}),
    "label_applications": (("row",), {"sort": int, "gloss_en": str}),
    "label_applicants": (("applicant",), {"gloss_en": str}),
    "label_review": (("kind", "result"), {"label": str, "gloss_en": str}),
}


def official_rows() -> dict[str, list[dict[str, object]]]:
    """The official labels of each label table, in printed order (without ids)."""
    return {
        "label_proactive": [
            {"item": item, "metric": metric, "era": era, "label": f"{item}/{metric}",
             "gloss_en": gloss}
            for item, metric, era, gloss in labels.PROACTIVE
        ],
        "label_applications": [
            {"row": row, "sort": i, "gloss_en": gloss}
            for i, (row, gloss) in enumerate(labels.APPLICATION_ROWS, start=1)
        ],
        "label_applicants": [
            {"applicant": applicant, "gloss_en": gloss} for applicant, gloss in labels.APPLICANTS
        ],
        "label_review": [
            {"kind": kind, "result": result, "label": f"{kind}/{result}", "gloss_en": gloss}
            for kind, result, gloss in labels.REVIEW
        ],
    }


def create_label_tables(db: sqlite_utils.Database) -> None:
    """The four cell-label tables (id primary key, unique natural key) and label_rules."""
    for table, (key, extra) in LABEL_TABLES.items():
        columns: dict[str, type] = {"id": int, **{c: str for c in key}, **extra}
        db[table].create(columns, pk="id", not_null=list(key), if_not_exists=True)
        db[table].create_index(list(key), unique=True, if_not_exists=True)
    db["label_rules"].create(
        {"rule": str, "description_zh": str, "description_en": str}, pk="rule",
        if_not_exists=True,
    )


def fill_label_tables(db: sqlite_utils.Database) -> None:
    """Bring the official labels up to date: an official label keeps the id it has (else
    takes its printed position, or the next free id), glosses and sort keys are refreshed.
    Labels added for cells are left alone."""
    with write_transaction(db):
        for table, rows in official_rows().items():
            key = LABEL_TABLES[table][0]
            existing = {
                tuple(r[1:]): r[0]
                for r in db.execute(f"SELECT id, {', '.join(key)} FROM [{table}]")
            }
            taken = set(existing.values())
            for position, row in enumerate(rows, start=1):
                natural = tuple(row[c] for c in key)
                row_id = existing.get(natural)
                if row_id is None:
                    row_id = position if position not in taken else max(taken | {0}) + 1
                    taken.add(row_id)
                db[table].upsert({"id": row_id, **row}, pk="id")
        db["label_rules"].upsert_all(
            [dict(zip(("rule", "description_zh", "description_en"), r, strict=True))
             for r in labels.RULES],
            pk="rule",
        )


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """A transaction that takes the write lock up front (``BEGIN IMMEDIATE``), or a
    savepoint inside the caller's transaction.

    Why: a plain ``BEGIN`` starts as a reader, and when another writer commits first
    (two builds opening one archive at once) the upgrade to a writer fails at once with
    "database is locked" — SQLite cannot wait there without breaking the snapshot.
    Asking for the lock first makes a second writer wait, up to the connection's busy
    timeout, and then read what the first one wrote."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


@dataclass
class LabelIds:
    """Label text → id for the cell tables of one open archive, read once and extended
    (in the caller's transaction) when a cell names a label the tables lack.

    ``ids`` holds labels known to be in the archive for good, the fast path. A label this
    map adds itself goes to ``added`` instead: its transaction may still be rolled back,
    so it is looked up again whenever it is used (such labels are rare)."""

    db: sqlite_utils.Database
    ids: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)
    added: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for table, (key, _) in LABEL_TABLES.items():
            self.ids[table] = {
                tuple(r[1:]): r[0]
                for r in self.db.execute(f"SELECT id, {', '.join(key)} FROM [{table}]")
            }
            self.added[table] = {}

    def id(self, table: str, *natural: str) -> int:
        """The id of a label, added to ``table`` if it is not there yet."""
        found = self.ids[table].get(natural)
        if found is not None:
            return found
        stored = self._stored(table, natural)
        if stored is not None:
            if natural not in self.added[table]:  # another connection's, committed
                self.ids[table][natural] = stored
            return stored
        return self._add(table, natural)

    def _stored(self, table: str, natural: tuple[str, ...]) -> int | None:
        key = LABEL_TABLES[table][0]
        where = " AND ".join(f"[{c}] = ?" for c in key)
        row = self.db.execute(f"SELECT id FROM [{table}] WHERE {where}", list(natural)).fetchone()
        return row[0] if row else None

    def _add(self, table: str, natural: tuple[str, ...]) -> int:
        key, extra = LABEL_TABLES[table]
        row: dict[str, object] = dict(zip(key, natural, strict=True))
        if "label" in extra:
            row["label"] = "/".join(natural)
        if "sort" in extra:
            (last,) = self.db.execute(f"SELECT max(sort) FROM [{table}]").fetchone()
            row["sort"] = (last or 0) + 1
        names = list(row)
        cur = self.db.execute(
            f"INSERT INTO [{table}] ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row[n] for n in names],
        )
        new_id = int(cur.lastrowid)
        self.added[table][natural] = new_id
        return new_id


_CACHE: weakref.WeakKeyDictionary[sqlite_utils.Database, LabelIds] = weakref.WeakKeyDictionary()


def label_ids(db: sqlite_utils.Database) -> LabelIds:
    """The label-id map of this open archive (made on first use)."""
    found = _CACHE.get(db)
    if found is None:
        found = _CACHE[db] = LabelIds(db)
    return found
