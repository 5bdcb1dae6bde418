-- Budget projects are discussed like drafts, in the same threads under the same moderation
-- (PostgreSQL). Same meaning as migrations/sqlite/0009_project_comments.sql; keep them in step.

-- A comment is about a draft or about a budget's project, never both.
ALTER TABLE comments ALTER COLUMN draft_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN project_id BIGINT REFERENCES budget_projects (id) ON DELETE CASCADE;
ALTER TABLE comments ADD CONSTRAINT comments_one_subject CHECK ((draft_id IS NULL) <> (project_id IS NULL));
CREATE INDEX comments_by_project ON comments (project_id, thread_id, id);
