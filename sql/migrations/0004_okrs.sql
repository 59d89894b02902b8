-- OKR definitions per cycle. A re-load replaces objectives, key results and tasks; check-ins and
-- revisions are history and are only ever added to (a check-in for the same KR and day replaces
-- that one check-in).
CREATE TABLE okr_cycle (
    cycle VARCHAR PRIMARY KEY,          -- the period label, e.g. 2026-Q3
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    closed_at TIMESTAMP,                -- set by `okrfunnel okrs close`; a closed cycle is read-only
    loaded_at TIMESTAMP NOT NULL,
    source_file VARCHAR NOT NULL
);

CREATE TABLE objective (
    cycle VARCHAR NOT NULL,
    objective_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    owner VARCHAR,
    level VARCHAR NOT NULL,             -- company | department | team | person
    aligns_to VARCHAR,                  -- a parent objective's id, possibly outside this file
    position INTEGER NOT NULL,          -- order in the file
    PRIMARY KEY (cycle, objective_id)
);

CREATE TABLE key_result (
    cycle VARCHAR NOT NULL,
    kr_id VARCHAR NOT NULL,
    objective_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    owner VARCHAR,
    metric VARCHAR,                     -- NULL for kind manual
    kind VARCHAR NOT NULL,              -- total | level | manual
    filters VARCHAR NOT NULL,           -- JSON object: dimension -> list of values
    baseline DOUBLE,
    target DOUBLE NOT NULL,
    weight DOUBLE NOT NULL,
    confidence_start INTEGER,           -- the confidence set when the KR was written
    position INTEGER NOT NULL,
    PRIMARY KEY (cycle, kr_id)
);

CREATE TABLE kr_revision (
    cycle VARCHAR NOT NULL,
    kr_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,             -- target | baseline
    old_value DOUBLE,
    new_value DOUBLE,
    revision_date DATE NOT NULL,        -- from the file's revision_date, else the day of the load
    approved_by VARCHAR,
    source_file VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

CREATE TABLE checkin (
    cycle VARCHAR NOT NULL,
    kr_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    confidence INTEGER NOT NULL,
    note VARCHAR,
    value DOUBLE,                       -- progress of a manual KR
    source_file VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cycle, kr_id, date)
);

CREATE TABLE key_task (
    cycle VARCHAR NOT NULL,
    kr_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    owner VARCHAR,
    helpers VARCHAR[] NOT NULL,
    due DATE,
    status VARCHAR NOT NULL,            -- todo | doing | done | blocked
    link VARCHAR,
    position INTEGER NOT NULL
);
