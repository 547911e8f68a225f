DROP TABLE call_events;
DROP TABLE tallies;
