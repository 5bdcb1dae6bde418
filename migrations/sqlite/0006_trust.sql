-- Who may speak for whom, and what a reader can trust of a byline (SQLite). Same shape as
-- migrations/postgres/0006_trust.sql; keep them in step.

-- Belonging to an organisation lets a person speak for it only once an administrator has
-- confirmed the membership (and only while the organisation is verified). A founder's membership
-- waits for confirmation; one an administrator adds is confirmed at once.
ALTER TABLE memberships ADD COLUMN confirmed_at BIGINT;
ALTER TABLE memberships ADD COLUMN confirmed_by BIGINT REFERENCES people (id);
-- Memberships of organisations already verified were added or accepted by administrators.
UPDATE memberships SET confirmed_at = joined_at
    WHERE org_id IN (SELECT id FROM organisations WHERE verified_at IS NOT NULL);

-- An administrator may withdraw a verification (a body that is not who it said); the reason is
-- public, and its members stop speaking for it at once.
ALTER TABLE organisations ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE organisations ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';

-- Every name of every organisation (one per language), by the keys under which names that read
-- the same meet (app/src/domain/names.rs): the primary key is what keeps two organisations from
-- sharing a name. Filled by the server for organisations registered before this table.
CREATE TABLE organisation_names (
    key TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE
);
CREATE INDEX organisation_names_by_org ON organisation_names (org_id);

-- The same keys of each person's display name, so that nobody takes an office-holder's name.
-- SQL cannot compute them: the server fills them in at start-up for people who signed up before.
CREATE TABLE person_name_keys (
    key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (key, person_id)
);
CREATE INDEX person_name_keys_by_person ON person_name_keys (person_id);

-- "Official" came from an organisation's kind alone, verified or not; it no longer does.
UPDATE comments SET official = 0
    WHERE org_id IS NOT NULL AND org_id IN (SELECT id FROM organisations WHERE verified_at IS NULL);

-- Under pre-moderation an edit of an approved comment waits for approval like a new comment; the
-- approved text stays shown meanwhile.
ALTER TABLE comments ADD COLUMN pending_body TEXT;
ALTER TABLE comments ADD COLUMN pending_stance TEXT;
ALTER TABLE comments ADD COLUMN pending_at BIGINT;

-- Earlier texts get an id, so that an author can ask for one to be removed from the public
-- history (personal data written by mistake) and a moderator can remove it. SQLite cannot add a
-- primary key to a table: it is rebuilt.
CREATE TABLE comment_revisions_new (
    id INTEGER PRIMARY KEY,
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    stance TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    -- When the author asked for this text to be removed, and why (shown to moderators only).
    removal_requested_at BIGINT,
    removal_note TEXT NOT NULL DEFAULT '',
    -- When a moderator removed it: its body is then emptied for good.
    removed_at BIGINT
);
INSERT INTO comment_revisions_new (comment_id, body, stance, replaced_at)
    SELECT comment_id, body, stance, replaced_at FROM comment_revisions ORDER BY replaced_at;
DROP TABLE comment_revisions;
ALTER TABLE comment_revisions_new RENAME TO comment_revisions;
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id, replaced_at);

-- The moderation log gains the decisions on edits and on removing an earlier text, and names the
-- earlier text such a decision is about. SQLite cannot change a CHECK constraint: rebuilt.
CREATE TABLE moderation_log_new (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id),
    bar_id BIGINT REFERENCES comment_bars (id),
    action TEXT NOT NULL CHECK (action IN ('held', 'approved', 'hidden', 'restored', 'barred', 'bar_lifted',
        'appealed', 'appeal_upheld', 'appeal_rejected', 'edit_approved', 'edit_declined',
        'revision_removed', 'revision_kept')),
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'personal_data', 'other',
        'within_rules', 'reports', 'appeal')),
    note TEXT NOT NULL,
    actor_id BIGINT REFERENCES people (id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('system', 'mediator', 'moderator', 'author')),
    created_at BIGINT NOT NULL,
    revision_id BIGINT REFERENCES comment_revisions (id)
);
INSERT INTO moderation_log_new (id, process_id, comment_id, bar_id, action, reason, note, actor_id,
        actor_role, created_at)
    SELECT id, process_id, comment_id, bar_id, action, reason, note, actor_id, actor_role, created_at
    FROM moderation_log;
DROP TABLE moderation_log;
ALTER TABLE moderation_log_new RENAME TO moderation_log;
CREATE INDEX moderation_log_by_process ON moderation_log (process_id, id);
CREATE INDEX moderation_log_by_comment ON moderation_log (comment_id, id);

-- Browsers a person has signed in on before (a "device cookie" holds the token; only its SHA-256
-- is stored). Guessing from elsewhere locks out unrecognised browsers, never these: nobody can keep
-- a council member from signing in by typing wrong passwords in their name.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_by_person ON trusted_devices (person_id);
