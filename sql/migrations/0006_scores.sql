-- Quarter-end scores, as history: every score entered is a row (who, when, why); the one in force
-- for a KR or person and kind is the newest. subject_kind: kr (self, committee) or person
-- (values, review: the values score and the 360/routine score of the performance review).
CREATE TABLE score_entry (
    cycle VARCHAR NOT NULL,
    subject_kind VARCHAR NOT NULL,      -- kr | person
    subject VARCHAR NOT NULL,           -- a KR id, or a person's name
    kind VARCHAR NOT NULL,              -- self | committee | values | review
    score DOUBLE NOT NULL,              -- 0-10
    note VARCHAR,
    scored_by VARCHAR,
    scored_at TIMESTAMP NOT NULL,
    reason VARCHAR,                     -- required to change a score of a closed cycle
    source_file VARCHAR NOT NULL
);
