-- PD Cohorts schema, version 1: the whole product.
-- Conventions: surrogate integer ids from sequences; nothing a person did is ever deleted
-- (memberships end with left_at, staff are deactivated); timestamps are UTC-naive local
-- school time; booleans are real BOOLEANs. No FOREIGN KEY clauses: DuckDB refuses an UPDATE
-- of any referenced row, so references are kept by pdcore, one module per concept.

CREATE SEQUENCE staff_id_seq;
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY DEFAULT nextval('staff_id_seq'),
    email         VARCHAR NOT NULL UNIQUE,          -- stored lower-case, trimmed
    name          VARCHAR NOT NULL,
    department    VARCHAR NOT NULL DEFAULT '',
    role          VARCHAR NOT NULL DEFAULT 'teacher' CHECK (role IN ('teacher', 'coach', 'admin')),
    school        VARCHAR NOT NULL DEFAULT '',      -- a district keeps several schools in one roster
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    coach_focus   VARCHAR NOT NULL DEFAULT '',      -- coaches: a short focus statement
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    deactivated_at TIMESTAMP
);

CREATE TABLE meeting_slots (
    id            INTEGER PRIMARY KEY,
    label         VARCHAR NOT NULL UNIQUE,
    in_school_day BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order    INTEGER NOT NULL DEFAULT 0
);

-- status: 'offered' and 'retired' are an admin's decision; 'proposed' is undecided, and counts
-- as offered while at least the offer threshold chose it first (see pdcore.topics).
CREATE SEQUENCE topic_id_seq;
CREATE TABLE topics (
    id            INTEGER PRIMARY KEY DEFAULT nextval('topic_id_seq'),
    name          VARCHAR NOT NULL UNIQUE,
    description   VARCHAR NOT NULL DEFAULT '',
    status        VARCHAR NOT NULL DEFAULT 'proposed' CHECK (status IN ('offered', 'proposed', 'retired')),
    is_write_in   BOOLEAN NOT NULL DEFAULT FALSE,
    expert_led    BOOLEAN NOT NULL DEFAULT FALSE,   -- an admin offers an expert-led option
    merged_into   INTEGER,                          -- a write-in folded into another topic
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- One survey answer per person (the latest wins); interests hold its ranked choices.
CREATE TABLE survey_responses (
    staff_id      INTEGER PRIMARY KEY,
    submitted_at  TIMESTAMP NOT NULL,
    source        VARCHAR NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'form', 'import', 'demo')),
    other_topic   VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE interests (
    staff_id      INTEGER NOT NULL,
    rank          INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 3),
    topic_id      INTEGER NOT NULL,
    PRIMARY KEY (staff_id, rank)
);

CREATE TABLE learning_prefs (
    staff_id      INTEGER PRIMARY KEY,
    mode          VARCHAR NOT NULL DEFAULT 'cohort' CHECK (mode IN ('cohort', 'individual', 'expert')),
    priority      VARCHAR NOT NULL DEFAULT 'when' CHECK (priority IN ('who', 'when')),
    dept_pref     VARCHAR NOT NULL DEFAULT 'none' CHECK (dept_pref IN ('same', 'mix', 'none')),
    updated_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE TABLE availability (
    staff_id      INTEGER NOT NULL,
    slot_id       INTEGER NOT NULL,
    PRIMARY KEY (staff_id, slot_id)
);
CREATE TABLE colleague_requests (
    staff_id      INTEGER NOT NULL,
    colleague_id  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, colleague_id)
);

