-- 0009: the documents as read move to the raw folder beside the database (factcheck.store.raw:
-- gzip files named by content_hash). article_versions.raw_text is NULL for the versions kept
-- there; versions stored before keep their text in the column, as does a database in memory.

ALTER TABLE article_versions ALTER COLUMN raw_text DROP NOT NULL;
