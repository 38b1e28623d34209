//! scaleph's default catalog, shared by every connection: Flink's built-in
//! catalog (`default_catalog`) lives in one Flink session's memory, so a
//! table one connection creates would be invisible to the next — DBeaver's
//! navigator, a job, a connection after a restart. scaleph keeps the
//! databases, tables, views and functions created there without TEMPORARY
//! in its store (as the statements Flink accepted,
//! [`crate::store::FlinkChange`]) and replays them into every Flink
//! session: all of them when one opens, the changes it missed before its
//! next statement when another connection changed the catalog.
//!
//! Why replay and not a Flink `Catalog` plugin backed by scaleph: a plugin
//! would need a jar on every gateway and cluster, matched to each Flink
//! version; replaying DDL works with any gateway as it is.
//!
//! This module decides what a DDL statement does to the shared catalog
//! ([`resolve`]): which object, in which database, and the context
//! (catalog and database) its relative names resolve in, which replay puts
//! the session back into with `USE`. [`SharedChange`] is one statement on
//! its way: its claim on a new name is released, and the Flink session
//! marked for a rebuild from the store, if it never completes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::SecretString;

use super::session::quote_identifier;
use crate::error::{Error, SqlState};
use crate::result::Notice;
use crate::sql::ast::{Ddl, DdlVerb};
use crate::store::{
    FlinkCatalogStatement, FlinkChange, FlinkClaim, FlinkContext, FlinkObjectKind, FlinkObjectName,
    Store, StoreError,
};

/// Where a Flink session is, for resolving the names of a statement.
#[derive(Clone, Copy, Debug)]
pub struct Whereabouts<'a> {
    /// The built-in catalog's name (the shared one).
    pub builtin: &'a str,
    /// The built-in catalog's default database.
    pub builtin_database: &'a str,
    /// The current catalog.
    pub catalog: &'a str,
    /// The current database, `None` for the current catalog's default.
    pub database: Option<&'a str>,
}

impl Whereabouts<'_> {
    /// The context statements run in here, as kept: the built-in catalog
    /// as `None`.
    pub fn context(&self) -> FlinkContext {
        FlinkContext {
            catalog: (self.catalog != self.builtin).then(|| self.catalog.to_string()),
            database: self.database.map(str::to_string),
        }
    }
}

/// What a DDL statement does to the shared catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedDdl {
    /// CREATE, ALTER or DROP.
    pub verb: DdlVerb,
    /// The object it defines.
    pub object: FlinkObjectName,
    /// For `ALTER ... RENAME TO`: the object's new name.
    pub renamed: Option<FlinkObjectName>,
    /// Where it runs.
    pub context: FlinkContext,
    /// `IF [NOT] EXISTS`.
    pub if_exists: bool,
}

/// What `ddl` does to the shared catalog when run at `at`: `None` unless
/// it defines a database, table, view or function, not TEMPORARY, in the
/// built-in catalog. Function names are lower-cased, as Flink keeps them.
pub fn resolve(ddl: &Ddl, at: &Whereabouts) -> Option<SharedDdl> {
    let kind = FlinkObjectKind::from_object(&ddl.object)?;
    if ddl.temporary {
        return None;
    }
    let path: Vec<&str> = ddl.path.iter().map(String::as_str).collect();
    let (catalog, database, name) = match (kind, path.as_slice()) {
        (FlinkObjectKind::Database, [name]) => (at.catalog, "", *name),
        (FlinkObjectKind::Database, [catalog, name]) => (*catalog, "", *name),
        (_, [name]) => (
            at.catalog,
            at.database.unwrap_or(at.builtin_database),
            *name,
        ),
        (_, [database, name]) => (at.catalog, *database, *name),
        (_, [catalog, database, name]) => (*catalog, *database, *name),
        _ => return None,
    };
    if catalog != at.builtin {
        return None;
    }
    let normalize = |name: &str| match kind {
        FlinkObjectKind::Function => name.to_lowercase(),
        _ => name.to_string(),
    };
    let object = FlinkObjectName {
        kind,
        database: database.to_string(),
        name: normalize(name),
    };
    let renamed = ddl
        .renamed_to
        .as_ref()
        .and_then(|parts| parts.last())
        .map(|name| FlinkObjectName {
            name: normalize(name),
            ..object.clone()
        });
    Some(SharedDdl {
        verb: ddl.verb,
        object,
        renamed,
        context: at.context(),
        if_exists: ddl.if_exists,
    })
}

