-- Alerts: a queue's threshold crossed (see the queue's alert_* fields), raised and cleared by
-- the alert watch, acknowledged by a supervisor. Open alerts survive a restart.
CREATE TABLE alerts (
    id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    queue_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    operator_id     TEXT    NOT NULL DEFAULT '',
    value           REAL    NOT NULL,
    threshold       REAL    NOT NULL,
    raised_at       INTEGER NOT NULL,
    cleared_at      INTEGER NOT NULL DEFAULT 0,
    acknowledged_by TEXT    NOT NULL DEFAULT '',
    acknowledged_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_open ON alerts (cleared_at);
CREATE INDEX alerts_raised_at ON alerts (raised_at);
