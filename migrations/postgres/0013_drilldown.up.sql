-- Drill-down: an operator's states as they changed and his score per day, and indexes for the
-- search over ended calls.

-- One row per state an operator entered, keyed by when he entered it: the status row is
-- rewritten for each mark, so the same (operator, since) is written many times and kept once.
CREATE TABLE operator_states (
    operator_id TEXT    NOT NULL,
    since       BIGINT NOT NULL,
    state       TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (operator_id, since)
);

-- An operator's score as it stood at the end of each UTC day (the last write of the day wins).
CREATE TABLE operator_scores (
    operator_id          TEXT    NOT NULL,
    day                  BIGINT NOT NULL, -- days since 1970-01-01 (UTC)
    at                   BIGINT NOT NULL, -- the state change it was written with
    points               DOUBLE PRECISION NOT NULL,
    lost_to_misses       DOUBLE PRECISION NOT NULL,
    lost_to_slow_answers DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (operator_id, day)
);

-- Call search: ended calls newest first, in all and per operator (a caller number is matched
-- with LIKE while walking them), and an operator's events by time.
CREATE INDEX calls_ended ON calls (ended_at, id);
CREATE INDEX calls_operator_ended ON calls (operator_id, ended_at, id);
CREATE INDEX call_events_operator ON call_events (operator_id, at) WHERE operator_id <> '';