impl SharedDdl {
    /// The name it claims before Flink runs it: a CREATE's object, a
    /// RENAME's new name.
    pub fn claims(&self) -> Option<&FlinkObjectName> {
        match self.verb {
            DdlVerb::Create => Some(&self.object),
            DdlVerb::Alter => self.renamed.as_ref(),
            DdlVerb::Drop => None,
        }
    }
}

/// The statement that drops `object` in a session that has it (and does
/// nothing in one that does not): what a session behind the catalog
/// replays for a DROP.
pub fn drop_statement(object: &FlinkObjectName) -> FlinkCatalogStatement {
    let (database, text) = match object.kind {
        FlinkObjectKind::Database => (
            None,
            format!(
                "DROP DATABASE IF EXISTS {} CASCADE",
                quote_identifier(&object.name)
            ),
        ),
        kind => (
            Some(object.database.clone()),
            format!(
                "DROP {} IF EXISTS {}",
                kind.as_str(),
                quote_identifier(&object.name)
            ),
        ),
    };
    FlinkCatalogStatement {
        version: 0,
        context: FlinkContext {
            catalog: None,
            database,
        },
        shown: text.clone(),
        statement: SecretString::from(text),
    }
}

/// The `USE` that puts a session into `context` (`builtin` naming the
/// built-in catalog).
pub fn use_statement(context: &FlinkContext, builtin: &str) -> String {
    let catalog = quote_identifier(context.catalog.as_deref().unwrap_or(builtin));
    match &context.database {
        Some(database) => format!("USE {catalog}.{}", quote_identifier(database)),
        None => format!("USE CATALOG {catalog}"),
    }
}

/// The error for a name the shared catalog has (or another connection is
/// creating): 42P07 for a table or view, 42723 for a function, 42P06 for
/// a database.
pub fn duplicate(name: &FlinkObjectName) -> Error {
    let sqlstate = match name.kind {
        FlinkObjectKind::Table | FlinkObjectKind::View => SqlState::DUPLICATE_TABLE,
        FlinkObjectKind::Function => SqlState::DUPLICATE_FUNCTION,
        FlinkObjectKind::Database => SqlState::DUPLICATE_SCHEMA,
    };
    let noun = match name.kind {
        FlinkObjectKind::Table | FlinkObjectKind::View => "relation",
        kind => kind.noun(),
    };
    Error::new(
        sqlstate,
        format!("{noun} \"{}\" already exists", name.dotted()),
    )
    .with_hint(
        "scaleph's default catalog is shared by every connection (SELECT * FROM scaleph.flink_objects lists it); IF NOT EXISTS skips an existing name",
    )
}

/// The notice of `CREATE ... IF NOT EXISTS` on a name the shared catalog
/// has: nothing is sent to Flink.
pub fn exists_notice(name: &FlinkObjectName) -> Notice {
    Notice::new(format!(
        "{} \"{}\" already exists, skipping",
        name.kind.noun(),
        name.dotted()
    ))
}

/// A shared-catalog statement on its way through Flink: resolved, its
/// new name claimed. [`SharedChange::keep`] records it once Flink
/// accepted it, [`SharedChange::refused`] releases the claim when Flink
/// refused it. One dropped before either (a cancel, a lost connection)
/// releases its claim in the background and marks the Flink session stale:
/// Flink may or may not have run it, so the session is rebuilt from the
/// store before its next statement.
pub struct SharedChange {
    ddl: SharedDdl,
    claim: Option<FlinkClaim>,
    store: Arc<dyn Store>,
    stale: Arc<AtomicBool>,
    done: bool,
}

