DROP INDEX call_events_operator;
DROP INDEX calls_operator_ended;
DROP INDEX calls_ended;
DROP TABLE operator_scores;
DROP TABLE operator_states;
