ALTER TABLE call_parties DROP COLUMN missed;