impl SharedChange {
    /// `ddl` on its way, its new name (if it has one) claimed for
    /// `creator`; [`ClaimRefused::Taken`] when the name is taken.
    pub async fn claim(
        ddl: SharedDdl,
        store: Arc<dyn Store>,
        stale: Arc<AtomicBool>,
        creator: &str,
    ) -> Result<SharedChange, ClaimRefused> {
        let claim = match ddl.claims().cloned() {
            Some(name) => match store.claim_flink_name(&name, creator).await {
                Ok(claim) => Some(claim),
                Err(StoreError::Duplicate { .. }) => {
                    return Err(ClaimRefused::Taken(name));
                }
                Err(err) => return Err(ClaimRefused::Store(err.into())),
            },
            None => None,
        };
        Ok(SharedChange {
            ddl,
            claim,
            store,
            stale,
            done: false,
        })
    }

    /// Flink refused the statement with `err`: the claim is released. An
    /// error that is not Flink's answer (the network, a timeout) leaves
    /// unknown whether Flink ran it: the session is rebuilt.
    pub async fn refused(mut self, err: &Error) {
        self.done = true;
        let unknown =
            err.sqlstate.code().starts_with("08") || err.sqlstate == SqlState::QUERY_CANCELED;
        if unknown {
            self.stale.store(true, Ordering::SeqCst);
        }
        if let Some(claim) = self.claim.take() {
            release(self.store.as_ref(), claim).await;
        }
    }

    /// Flink accepted `text` (shown as `shown`): kept in the store, by
    /// `creator`. The new catalog version, or `None` for an ALTER or DROP
    /// of nothing the shared catalog has. A store failure marks the
    /// session stale: its Flink session has what the store has not.
    pub async fn keep(
        mut self,
        text: &str,
        shown: &str,
        creator: &str,
    ) -> crate::error::Result<Option<u64>> {
        let statement = FlinkCatalogStatement {
            version: 0,
            context: self.ddl.context.clone(),
            statement: SecretString::from(text.to_string()),
            shown: shown.to_string(),
        };
        let change = match (self.ddl.verb, self.claim) {
            (DdlVerb::Create, Some(claim)) => FlinkChange::Create { claim, statement },
            (DdlVerb::Drop, _) => FlinkChange::Drop {
                object: self.ddl.object.clone(),
                statement: drop_statement(&self.ddl.object),
            },
            (DdlVerb::Alter | DdlVerb::Create, renamed) => FlinkChange::Alter {
                object: self.ddl.object.clone(),
                renamed,
                statement,
            },
        };
        let kept = self.store.record_flink_change(change, creator).await?;
        // The store consumed (or released) the claim.
        self.claim = None;
        self.done = true;
        Ok(kept)
    }
}

/// Why a [`SharedChange`] could not claim its name.
pub enum ClaimRefused {
    /// The shared catalog has the name (or another connection is creating
    /// it).
    Taken(FlinkObjectName),
    /// The store failed.
    Store(Error),
}

impl Drop for SharedChange {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.stale.store(true, Ordering::SeqCst);
        if let Some(claim) = self.claim.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let store = self.store.clone();
            runtime.spawn(async move { release(store.as_ref(), claim).await });
        }
    }
}

