-- Issue 3: the end-of-season survey ends with a free comment.
ALTER TABLE season_feedback ADD COLUMN comment VARCHAR DEFAULT '';
