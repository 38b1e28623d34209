-- preview
PREVIEW INSERT INTO doris_orders SELECT id, amount FROM orders WHERE amount > 10;
PREVIEW INSERT OVERWRITE daily PARTITION (dt = '2026-11-01') SELECT id FROM orders;
PREVIEW EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;
PREVIEW CREATE TABLE t WITH ('connector' = 'print') AS SELECT * FROM orders;
-- explain_preview
EXPLAIN PREVIEW INSERT INTO doris_orders SELECT id, amount FROM orders;
EXPLAIN PREVIEW INSERT INTO sink (b, a) VALUES (1, 2);
-- the preview switches are session variables
SET 'scaleph.preview' = 'on';
SET 'scaleph.preview.limit' = '20';
SET 'scaleph.preview.timeout' = '10 s';