/// Releases `claim`; a failure is logged (the claim is cleared when the
/// store next opens).
async fn release(store: &dyn Store, claim: FlinkClaim) {
    if let Err(err) = store.release_flink_claim(claim).await {
        tracing::warn!(error = %err, "a claim of the shared Flink catalog was not released");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::classify::classify_text;

    fn at<'a>(catalog: &'a str, database: Option<&'a str>) -> Whereabouts<'a> {
        Whereabouts {
            builtin: "default_catalog",
            builtin_database: "default_database",
            catalog,
            database,
        }
    }

    fn resolved(sql: &str, at: &Whereabouts) -> Option<SharedDdl> {
        resolve(classify_text(sql).ddl.as_ref()?, at)
    }

    fn name(kind: FlinkObjectKind, database: &str, name: &str) -> FlinkObjectName {
        FlinkObjectName {
            kind,
            database: database.into(),
            name: name.into(),
        }
    }

    #[test]
    fn shared_ddl_names_objects_of_the_builtin_catalog_only() {
        let home = at("default_catalog", None);
        let shared = resolved("CREATE TABLE t (a INT)", &home).unwrap();
        assert_eq!(
            shared.object,
            name(FlinkObjectKind::Table, "default_database", "t")
        );
        assert_eq!(shared.context, FlinkContext::default());
        assert_eq!(shared.claims(), Some(&shared.object));
        let shared =
            resolved("CREATE VIEW IF NOT EXISTS sales.`Big V` AS SELECT 1", &home).unwrap();
        assert_eq!(shared.object, name(FlinkObjectKind::View, "sales", "Big V"));
        assert!(shared.if_exists);
        assert_eq!(
            resolved("CREATE FUNCTION MyUpper AS 'com.x.Upper'", &home)
                .unwrap()
                .object,
            name(FlinkObjectKind::Function, "default_database", "myupper")
        );
        assert_eq!(
            resolved(
                "CREATE DATABASE default_catalog.sales",
                &at("lake", Some("db"))
            )
            .unwrap()
            .object,
            name(FlinkObjectKind::Database, "", "sales")
        );
        // In another catalog, qualified into the built-in one: the context
        // it ran in is kept, for the names in its body.
        let shared = resolved(
            "CREATE VIEW default_catalog.sales.v AS SELECT * FROM t",
            &at("lake", Some("db")),
        )
        .unwrap();
        assert_eq!(
            shared.context,
            FlinkContext {
                catalog: Some("lake".into()),
                database: Some("db".into())
            }
        );
        let in_sales = at("default_catalog", Some("sales"));
        let renamed = resolved("ALTER TABLE t RENAME TO u", &in_sales).unwrap();
        assert_eq!(renamed.object, name(FlinkObjectKind::Table, "sales", "t"));
        assert_eq!(
            renamed.claims(),
            Some(&name(FlinkObjectKind::Table, "sales", "u"))
        );
        assert_eq!(resolved("DROP TABLE t", &in_sales).unwrap().claims(), None);
        for private in [
            "CREATE TEMPORARY TABLE t (a INT)",
            "CREATE TABLE lake.db.t (a INT)",
            "CREATE CATALOG c WITH ('type' = 'generic_in_memory')",
            "CREATE MODEL m WITH ('provider' = 'openai')",
            "DROP TEMPORARY SYSTEM FUNCTION f",
        ] {
            assert_eq!(resolved(private, &home), None, "{private}");
        }
        assert_eq!(resolved("CREATE TABLE t (a INT)", &at("lake", None)), None);
    }

    #[test]
    fn replay_statements_use_their_context_and_drop_if_exists() {
        let dropped = drop_statement(&name(FlinkObjectKind::View, "sales", "v"));
        assert_eq!(dropped.shown, "DROP VIEW IF EXISTS `v`");
        assert_eq!(
            use_statement(&dropped.context, "default_catalog"),
            "USE `default_catalog`.`sales`"
        );
        let dropped = drop_statement(&name(FlinkObjectKind::Database, "", "sales"));
        assert_eq!(dropped.shown, "DROP DATABASE IF EXISTS `sales` CASCADE");
        assert_eq!(
            use_statement(&dropped.context, "default_catalog"),
            "USE CATALOG `default_catalog`"
        );
        let err = duplicate(&name(FlinkObjectKind::Table, "default_database", "t"));
        assert_eq!(err.sqlstate, SqlState::DUPLICATE_TABLE);
        assert_eq!(
            err.message,
            "relation \"default_database.t\" already exists"
        );
        assert_eq!(
            duplicate(&name(FlinkObjectKind::Function, "d", "f")).sqlstate,
            SqlState::DUPLICATE_FUNCTION
        );
    }
}
