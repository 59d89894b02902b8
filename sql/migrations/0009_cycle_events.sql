-- Closing and reopening a cycle, as history: a closed cycle's scores change only with a reason, so
-- reopening one (which lifts that rule) is kept too, with who, when and why.
CREATE TABLE cycle_event (
    cycle VARCHAR NOT NULL,
    event VARCHAR NOT NULL,             -- closed | reopened
    done_by VARCHAR,
    done_at TIMESTAMP NOT NULL,
    reason VARCHAR                      -- required to reopen
);