-- kind 'individual' is one person's project: same goals, meeting log and reflections.
CREATE SEQUENCE cohort_id_seq;
CREATE TABLE cohorts (
    id            INTEGER PRIMARY KEY DEFAULT nextval('cohort_id_seq'),
    topic_id      INTEGER NOT NULL,
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL DEFAULT 'cohort' CHECK (kind IN ('cohort', 'individual', 'expert')),
    slot_id       INTEGER,
    school        VARCHAR NOT NULL DEFAULT '',
    status        VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    parent_id     INTEGER,                          -- set when split from another cohort
    created_by    INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE SEQUENCE membership_id_seq;
CREATE TABLE memberships (
    id            INTEGER PRIMARY KEY DEFAULT nextval('membership_id_seq'),
    cohort_id     INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL,
    how           VARCHAR NOT NULL DEFAULT 'joined' CHECK (how IN ('joined', 'started', 'placed', 'split')),
    joined_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    left_at       TIMESTAMP,
    left_reason   VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX memberships_cohort ON memberships (cohort_id);
CREATE INDEX memberships_staff ON memberships (staff_id);

CREATE SEQUENCE goal_id_seq;
CREATE TABLE goals (
    id            INTEGER PRIMARY KEY DEFAULT nextval('goal_id_seq'),
    cohort_id     INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    text          VARCHAR NOT NULL,
    author_id     INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (cohort_id, version)
);

-- status 'planned' is a meeting on the calendar (with its agenda); 'held' is a logged one.
CREATE SEQUENCE meeting_id_seq;
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY DEFAULT nextval('meeting_id_seq'),
    cohort_id     INTEGER NOT NULL,
    status        VARCHAR NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'planned')),
    held_on       DATE NOT NULL,
    slot_id       INTEGER,
    minutes       INTEGER NOT NULL DEFAULT 60 CHECK (minutes >= 0),
    in_school_day BOOLEAN NOT NULL DEFAULT FALSE,
    agenda        VARCHAR NOT NULL DEFAULT '',      -- read, try-a-lesson, share, modules, other
    note          VARCHAR NOT NULL DEFAULT '',
    logged_by     INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE INDEX meetings_cohort ON meetings (cohort_id);
CREATE TABLE attendance (
    meeting_id    INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, staff_id)
);

CREATE SEQUENCE reflection_id_seq;
CREATE TABLE reflections (
    id            INTEGER PRIMARY KEY DEFAULT nextval('reflection_id_seq'),
    cohort_id     INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    meeting_id    INTEGER,
    text          VARCHAR NOT NULL,
    link          VARCHAR NOT NULL DEFAULT '',      -- e.g. a video share-out
    visibility    VARCHAR NOT NULL DEFAULT 'cohort' CHECK (visibility IN ('cohort', 'all')),
    is_shareout   BOOLEAN NOT NULL DEFAULT FALSE,   -- the season's final share-out
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- 'place_me' is private: colleagues never see who asked; coaches and auto-formation do.
CREATE SEQUENCE help_request_id_seq;
CREATE TABLE help_requests (
    id            INTEGER PRIMARY KEY DEFAULT nextval('help_request_id_seq'),
    staff_id      INTEGER NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('place_me', 'expert', 'coach')),
    topic_id      INTEGER,
    note          VARCHAR NOT NULL DEFAULT '',
    status        VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'withdrawn')),
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    resolved_at   TIMESTAMP,
    resolved_by   INTEGER
);

