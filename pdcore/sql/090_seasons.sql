-- Issue 14: seasons. A season is one school year's cohort cycle: its dates, its interest-survey
-- window, and (through season_id) its cohorts, with their meetings, goals and reflections, and
-- its end-of-season feedback. Growth plans belong to a season by its label (school_year), and
-- sessions and coaching by their date. status: 'upcoming' (opened early so its interest survey
-- can run), 'current' (at most one), 'closed' (read-only history).
CREATE SEQUENCE season_id_seq;
CREATE TABLE seasons (
    id            INTEGER PRIMARY KEY DEFAULT nextval('season_id_seq'),
    label         VARCHAR NOT NULL UNIQUE,          -- the school year, '2026-27'
    starts_on     DATE NOT NULL,
    ends_on       DATE NOT NULL,
    survey_opens  DATE,                             -- the interest survey for this season
    survey_close  DATE,
    status        VARCHAR NOT NULL DEFAULT 'current' CHECK (status IN ('upcoming', 'current', 'closed')),
    opened_by     INTEGER,
    closed_by     INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    closed_at     TIMESTAMP,
    CHECK (ends_on > starts_on)
);

-- The first season: the one an existing database was living in (its settings), else the
-- November-April season of today's school year.
INSERT INTO seasons (label, starts_on, ends_on, survey_close)
WITH stored AS (
    SELECT
        (SELECT CAST(nullif(replace(value, '"', ''), '') AS DATE) FROM settings WHERE key = 'season_start') AS s,
        (SELECT CAST(nullif(replace(value, '"', ''), '') AS DATE) FROM settings WHERE key = 'season_end') AS e,
        (SELECT CAST(nullif(replace(value, '"', ''), '') AS DATE) FROM settings WHERE key = 'survey_close') AS c,
        CAST(current_localtimestamp() AS DATE) AS today
), dated AS (
    SELECT coalesce(s, make_date(CASE WHEN month(today) >= 8 THEN year(today) ELSE year(today) - 1 END, 11, 1)) AS s,
           e, c
    FROM stored
)
SELECT (CASE WHEN month(s) >= 8 THEN year(s) ELSE year(s) - 1 END)::VARCHAR || '-'
           || right(((CASE WHEN month(s) >= 8 THEN year(s) ELSE year(s) - 1 END) + 1)::VARCHAR, 2),
       s,
       coalesce(e, make_date((CASE WHEN month(s) >= 8 THEN year(s) ELSE year(s) - 1 END) + 1, 4, 30)),
       c
FROM dated;

ALTER TABLE cohorts ADD COLUMN season_id INTEGER;
UPDATE cohorts SET season_id = (SELECT min(id) FROM seasons);
-- A cohort that voted to continue, carried into the next season (parent_id stays for splits).
ALTER TABLE cohorts ADD COLUMN carried_from INTEGER;

-- One end-of-season answer per person per season (was: per database).
CREATE TABLE season_feedback_by_season (
    season_id     INTEGER NOT NULL,
    staff_id      INTEGER NOT NULL,
    submitted_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    value         INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    obstacles     VARCHAR NOT NULL DEFAULT '',
    continue_vote VARCHAR NOT NULL CHECK (continue_vote IN ('yes', 'no', 'unsure')),
    comment       VARCHAR DEFAULT '',
    PRIMARY KEY (season_id, staff_id)
);
INSERT INTO season_feedback_by_season
SELECT (SELECT min(id) FROM seasons), staff_id, submitted_at, value, obstacles, continue_vote, comment
FROM season_feedback;
DROP TABLE season_feedback;
ALTER TABLE season_feedback_by_season RENAME TO season_feedback;

-- Topic demand as it stood when a season's cohorts formed, kept when the next survey opens:
-- the history a school reads before offering a topic again.
CREATE TABLE season_topics (
    season_id     INTEGER NOT NULL,
    topic_id      INTEGER NOT NULL,
    status        VARCHAR NOT NULL,
    first_choice  INTEGER NOT NULL DEFAULT 0,
    any_choice    INTEGER NOT NULL DEFAULT 0,
    cohorts       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (season_id, topic_id)
);
