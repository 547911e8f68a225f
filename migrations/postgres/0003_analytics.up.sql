-- Analytics: the history in 15-minute rows per queue and per operator, added to as calls and
-- states end (hours and days are sums of them), and each call's timeline.

CREATE TABLE tallies (
    scope               TEXT    NOT NULL, -- 'queue' or 'operator'
    id                  TEXT    NOT NULL,
    start               BIGINT  NOT NULL, -- unix ms, a multiple of 15 minutes
    calls_received      BIGINT  NOT NULL DEFAULT 0,
    calls_answered      BIGINT  NOT NULL DEFAULT 0,
    answered_within     BIGINT  NOT NULL DEFAULT 0,
    calls_abandoned     BIGINT  NOT NULL DEFAULT 0,
    short_abandons      BIGINT  NOT NULL DEFAULT 0,
    abandoned_within    BIGINT  NOT NULL DEFAULT 0,
    calls_lost          BIGINT  NOT NULL DEFAULT 0,
    calls_overflowed    BIGINT  NOT NULL DEFAULT 0,
    answered_by_spare   BIGINT  NOT NULL DEFAULT 0,
    hung_up_by_caller   BIGINT  NOT NULL DEFAULT 0,
    hung_up_by_operator BIGINT  NOT NULL DEFAULT 0,
    hung_up_by_system   BIGINT  NOT NULL DEFAULT 0,
    offers_made         BIGINT  NOT NULL DEFAULT 0,
    offers_missed       BIGINT  NOT NULL DEFAULT 0,
    manager_calls       BIGINT  NOT NULL DEFAULT 0,
    manager_reached     BIGINT  NOT NULL DEFAULT 0,
    answer_time_ms      BIGINT  NOT NULL DEFAULT 0,
    answer_time_max_ms  BIGINT  NOT NULL DEFAULT 0,
    talk_ms             BIGINT  NOT NULL DEFAULT 0,
    wrap_up_time_ms     BIGINT  NOT NULL DEFAULT 0,
    ring_ms             BIGINT  NOT NULL DEFAULT 0,
    ready_ms            BIGINT  NOT NULL DEFAULT 0,
    reserved_ms         BIGINT  NOT NULL DEFAULT 0,
    on_call_ms          BIGINT  NOT NULL DEFAULT 0,
    wrap_up_ms          BIGINT  NOT NULL DEFAULT 0,
    away_ms             BIGINT  NOT NULL DEFAULT 0,
    -- answered calls by answer time: under 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300 s, the rest
    h0                  BIGINT  NOT NULL DEFAULT 0,
    h1                  BIGINT  NOT NULL DEFAULT 0,
    h2                  BIGINT  NOT NULL DEFAULT 0,
    h3                  BIGINT  NOT NULL DEFAULT 0,
    h4                  BIGINT  NOT NULL DEFAULT 0,
    h5                  BIGINT  NOT NULL DEFAULT 0,
    h6                  BIGINT  NOT NULL DEFAULT 0,
    h7                  BIGINT  NOT NULL DEFAULT 0,
    h8                  BIGINT  NOT NULL DEFAULT 0,
    h9                  BIGINT  NOT NULL DEFAULT 0,
    h10                 BIGINT  NOT NULL DEFAULT 0,
    h11                 BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, id, start)
);
CREATE INDEX tallies_start ON tallies (scope, start);

CREATE TABLE call_events (
    call_id     TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    operator_id TEXT    NOT NULL DEFAULT '',
    spare_id    TEXT    NOT NULL DEFAULT '',
    offer_id    TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT '',
    code        BIGINT  NOT NULL DEFAULT 0,
    ring_ms     BIGINT  NOT NULL DEFAULT 0,
    talk_ms     BIGINT  NOT NULL DEFAULT 0,
    hung_up_by  TEXT    NOT NULL DEFAULT '',
    queue_id    TEXT    NOT NULL DEFAULT '',
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY -- insertion order (SQLite's rowid)
);
CREATE INDEX call_events_call ON call_events (call_id, at);
