-- Dispositions: the wrap-up code set on a call (one of its queue's dispositions, which live in
-- the queue's rules), and an index for the history's counts of calls by disposition, which are
-- read by arrival like the call's other figures.
ALTER TABLE calls ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_disposed ON calls (arrived_at) WHERE disposition <> '';
