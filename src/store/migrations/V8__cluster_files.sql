-- Attached files of a cluster (FILES (...): a Kubernetes cluster's pod
-- templates), kept like a datasource's (V2): a JSON object of file name ->
-- {"path", "size", "sha256", "content"}, where content is {"plain": base64}
-- or {"sealed": "v1:..."}. Read once at CREATE or ALTER ... SET FILES:
-- what a job's FlinkDeployment carries is this content, never the path's.
ALTER TABLE clusters ADD COLUMN files TEXT NOT NULL DEFAULT '{}';
