-- Key tasks become editable on the Week page: each gets an id that survives re-loads of the OKR
-- file, and every change is kept in task_change (the Monday plan's history: after the Wednesday of
-- a task's week a change of plan needs a reason). How a re-load and the dashboard's edits live
-- together: docs/okrs.md, "Key tasks".
CREATE TABLE key_task_v7 (
    cycle VARCHAR NOT NULL,
    task_id VARCHAR NOT NULL,           -- T1, T2, ... within the cycle, never reused
    kr_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    owner VARCHAR,
    helpers VARCHAR[] NOT NULL,
    due DATE,
    status VARCHAR NOT NULL,            -- todo | doing | done | blocked
    link VARCHAR,
    position INTEGER NOT NULL,          -- order in the file; tasks added in the dashboard come after
    done_on DATE,                       -- the day it was marked done; a task that arrived done: its due day
    file_values VARCHAR,                -- JSON: the task as the OKR file last gave it; NULL when added in the dashboard
    PRIMARY KEY (cycle, task_id)
);

INSERT INTO key_task_v7
SELECT cycle, 'T' || row_number() OVER (PARTITION BY cycle ORDER BY position), kr_id, title, owner, helpers, due,
       status, link, position, CASE WHEN status = 'done' THEN due END,
       json_object('kr_id', kr_id, 'title', title, 'owner', owner, 'helpers', helpers,
                   'due', strftime(due, '%Y-%m-%d'), 'status', status, 'link', link)::VARCHAR
FROM key_task;

DROP TABLE key_task;
ALTER TABLE key_task_v7 RENAME TO key_task;

-- One row per field changed (or per task created or removed); values as JSON text.
CREATE TABLE task_change (
    cycle VARCHAR NOT NULL,
    task_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,             -- created | removed | kr_id | title | owner | helpers | due | status | link
    old_value VARCHAR,
    new_value VARCHAR,
    change_date DATE NOT NULL,          -- the day it was made: what the Wednesday rule and the monthly review count
    changed_at TIMESTAMP NOT NULL,
    changed_by VARCHAR,                 -- the signed-in user; NULL for the local user and for loads
    reason VARCHAR,                     -- why the plan changed after the Wednesday of the task's week
    source VARCHAR NOT NULL             -- "dashboard", or the OKR file a load read
);

-- Who entered a check-in on the Week page (NULL for files and for the local user).
ALTER TABLE checkin ADD COLUMN recorded_by VARCHAR;
