DROP TABLE person_softphones;
