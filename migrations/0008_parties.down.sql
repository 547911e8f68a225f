ALTER TABLE call_events DROP COLUMN party_id;
DROP TABLE call_parties;
