-- Plan versions share unchanged stages: each version's content becomes a small manifest
-- naming its stages by the SHA-256 of their stored form, kept once in plan_blobs. What a
-- version changed (the diff shown on the plan page) is stored with it, so the page reads
-- no version content. The row conversion (items reference their library item version
-- instead of copying it; versions to manifests) runs in code right after the migrations.
CREATE TABLE plan_blobs (
    hash TEXT PRIMARY KEY NOT NULL,
    content TEXT NOT NULL
);
ALTER TABLE plan_versions ADD COLUMN changes TEXT;
