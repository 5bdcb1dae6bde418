-- Comments on exact passages of drafts, and their moderation in the open (SQLite). Same shape as
-- migrations/postgres/0003_comments.sql; keep them in step.

-- Processes name moderators, who work the comment queue and nothing else. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt (nothing references it).
CREATE TABLE process_people_new (
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mediator', 'council_member', 'moderator')),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (process_id, person_id, role)
);
INSERT INTO process_people_new SELECT process_id, person_id, role, added_at FROM process_people;
DROP TABLE process_people;
ALTER TABLE process_people_new RENAME TO process_people;

-- How a process moderates: 'post' shows comments at once, 'pre' holds each for approval.
ALTER TABLE processes ADD COLUMN moderation TEXT NOT NULL DEFAULT 'post' CHECK (moderation IN ('post', 'pre'));
-- Reports from this many different people hold a comment for review.
ALTER TABLE processes ADD COLUMN report_threshold BIGINT NOT NULL DEFAULT 3 CHECK (report_threshold >= 1);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    draft_id BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
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
    -- For a comment on a passage: the words quoted, and Yjs sticky positions (hex of yrs's v1
    -- encoding) of its first and last character, which follow the passage through every edit.
    quote TEXT,
    anchor_start TEXT,
    anchor_end TEXT,
    status TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'held', 'hidden', 'withdrawn')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    -- The last approval or restoration: reports made before it no longer count towards a hold.
    reviewed_at BIGINT
);
CREATE INDEX comments_by_draft ON comments (draft_id, thread_id, id);
CREATE INDEX comments_by_person ON comments (person_id, created_at);
CREATE INDEX comments_by_status ON comments (process_id, status);

-- Earlier texts of edited comments: an edit is shown as such, and what was said stays on record.
CREATE TABLE comment_revisions (
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    stance TEXT NOT NULL,
    replaced_at BIGINT NOT NULL
);
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id, replaced_at);

-- One report per person per comment; reporters are never published.
CREATE TABLE comment_reports (
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'personal_data', 'other')),
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (comment_id, person_id)
);
CREATE INDEX comment_reports_by_person ON comment_reports (person_id, created_at);

-- People barred from commenting in a process until a date.
CREATE TABLE comment_bars (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    until BIGINT NOT NULL,
    by_id BIGINT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    lifted_at BIGINT
);
CREATE INDEX comment_bars_by_person ON comment_bars (process_id, person_id);

-- The public moderation log, append-only. It names the role that acted and the reason, never the
-- hidden content or who reported; `note` is shown to the comment's author and to moderators only.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id),
    bar_id BIGINT REFERENCES comment_bars (id),
    action TEXT NOT NULL CHECK (action IN ('held', 'approved', 'hidden', 'restored', 'barred', 'bar_lifted',
        'appealed', 'appeal_upheld', 'appeal_rejected')),
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'personal_data', 'other',
        'within_rules', 'reports', 'appeal')),
    note TEXT NOT NULL,
    -- NULL when the system acted (a hold after reports).
    actor_id BIGINT REFERENCES people (id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('system', 'mediator', 'moderator', 'author')),
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_log_by_process ON moderation_log (process_id, id);
CREATE INDEX moderation_log_by_comment ON moderation_log (comment_id, id);

-- One appeal per hidden comment, decided by a moderator other than the one who hid it.
CREATE TABLE comment_appeals (
    comment_id BIGINT PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    hidden_by BIGINT REFERENCES people (id),
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES people (id),
    decided_at BIGINT,
    outcome TEXT CHECK (outcome IN ('upheld', 'rejected'))
);
