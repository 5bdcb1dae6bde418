-- no-transaction
-- Budget projects are discussed like drafts, in the same threads under the same moderation
-- (SQLite). Same meaning as migrations/postgres/0009_project_comments.sql; keep them in step.
--
-- A comment is about a draft or about a budget's project, never both. SQLite cannot drop a NOT
-- NULL in place, so `comments` is rebuilt as its documentation prescribes (sqlite.org/lang_altertable,
-- "other kinds of table schema changes"): foreign keys off, so dropping the old table neither
-- cascades to its revisions, reports and appeals nor fails on the log's references; the rename
-- leaves every reference to `comments` pointing at the new table, whose rows keep their ids.
-- Hence no transaction around the file: the pragma cannot change inside one, so the file opens
-- its own.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE comments_new (
    id INTEGER PRIMARY KEY,
    -- What the comment is about: exactly one of a draft and a budget's project.
    draft_id BIGINT REFERENCES drafts (id) ON DELETE CASCADE,
    project_id BIGINT REFERENCES budget_projects (id) ON DELETE CASCADE,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    -- The comment replied to, and the thread's first comment (its own id for a thread's start).
    parent_id BIGINT REFERENCES comments (id),
    thread_id BIGINT NOT NULL,
    depth BIGINT NOT NULL CHECK (depth >= 0),
    person_id BIGINT NOT NULL REFERENCES people (id),
    org_id BIGINT REFERENCES organisations (id),
    -- The name shown, as it was when posted: the display name, or a pseudonym chosen for this comment.
    display_name TEXT NOT NULL,
    -- 1 when written by a council member or for a government body (shown as an official answer).
    official BIGINT NOT NULL CHECK (official IN (0, 1)),
    stance TEXT NOT NULL CHECK (stance IN ('none', 'supports', 'objects', 'asks', 'suggests')),
    body TEXT NOT NULL,
    -- For a comment on a passage of a draft: the words quoted, and Yjs sticky positions (hex of
    -- yrs's v1 encoding) of its first and last character, which follow the passage through every edit.
    quote TEXT,
    anchor_start TEXT,
    anchor_end TEXT,
    status TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'held', 'hidden', 'withdrawn')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    -- The last approval or restoration: reports made before it no longer count towards a hold.
    reviewed_at BIGINT,
    -- An edit of an approved comment waiting for a moderator (pre-moderation).
    pending_body TEXT,
    pending_stance TEXT,
    pending_at BIGINT,
    CHECK ((draft_id IS NULL) <> (project_id IS NULL))
);
INSERT INTO comments_new (id, draft_id, project_id, process_id, parent_id, thread_id, depth, person_id,
    org_id, display_name, official, stance, body, quote, anchor_start, anchor_end, status, created_at,
    edited_at, reviewed_at, pending_body, pending_stance, pending_at)
SELECT id, draft_id, NULL, process_id, parent_id, thread_id, depth, person_id, org_id, display_name,
    official, stance, body, quote, anchor_start, anchor_end, status, created_at, edited_at, reviewed_at,
    pending_body, pending_stance, pending_at
FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_by_draft ON comments (draft_id, thread_id, id);
CREATE INDEX comments_by_project ON comments (project_id, thread_id, id);
CREATE INDEX comments_by_person ON comments (person_id, created_at);
CREATE INDEX comments_by_status ON comments (process_id, status);

COMMIT;
PRAGMA foreign_keys = ON;
