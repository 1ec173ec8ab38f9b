"""The index database's own bookkeeping: opening it (read-only when need be), its format and counters."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from unspin.errors import IndexUnavailable
from unspin.index import postings

logger = logging.getLogger(__name__)

#: Bumped when the on-disk layout changes incompatibly.
FORMAT_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    tokens TEXT NOT NULL,
    seg INTEGER
);
"""


def connect(db: Path) -> tuple[sqlite3.Connection, bool]:
    """Open the database, read-only when this process may not write to it; say which."""
    if os.access(db.parent, os.W_OK) and (not db.exists() or os.access(db, os.W_OK)):
        return sqlite3.connect(db, timeout=30), True
    uri = f"file:{quote(str(db.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # A WAL database whose -shm file cannot be created (a read-only disk): nobody can
        # write it here either, so reading it as immutable is safe.
        conn.close()
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30)
    return conn, False


def initialise(conn: sqlite3.Connection) -> None:
    """Create the schema in one transaction: a second writer creating the same index at the same
    moment waits, then finds it whole (never a half-made schema)."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(
        "BEGIN IMMEDIATE;" + SCHEMA + postings.SCHEMA
        + f"INSERT OR IGNORE INTO info VALUES ('format', '{FORMAT_VERSION}');"
        "INSERT OR IGNORE INTO info VALUES ('generation', '0');"
        "INSERT OR IGNORE INTO info VALUES ('layout', '0');"
        f"INSERT OR IGNORE INTO info VALUES ('uid', '{uuid.uuid4().hex[:12]}');"
        "COMMIT;")


def check_format(conn: sqlite3.Connection, root: Path, *, upgrade: bool) -> None:
    row = conn.execute("SELECT value FROM info WHERE key='format'").fetchone()
    value = str(row[0]) if row else ""
    if value == str(FORMAT_VERSION):
        return
    if value == "1":
        if not upgrade:
            raise IndexUnavailable(str(root),
                                   f"index format 1 is older than this unspin's ({FORMAT_VERSION}); "
                                   "run `unspin index` on it once to upgrade it")
        upgrade_from_1(conn, root)
        return
    if value.isdigit() and int(value) > FORMAT_VERSION:
        raise IndexUnavailable(str(root), f"index format {value} is newer than this unspin reads "
                                     f"({FORMAT_VERSION}); upgrade unspin")
    raise IndexUnavailable(str(root), f"index metadata is corrupt (format {value!r}, expected "
                                 f"'{FORMAT_VERSION}')")


def upgrade_from_1(conn: sqlite3.Connection, root: Path) -> None:
    """Format 1 kept a whole bm25s structure per generation; its documents become pending."""
    logger.warning("%s: upgrading the index from format 1 to %d (the search structure is rebuilt)",
                   root, FORMAT_VERSION)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")  # one upgrade at a time; a second writer finds it done
    try:
        if conn.execute("SELECT value FROM info WHERE key='format'").fetchone()[0] == "1":
            conn.execute("ALTER TABLE docs ADD COLUMN seg INTEGER")
            conn.execute("INSERT OR REPLACE INTO info VALUES ('format', ?)", (str(FORMAT_VERSION),))
            conn.execute("INSERT OR IGNORE INTO info VALUES ('layout', '0')")
        conn.executescript(postings.SCHEMA)  # commits
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    for old in root.glob("search-*"):
        shutil.rmtree(old, ignore_errors=True)


def repair_info(conn: sqlite3.Connection, root: Path) -> None:
    """A writer resets counters that are not integers (they only need to change when data does)."""
    for key in ("generation", "layout"):
        row = conn.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
        if row is None or not str(row[0]).isdigit():
            logger.warning("%s: index counter %s was %r; reset", root, key, None if row is None else row[0])
            with conn:
                conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)",
                             (key, str(int(time.time()))))


def info_int(conn: sqlite3.Connection, root: Path, key: str) -> int:
    row = conn.execute("SELECT value FROM info WHERE key=?", (key,)).fetchone()
    if row is None:
        return 0
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise IndexUnavailable(str(root), f"index metadata is corrupt ({key} {row[0]!r}); "
                                     "run `unspin index` on it to repair it") from None
