-- Following and notifications (sqlite). Same shape as migrations/postgres/0012_notifications.sql.

-- The time zone a person's daily and weekly digests are counted in (an IANA name).
ALTER TABLE people ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Who follows what: a process, a draft or a comment thread (subject_id is the thread's first
-- comment). A person follows for themselves (person_id), or a member follows on behalf of their
-- organisation (org_id), and then every confirmed member of it is told.
CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    person_id BIGINT REFERENCES people (id) ON DELETE CASCADE,
    org_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('process', 'draft', 'thread')),
    subject_id BIGINT NOT NULL,
    -- Who chose to follow (the member, for an organisation's follow).
    followed_by BIGINT REFERENCES people (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    CHECK ((person_id IS NULL) <> (org_id IS NULL))
);
CREATE UNIQUE INDEX follows_by_person ON follows (person_id, subject_kind, subject_id)
    WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX follows_by_org ON follows (org_id, subject_kind, subject_id)
    WHERE org_id IS NOT NULL;
CREATE INDEX follows_of_subject ON follows (subject_kind, subject_id);

-- What a person is told. facts is the notice as JSON (app/src/notices/): it is worded when it is
-- read, in the reader's language then. delivery is how it reaches them, fixed when it is made
-- from their preference: at once by mail, in a daily or weekly digest, or on the site only.
-- mailed_at is set when it went out in a mail; a digest takes the ones still NULL.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    process_id BIGINT REFERENCES processes (id) ON DELETE CASCADE,
    -- The comment it quotes, if any: its words are shown only while everyone may read them.
    comment_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    facts TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'daily', 'weekly', 'site')),
    mailed_at BIGINT
);
CREATE INDEX notifications_by_person ON notifications (person_id, id);
CREATE INDEX notifications_unread ON notifications (person_id, read_at);
CREATE INDEX notifications_for_digest ON notifications (delivery, mailed_at);

-- A person's choice per kind of notice; a kind without a row has its default.
CREATE TABLE notification_preferences (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'daily', 'weekly', 'site')),
    PRIMARY KEY (person_id, kind)
);

-- One row per digest sent: the key makes a digest go once per person and period even when
-- several servers look at the same time (the second insert finds the row and sends nothing).
CREATE TABLE digests (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    period TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    -- The local day (2026-12-07) or ISO week (2026-W50) that ended.
    period_key TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    notices BIGINT NOT NULL,
    PRIMARY KEY (person_id, period, period_key)
);

-- One-click unsubscribe links (RFC 8058): a token stands for one person and one list (a kind of
-- notice, or a digest period) and can only set that list to "on the site only". It is kept as
-- it is, not hashed, so that every mail of the list carries the same link: the most it can do
-- in the wrong hands is stop one list's mail, which its owner sees on their preferences page.
CREATE TABLE unsubscribe_links (
    token TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, list)
);

-- The one-click unsubscribe address of a mail that has one, for its List-Unsubscribe header.
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;
-- An iCalendar file the mail carries (the invitation to a sitting), attached as text/calendar.
ALTER TABLE outbox ADD COLUMN calendar TEXT;

-- Reminders, each told once: a published decision's review date that passed with no update
-- (subject 'review': the decision, keyed by the date), and a moderation queue that waited too
-- long (subject 'queue': the process, keyed by its oldest waiting comment). The key makes the
-- reminder go once however many servers look.
CREATE TABLE reminders (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('review', 'queue')),
    subject_id BIGINT NOT NULL,
    reminder_key TEXT NOT NULL,
    told_at BIGINT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, reminder_key)
);

-- When a comment's followers were told of it: once, the first time everyone may read it (when
-- posted, or when a moderator first lets it through). Earlier comments count as told.
ALTER TABLE comments ADD COLUMN announced_at BIGINT;
UPDATE comments SET announced_at = created_at WHERE status <> 'pending';
