-- A questioned person's sessions in other cases (P039's lookup by resident id number) read
-- their times from the index instead of the table: the index holds every column the lookup
-- needs, in the order it returns them. The dirty-key lookup still finds case_id in it.
DROP INDEX IF EXISTS xsessions_person;
CREATE INDEX xsessions_person ON xsessions(person_key, started_at, case_id, record_id, ended_at) WHERE person_key IS NOT NULL;
