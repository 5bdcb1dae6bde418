-- Drafts became documents with structure (chapters, numbered articles, lists: formatting in the
-- Y.Text, app/src/domain/document). Drafts written before were plain text in which "Chapter 1."
-- and "1.1 ..." lines stood for that structure. Each is listed here once; at start-up the server
-- gives it its structure as one stored update (server/src/collab/legacy.rs) and removes it from
-- the list, so it is done exactly once, also with several servers. Minutes stay as they are.
-- (postgres; same shape as the other database's 0007_document_structure.sql: keep them in step.)
CREATE TABLE legacy_plain_drafts (
    draft_id BIGINT PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE
);
INSERT INTO legacy_plain_drafts (draft_id)
    SELECT id FROM drafts WHERE id NOT IN (SELECT minutes_draft_id FROM sittings);
