-- An operator's party leg that reached his phone and that he did not answer: his miss, counted
-- in his offers missed as a missed offer is.
ALTER TABLE call_parties ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;
