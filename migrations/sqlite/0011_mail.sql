-- Mail and confirmed addresses (sqlite). Same shape as migrations/postgres/0011_mail.sql.
--
-- The outbox: a mail is written here in the same transaction as the change that causes it, so a
-- change is never committed without its mail, nor a mail without its change. The delivery worker
-- (server/src/mail/) claims rows, sends them over SMTP, and records what happened. A claim is a
-- lease (claimed_by, claimed_until): a server that dies holding one leaves it to be claimed again
-- once the lease ends, and the stable message_id lets mail programs recognise a repeat.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- The Message-ID header, angle brackets included; the same on every attempt.
    message_id TEXT NOT NULL UNIQUE,
    -- What the mail is about (see app/src/mail/), for the administrators' view.
    kind TEXT NOT NULL,
    person_id BIGINT REFERENCES people (id) ON DELETE SET NULL,
    to_address TEXT NOT NULL,
    to_name TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- waiting: to be sent at next_attempt_at; sending: claimed; sent; failed: refused for good or
    -- given up on (last_error says why); kept: no SMTP server is configured, kept for admins.
    state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'sending', 'sent', 'failed', 'kept')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    -- When it was sent, failed for good, or kept.
    finished_at BIGINT
);
-- The worker's question: what is due (waiting and due, or a lease that ended)?
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Password reset links: only the SHA-256 of the token is kept, so the table cannot sign anyone in.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_by_person ON password_resets (person_id);

-- Email addresses are confirmed with a link sent to them, at sign-up and when an account changes
-- its address. Accounts made before this are counted as confirmed: they were made under the old
-- rules, and locking their owners out of posting would punish them for our late arrival.
ALTER TABLE people ADD COLUMN email_verified_at BIGINT;
UPDATE people SET email_verified_at = created_at;
CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- The address the link confirms: the account's own, or the one it is changing to.
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_verifications_by_person ON email_verifications (person_id);
