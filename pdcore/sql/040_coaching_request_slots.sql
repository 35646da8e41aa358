-- Issue 7: a one-on-one coaching request (help_requests kind 'coach') names the meeting slots
-- that suit the teacher. A side table rather than a column, so help_requests stays as it is.
CREATE TABLE coaching_request_slots (
    request_id    INTEGER NOT NULL,
    slot_id       INTEGER NOT NULL,
    PRIMARY KEY (request_id, slot_id)
);
