-- Attached files (keytabs, krb5.conf, certificates) of a datasource, as a
-- JSON object: file name -> {"path", "size", "sha256", "content"}, where
-- content is {"plain": base64} or {"sealed": "v1:..."} like options.
ALTER TABLE datasources ADD COLUMN files TEXT NOT NULL DEFAULT '{}';
