-- Catalog queries DBeaver's PostgreSQL plugin (org.jkiss.dbeaver.ext.postgresql)
-- sends when it connects and when the navigator opens a database, a schema, a
-- table and its columns. Read from the DBeaver source (dbeaver/dbeaver at
-- commit 2428359b748778a5a345432906ab3da69289c20c) and cross-checked with the
-- statement log in datafusion-contrib/datafusion-postgres#135 ("dbeaver startup
-- queries"). Only the SQL DBeaver writes itself is here, not pgjdbc's
-- DatabaseMetaData. Each query is the text DBeaver builds with its default
-- settings, a JDBC parameter written as the literal it binds: the database
-- 'scaleph', the schema 'scaleph', the table scaleph.datasources. DBeaver binds
-- object oids it read from pg_namespace and pg_class; scaleph hands out oids
-- as its catalog is read, so they are not known in advance: {schema_oid} and
-- {table_oid} stand for them, and the test puts in the numbers the session
-- reports before it replays this file.
--
-- Format (read by tests/client_corpus.rs): a `-- source:`, `-- when:` and
-- `-- expect: rows | error` block, then the query, ended by `;` at the end of a
-- line. `expect` records what scaleph does today: a ratchet, flip it to `rows`
-- when a fix lands.

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (PostgreDataSource.prepareReadDatabaseListStatement, "Show all databases" on), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname ='scaleph'
ORDER BY db.datname;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (PostgreDataSource.loadAvailableDatabases), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT current_database();

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.readDatabaseInfo), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname='scaleph';

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (PostgreDataSource.initialize), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT version();

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/PostgreUtils.java (PostgreUtils.getQueryForSystemColumnChecking "pg_enum", "*", from PostgreDataSource.initialize), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/PostgreUtils.java (PostgreUtils.getQueryForSystemColumnChecking "pg_class", "reltype", from PostgreDataSource.initialize), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (PostgreDataSource.SettingCache lookup of standard_conforming_strings), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
select * from pg_catalog.pg_settings where name='standard_conforming_strings';

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.cacheDataTypes), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem 
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid
WHERE t.typname IS NOT NULL
AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C');

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java (PostgreExecutionContext.refreshDefaults), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SELECT current_schema(),session_user;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.SchemaCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect, browse schemas
-- expect: rows
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java (PostgreExecutionContext.refreshDefaults), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: connect
-- expect: rows
SHOW search_path;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java (PostgreExecutionContext.setSearchPath), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: select the active schema
-- expect: rows
SET search_path = scaleph,public;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.getDescription), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse database
-- expect: rows
select description from pg_shdescription join pg_database on objoid = pg_database.oid where datname = 'scaleph';

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.RoleCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse roles
-- expect: rows
SELECT a.oid,a.*,pd.description FROM pg_catalog.pg_roles a 
left join pg_catalog.pg_shdescription pd on a.oid = pd.objoid
ORDER BY a.rolname;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.EncodingCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse encodings
-- expect: rows
SELECT c.contoencoding as encid,pg_catalog.pg_encoding_to_char(c.contoencoding) as encname
FROM pg_catalog.pg_conversion c
GROUP BY c.contoencoding
ORDER BY 2
;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.ExtensionCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse extensions
-- expect: rows
SELECT 
 e.oid,
 cfg.tbls,
  n.nspname as schema_name,
 e.* 
FROM 
 pg_catalog.pg_extension e 
 join pg_namespace n on n.oid =e.extnamespace
 left join  (
         select
            ARRAY_AGG(ns.nspname || '.' ||  cls.relname) tbls, oid_ext
          from
            (
            select
                unnest(e1.extconfig) oid , e1.oid oid_ext
            from
                pg_catalog.pg_extension e1 ) c 
                join    pg_class cls on cls.oid = c.oid 
                join pg_namespace ns on ns.oid = cls.relnamespace
            group by oid_ext        
         ) cfg on cfg.oid_ext = e.oid
