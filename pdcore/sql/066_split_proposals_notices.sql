-- Issue 11: nobody is moved without saying yes. A split names members; each answers on
-- My cohort; when everyone named has answered, those who accepted move to the new cohort.
CREATE SEQUENCE split_proposal_id_seq;
CREATE TABLE split_proposals (
    id            INTEGER PRIMARY KEY DEFAULT nextval('split_proposal_id_seq'),
    cohort_id     INTEGER NOT NULL,
    proposer_id   INTEGER NOT NULL,
    name          VARCHAR NOT NULL,
    slot_id       INTEGER,
    status        VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'declined')),
    new_cohort_id INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    decided_at    TIMESTAMP
);
CREATE TABLE split_answers (
    proposal_id   INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL,
    answer        VARCHAR NOT NULL DEFAULT 'pending' CHECK (answer IN ('pending', 'accepted', 'declined')),
    answered_at   TIMESTAMP,
    PRIMARY KEY (proposal_id, staff_id)
);

-- Something a person should know that happened to them (placed in a cohort, asked to move,
-- a proposal's outcome): shown on Home until they dismiss it.
CREATE SEQUENCE notice_id_seq;
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY DEFAULT nextval('notice_id_seq'),
    staff_id      INTEGER NOT NULL,
    text          VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    dismissed_at  TIMESTAMP
);
CREATE INDEX notices_staff ON notices (staff_id);
