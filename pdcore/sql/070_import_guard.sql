-- Issue 12: an import that would shrink the school is held for an admin's confirmation.
-- sync_runs gains the status 'held' (a CHECK constraint cannot be altered in place, so the
-- table is rebuilt with its rows), who would have gone (`held`, a JSON list of
-- {"email", "name"}), the rows read per source (to notice a roster far shorter than the last
-- one), and who was added, changed and deactivated (`details`, JSON).
CREATE TABLE sync_runs_070 (
    id            INTEGER PRIMARY KEY DEFAULT nextval('sync_run_id_seq'),
    started_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    finished_at   TIMESTAMP,
    source        VARCHAR NOT NULL,                 -- 'sheets', 'csv'
    status        VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'held')),
    rows_read     INTEGER NOT NULL DEFAULT 0,
    added         INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    deactivated   INTEGER NOT NULL DEFAULT 0,
    problems      VARCHAR NOT NULL DEFAULT '[]',    -- JSON list of row problems
    message       VARCHAR NOT NULL DEFAULT '',
    held          VARCHAR,                          -- JSON list of people awaiting confirmation
    roster_rows   INTEGER,
    response_rows INTEGER,
    details       VARCHAR NOT NULL DEFAULT '{}'     -- JSON: added, changed, deactivated people
);
INSERT INTO sync_runs_070 (id, started_at, finished_at, source, status, rows_read, added,
    updated, unchanged, deactivated, problems, message)
SELECT id, started_at, finished_at, source, status, rows_read, added, updated, unchanged,
    deactivated, problems, message FROM sync_runs;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_070 RENAME TO sync_runs;

-- A checkbox answer for meeting times that matches none of the school's slots waits here
-- until an admin maps it to a slot (slot_id) or accepts it as a new slot.
CREATE TABLE slot_answers (
    answer        VARCHAR PRIMARY KEY,              -- as the form wrote it
    slot_id       INTEGER,                          -- NULL: not mapped yet
    first_seen    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
