-- The quarter review's lessons and next steps (the CEO pack ends with them). A cycle's notes are
-- one list per section: loading a section again replaces it, in the order given.
CREATE TABLE review_note (
    cycle VARCHAR NOT NULL,
    section VARCHAR NOT NULL,           -- lessons | next_steps
    position INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    written_by VARCHAR,
    written_at TIMESTAMP NOT NULL,
    source_file VARCHAR NOT NULL,       -- the file, or "dashboard"
    PRIMARY KEY (cycle, section, position)
);