ORDER BY e.oid;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.AvailableExtensionCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse extensions
-- expect: rows
SELECT name,default_version,installed_version,comment FROM pg_catalog.pg_available_extensions ORDER BY name;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (PostgreDatabase.TablespaceCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse tablespaces
-- expect: rows
SELECT t.oid,t.*,pg_tablespace_location(t.oid) loc
FROM pg_catalog.pg_tablespace t 
ORDER BY t.oid;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.TableCache.prepareLookupStatement), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse tables
-- expect: rows
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace={schema_oid} AND c.relkind not in ('i','I','c');

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.cacheTableInheritance), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse tables
-- expect: rows
SELECT i.inhrelid relid, pc.relnamespace parent_ns, pc.oid parent_oid, i.inhseqno
FROM pg_catalog.pg_inherits i, pg_class rc, pg_class pc
WHERE rc.oid=i.inhrelid AND rc.relnamespace={schema_oid} AND pc.oid=i.inhparent;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.collectObjectStatistics), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse tables
-- expect: rows
select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size
FROM pg_class c
WHERE c.relnamespace={schema_oid};

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.ProceduresCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse functions
-- expect: rows
SELECT p.oid as poid,p.*,pg_catalog.pg_get_expr(p.proargdefaults, 0) as arg_defaults,d.description
FROM pg_catalog.pg_proc p
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=p.oid and d.classoid='pg_proc'::regclass  AND d.objsubid = 0
WHERE p.pronamespace={schema_oid}
ORDER BY p.proname;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.TableCache.prepareChildrenStatement, whole schema), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse columns
-- expect: rows
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.relnamespace={schema_oid}
ORDER BY a.attnum;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.TableCache.prepareChildrenStatement, one table), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse columns
-- expect: rows
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid={table_oid}
ORDER BY a.attnum;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.ConstraintCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse keys
-- expect: rows
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then "substring"(pg_get_constraintdef(c.oid), 7) else null end consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass
WHERE c.conrelid={table_oid}
ORDER BY c.oid;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (PostgreSchema.IndexCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse indexes
-- expect: rows
SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr,pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid
LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid
WHERE  i.indrelid={table_oid} ORDER BY c.relname;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTable.java (PostgreTable.getReferences), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse references
-- expect: rows
SELECT DISTINCT connamespace FROM pg_catalog.pg_constraint WHERE confrelid={table_oid};

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTable.java (PostgreTable.initSuperTables), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse table
-- expect: rows
SELECT i.*,c.relnamespace FROM pg_catalog.pg_inherits i,pg_catalog.pg_class c WHERE i.inhrelid={table_oid} AND c.oid=i.inhparent ORDER BY i.inhseqno;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTableReal.java (PostgreTableReal.TriggerCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse triggers
-- expect: rows
SELECT x.oid,x.*,p.pronamespace as func_schema_id,d.description
FROM pg_catalog.pg_trigger x
LEFT OUTER JOIN pg_catalog.pg_proc p ON p.oid=x.tgfoid 
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=x.oid AND d.objsubid=0 
WHERE x.tgrelid = {table_oid} AND NOT x.tgisinternal;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTableReal.java (PostgreTableReal.RuleCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse rules
-- expect: rows
SELECT r.oid,r.*, pg_get_ruledef(r.oid) AS definition
FROM pg_rewrite r
WHERE r.ev_class={table_oid} AND r.rulename <> '_RETURN'::name;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTable.java (PostgreTable.PolicyCache), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse policies
-- expect: rows
select * from pg_catalog.pg_policies where schemaname='scaleph' and tablename='datasources';

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreTableReal.java (PostgreTableReal.readTableStatistics), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse table properties
-- expect: rows
select pg_catalog.pg_total_relation_size({table_oid}) as total_rel_size,pg_catalog.pg_relation_size({table_oid}) as rel_size;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreViewBase.java (PostgreViewBase.fetchViewQueryResultIfItNull), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse view source
-- expect: rows
SELECT pg_get_viewdef({table_oid}, true);

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.model.jdbc/src/org/jkiss/dbeaver/model/impl/jdbc/struct/JDBCTable.java (JDBCTable.readData, 200-row page as LIMIT), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse table data
-- expect: rows
SELECT * FROM scaleph.datasources
LIMIT 200;

-- source: dbeaver/dbeaver/plugins/org.jkiss.dbeaver.model.jdbc/src/org/jkiss/dbeaver/model/impl/jdbc/struct/JDBCTable.java (JDBCTable.countData), commit 2428359b748778a5a345432906ab3da69289c20c
-- when: browse table data (row count)
-- expect: rows
SELECT COUNT(*) FROM scaleph.datasources;