-- A teacher's coach: chosen by the teacher, claimed by a coach, or assigned by an admin.
CREATE TABLE coach_assignments (
    staff_id      INTEGER PRIMARY KEY,
    coach_id      INTEGER NOT NULL,
    how           VARCHAR NOT NULL DEFAULT 'assigned' CHECK (how IN ('chosen', 'claimed', 'assigned')),
    assigned_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE SEQUENCE followup_id_seq;
CREATE TABLE coach_followups (
    id            INTEGER PRIMARY KEY DEFAULT nextval('followup_id_seq'),
    staff_id      INTEGER NOT NULL,
    coach_id      INTEGER NOT NULL,
    contacted_on  DATE NOT NULL,
    note          VARCHAR NOT NULL DEFAULT '',
    next_step     VARCHAR NOT NULL DEFAULT '',
    resolved      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE growth_plan_id_seq;
CREATE TABLE growth_plans (
    id            INTEGER PRIMARY KEY DEFAULT nextval('growth_plan_id_seq'),
    staff_id      INTEGER NOT NULL,
    school_year   VARCHAR NOT NULL,                 -- '2026-27'
    focus         VARCHAR NOT NULL DEFAULT '',
    topic_id      INTEGER,
    reflection    VARCHAR NOT NULL DEFAULT '',      -- year-end reflection
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (staff_id, school_year)
);
CREATE SEQUENCE growth_goal_id_seq;
CREATE TABLE growth_goals (
    id            INTEGER PRIMARY KEY DEFAULT nextval('growth_goal_id_seq'),
    plan_id       INTEGER NOT NULL,
    position      INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
    goal          VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL DEFAULT '',      -- how they will know they got there
    UNIQUE (plan_id, position)
);
CREATE SEQUENCE evidence_id_seq;
CREATE TABLE growth_evidence (
    id            INTEGER PRIMARY KEY DEFAULT nextval('evidence_id_seq'),
    plan_id       INTEGER NOT NULL,
    note          VARCHAR NOT NULL DEFAULT '',
    link          VARCHAR NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE SEQUENCE coaching_session_id_seq;
CREATE TABLE coaching_sessions (
    id            INTEGER PRIMARY KEY DEFAULT nextval('coaching_session_id_seq'),
    coach_id      INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL,
    held_on       DATE NOT NULL,
    minutes       INTEGER NOT NULL CHECK (minutes > 0),
    focus         VARCHAR NOT NULL DEFAULT '',
    next_step     VARCHAR NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE pathway_id_seq;
CREATE TABLE pathways (
    id            INTEGER PRIMARY KEY DEFAULT nextval('pathway_id_seq'),
    name          VARCHAR NOT NULL UNIQUE,
    link          VARCHAR NOT NULL DEFAULT '',
    description   VARCHAR NOT NULL DEFAULT ''
);
CREATE SEQUENCE pathway_step_id_seq;
CREATE TABLE pathway_steps (
    id            INTEGER PRIMARY KEY DEFAULT nextval('pathway_step_id_seq'),
    pathway_id    INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    title         VARCHAR NOT NULL
);
CREATE TABLE pathway_progress (
    staff_id      INTEGER NOT NULL,
    step_id       INTEGER NOT NULL,
    done_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    PRIMARY KEY (staff_id, step_id)
);

-- Weekly staff-development sessions: a day's options; one sign-up per person per day.
CREATE SEQUENCE sd_session_id_seq;
CREATE TABLE sd_sessions (
    id            INTEGER PRIMARY KEY DEFAULT nextval('sd_session_id_seq'),
    day           DATE NOT NULL,
    title         VARCHAR NOT NULL,
    description   VARCHAR NOT NULL DEFAULT '',
    leader_name   VARCHAR NOT NULL DEFAULT '',
    leader_kind   VARCHAR NOT NULL DEFAULT 'coach' CHECK (leader_kind IN ('coach', 'teacher', 'staff', 'expert')),
    room          VARCHAR NOT NULL DEFAULT '',
    capacity      INTEGER NOT NULL CHECK (capacity > 0),
    topic_id      INTEGER,
    created_by    INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE TABLE sd_signups (
    staff_id      INTEGER NOT NULL,
    day           DATE NOT NULL,
    session_id    INTEGER NOT NULL,
    signed_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    attended      BOOLEAN,                          -- NULL until attendance is marked
    PRIMARY KEY (staff_id, day)
);
CREATE SEQUENCE plc_note_id_seq;
CREATE TABLE plc_notes (
    id            INTEGER PRIMARY KEY DEFAULT nextval('plc_note_id_seq'),
    coach_id      INTEGER NOT NULL,
    met_on        DATE NOT NULL,
    notes         VARCHAR NOT NULL DEFAULT '',
    needs         VARCHAR NOT NULL DEFAULT '',      -- school-wide needs identified, one per line
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- End-of-season survey: value (1-5), what got in the way, the vote to continue.
CREATE TABLE season_feedback (
    staff_id      INTEGER PRIMARY KEY,
    submitted_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    value         INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    obstacles     VARCHAR NOT NULL DEFAULT '',
    continue_vote VARCHAR NOT NULL CHECK (continue_vote IN ('yes', 'no', 'unsure'))
);

CREATE TABLE settings (
    key           VARCHAR PRIMARY KEY,
    value         VARCHAR NOT NULL                  -- JSON
);

CREATE SEQUENCE sync_run_id_seq;
CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY DEFAULT nextval('sync_run_id_seq'),
    started_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    finished_at   TIMESTAMP,
    source        VARCHAR NOT NULL,                 -- 'sheets', 'csv'
    status        VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    rows_read     INTEGER NOT NULL DEFAULT 0,
    added         INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    deactivated   INTEGER NOT NULL DEFAULT 0,
    problems      VARCHAR NOT NULL DEFAULT '[]',    -- JSON list of row problems
    message       VARCHAR NOT NULL DEFAULT ''
);

CREATE SEQUENCE audit_id_seq;
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    happened_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor_id      INTEGER,
    action        VARCHAR NOT NULL,                 -- 'cohort.join', 'topic.retire', ...
    entity        VARCHAR NOT NULL DEFAULT '',
    entity_id     INTEGER,
    detail        VARCHAR NOT NULL DEFAULT '{}'     -- JSON
);
