//! Catalogs, databases, tables, views and functions, with the validation
//! errors Flink raises for missing and duplicate objects.
//!
//! Flink has two kinds of catalogs, and clients see the difference:
//!
//! * **In memory** (`default_catalog`, `'type' = 'generic_in_memory'`): the
//!   objects live in the catalog object, which belongs to one session; they
//!   are gone when the session closes or the gateway restarts.
//! * **Persistent** (any other `'type'`: Paimon, Hive, JDBC, Iceberg...): the
//!   catalog object is only a client of an external store (a warehouse, a
//!   metastore). Every session that creates a catalog over the same store
//!   sees the same objects, `DROP CATALOG` only unregisters it from the
//!   session, and the objects outlive gateway restarts.
//!
//! So a session keeps [`SessionCatalogs`]: its in-memory catalogs, and for
//! each persistent one only the [`StoreKey`] naming its store, which lives
//! in the gateway-wide [`Stores`]. A statement sees both through
//! [`Catalogs`], which resolves a catalog name to whichever holds it.
//! Temporary tables and views are the session's even in a persistent
//! catalog (Flink keeps them in the session, never in the store).

use std::collections::{BTreeMap, BTreeSet};

use super::errors::{
    CATALOG, DATABASE_EXISTS, DATABASE_NOT_EMPTY, DATABASE_NOT_EXIST, FUNCTION_EXISTS, JavaError,
    Site, TABLE_EXISTS, VALIDATION,
};
use super::sql::{ColumnDef, CreateTable, Name, Query};

/// The catalog every session starts in.
pub const DEFAULT_CATALOG: &str = "default_catalog";
/// The database every catalog starts with.
pub const DEFAULT_DATABASE: &str = "default_database";

/// A full object path: catalog, database, object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path {
    /// The catalog.
    pub catalog: String,
    /// The database.
    pub database: String,
    /// The object.
    pub object: String,
}

impl Path {
    /// `c.d.o`.
    pub fn dotted(&self) -> String {
        format!("{}.{}.{}", self.catalog, self.database, self.object)
    }

    /// `` `c`.`d`.`o` ``.
    pub fn quoted(&self) -> String {
        format!("`{}`.`{}`.`{}`", self.catalog, self.database, self.object)
    }
}

/// A table: its schema and options.
#[derive(Clone, Debug)]
pub struct Table {
    /// The columns (primary key columns NOT NULL).
    pub columns: Vec<ColumnDef>,
    /// The primary key.
    pub primary_key: Vec<String>,
    /// The watermark expression per column.
    pub watermarks: Vec<(String, String)>,
    /// The table comment.
    pub comment: Option<String>,
    /// The partition keys.
    pub partitioned_by: Vec<String>,
    /// The `WITH` options, in order.
    pub options: Vec<(String, String)>,
    /// Whether it is temporary.
    pub temporary: bool,
}

impl Table {
    /// The table of a CREATE TABLE statement.
    pub fn from_statement(create: &CreateTable) -> Table {
        let columns = create
            .columns
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if create.primary_key.contains(&c.name) {
                    c.ty.nullable = false;
                }
                c
            })
            .collect();
        Table {
            columns,
            primary_key: create.primary_key.clone(),
            watermarks: create.watermarks.clone(),
            comment: create.comment.clone(),
            partitioned_by: create.partitioned_by.clone(),
            options: create.options.clone(),
            temporary: create.temporary,
        }
    }

    /// The value of option `key`.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A view: the query it stands for, whose names are resolved where it
/// was created (Flink stores the expanded query), not where it is read.
#[derive(Clone, Debug)]
pub struct View {
    /// The parsed query.
    pub query: Query,
    /// The current catalog and database when it was created.
    pub scope: (String, String),
    /// The query as written.
    pub text: String,
    /// Whether it is temporary.
    pub temporary: bool,
}

/// A table or a view.
#[derive(Clone, Debug)]
pub enum Relation {
    /// A table.
    Table(Table),
    /// A view.
    View(View),
}

impl Relation {
    /// Whether it is a temporary table or view.
    pub fn is_temporary(&self) -> bool {
        match self {
            Relation::Table(table) => table.temporary,
            Relation::View(view) => view.temporary,
        }
    }
}

/// A database: its relations and functions.
#[derive(Clone, Debug, Default)]
pub struct Database {
    /// Tables and views by name.
    pub relations: BTreeMap<String, Relation>,
    /// Function names.
    pub functions: BTreeSet<String>,
}

/// A catalog: its databases.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// Databases by name.
    pub databases: BTreeMap<String, Database>,
}

impl Catalog {
    fn new() -> Catalog {
        Catalog {
            databases: BTreeMap::from([(DEFAULT_DATABASE.to_string(), Database::default())]),
        }
    }
}

/// The `'type'` of the catalogs that live in their session's memory.
pub const IN_MEMORY_TYPE: &str = "generic_in_memory";

/// What identifies a persistent catalog's external store: every `WITH`
/// option of its `CREATE CATALOG` (`'type'` included, the catalog's name
/// not), so `lake` and `lake2` over one warehouse share a store and another
/// warehouse is another store.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoreKey(BTreeMap<String, String>);

/// The stores of persistent catalogs, kept by the gateway for every session
/// and across restarts.
pub type Stores = BTreeMap<StoreKey, Catalog>;

/// What a session registered under a catalog name.
#[derive(Clone, Debug)]
pub enum Registered {
    /// An in-memory catalog, with its objects.
    InMemory(Catalog),
    /// A persistent catalog: its objects are in the [`Stores`] under this key.
    Persistent(StoreKey),
}

/// A session's catalog registrations and its current catalog and database.
#[derive(Clone, Debug)]
pub struct SessionCatalogs {
    /// Catalogs by name.
    pub catalogs: BTreeMap<String, Registered>,
    /// `USE CATALOG`.
    pub current_catalog: String,
    /// `USE db`.
    pub current_database: String,
    /// Temporary system functions.
    pub system_functions: BTreeSet<String>,
    /// Temporary tables and views of persistent catalogs (those of
    /// in-memory catalogs are in the catalog, which is the session's too).
    pub temporaries: BTreeMap<Path, Relation>,
    /// The scopes of the views being planned, innermost last: names in a
    /// view resolve in the catalog and database it was created in.
    pub view_scopes: std::cell::RefCell<Vec<(String, String)>>,
}

impl SessionCatalogs {
    /// `default_catalog` with `default_database`, current.
    pub fn new() -> SessionCatalogs {
        SessionCatalogs {
            catalogs: BTreeMap::from([(
                DEFAULT_CATALOG.to_string(),
                Registered::InMemory(Catalog::new()),
            )]),
            current_catalog: DEFAULT_CATALOG.into(),
            current_database: DEFAULT_DATABASE.into(),
            system_functions: BTreeSet::new(),
            temporaries: BTreeMap::new(),
            view_scopes: Default::default(),
        }
    }

    /// The catalog and database unqualified names resolve in: the
    /// innermost view's being planned, else the current ones.
    pub fn scope(&self) -> (String, String) {
        self.view_scopes
            .borrow()
            .last()
            .cloned()
            .unwrap_or_else(|| (self.current_catalog.clone(), self.current_database.clone()))
    }
}

/// The catalogs one statement sees: its session's registrations, with the
/// persistent ones resolved in the gateway's stores.
#[derive(Debug)]
pub struct Catalogs<'a> {
    /// The session's registrations and current catalog and database.
    pub session: &'a mut SessionCatalogs,
    /// The stores of persistent catalogs.
    pub stores: &'a mut Stores,
}

/// A `ValidationException` thrown by the catalog manager.
pub fn validation(message: impl Into<String>) -> JavaError {
    JavaError::new(VALIDATION, message, Site::Catalog)
}

fn catalog_missing(catalog: &str) -> JavaError {
    JavaError::new(
        CATALOG,
        format!("A catalog with name [{catalog}] does not exist."),
        Site::Catalog,
    )
}

fn database_missing(path: &Path) -> JavaError {
    JavaError::new(
        DATABASE_NOT_EXIST,
        format!(
            "Database {} does not exist in Catalog {}.",
            path.database, path.catalog
        ),
        Site::Catalog,
    )
}

impl Catalogs<'_> {
    /// The catalog registered as `name`: the session's own, or the store of
    /// a persistent one.
    pub fn catalog(&self, name: &str) -> Option<&Catalog> {
        match self.session.catalogs.get(name)? {
            Registered::InMemory(catalog) => Some(catalog),
            Registered::Persistent(key) => self.stores.get(key),
        }
    }

    fn catalog_mut(&mut self, name: &str) -> Option<&mut Catalog> {
        match self.session.catalogs.get_mut(name)? {
            Registered::InMemory(catalog) => Some(catalog),
            Registered::Persistent(key) => self.stores.get_mut(key),
        }
    }

    /// The full path of an object name of 1 to 3 parts.
    pub fn qualify(&self, name: &Name) -> Result<Path, JavaError> {
        let parts: Vec<&str> = name.parts.iter().map(|p| p.name.as_str()).collect();
        let (current_catalog, current_database) = self.session.scope();
        let (catalog, database, object) = match parts.as_slice() {
            [o] => (current_catalog.as_str(), current_database.as_str(), *o),
            [d, o] => (current_catalog.as_str(), *d, *o),
            [c, d, o] => (*c, *d, *o),
            _ => {
                return Err(validation(format!(
                    "Object identifier can only consist of 1, 2 or 3 parts, but found {}: {}",
                    parts.len(),
                    name.text()
                )));
            }
        };
        Ok(Path {
            catalog: catalog.into(),
            database: database.into(),
            object: object.into(),
        })
    }

    /// The catalog and database of a database name of 1 or 2 parts.
    pub fn qualify_database(&self, name: &Name) -> Result<(String, String), JavaError> {
        match name.parts.as_slice() {
            [d] => Ok((self.session.current_catalog.clone(), d.name.clone())),
            [c, d] => Ok((c.name.clone(), d.name.clone())),
            _ => Err(validation(format!(
                "Invalid database name '{}'.",
                name.text()
            ))),
        }
    }

    /// The database holding `path`, or why it does not exist.
    pub fn database(&self, path: &Path) -> Result<&Database, JavaError> {
        let catalog = self
            .catalog(&path.catalog)
            .ok_or_else(|| catalog_missing(&path.catalog))?;
        catalog
            .databases
            .get(&path.database)
            .ok_or_else(|| database_missing(path))
    }

    fn database_mut(&mut self, path: &Path) -> Result<&mut Database, JavaError> {
        let catalog = self
            .catalog_mut(&path.catalog)
            .ok_or_else(|| catalog_missing(&path.catalog))?;
        catalog
            .databases
            .get_mut(&path.database)
            .ok_or_else(|| database_missing(path))
    }

    /// The table or view at `path`.
    pub fn relation(&self, path: &Path) -> Option<&Relation> {
        if let Some(relation) = self.session.temporaries.get(path) {
            return Some(relation);
        }
        self.database(path).ok()?.relations.get(&path.object)
    }

    /// Whether a relation goes to the session's temporaries rather than to
    /// its catalog: a temporary one in a persistent catalog.
    fn held_by_session(&self, path: &Path, relation: &Relation) -> bool {
        relation.is_temporary()
            && matches!(
                self.session.catalogs.get(&path.catalog),
                Some(Registered::Persistent(_))
            )
    }

    /// Puts `relation` at `path`, in the session's temporaries or in its
    /// database.
    fn put(&mut self, path: &Path, relation: Relation) -> Result<(), JavaError> {
        if self.held_by_session(path, &relation) {
            self.session.temporaries.insert(path.clone(), relation);
        } else {
            self.database_mut(path)?
                .relations
                .insert(path.object.clone(), relation);
        }
        Ok(())
    }

    /// The names of the relations of the current (or given) database, tables
    /// and views or views only.
    pub fn relation_names(
        &self,
        catalog: &str,
        database: &str,
        views_only: bool,
    ) -> Result<Vec<String>, JavaError> {
        let path = Path {
            catalog: catalog.into(),
            database: database.into(),
            object: String::new(),
        };
        let db = self.database(&path)?;
        let temporaries = self
            .session
            .temporaries
            .iter()
            .filter(|(p, _)| p.catalog == catalog && p.database == database)
            .map(|(p, r)| (&p.object, r));
        let names: BTreeSet<String> = db
            .relations
            .iter()
            .chain(temporaries)
            .filter(|(_, r)| !views_only || matches!(r, Relation::View(_)))
            .map(|(n, _)| n.clone())
            .collect();
        Ok(names.into_iter().collect())
    }

    /// Adds a table or view (CREATE TABLE / CREATE VIEW).
    pub fn create_relation(
        &mut self,
        path: &Path,
        relation: Relation,
        if_not_exists: bool,
        what: &str,
    ) -> Result<(), JavaError> {
        let wrap = |e: JavaError| {
            e.wrap(
                VALIDATION,
                format!("Could not execute {what} in path {}", path.quoted()),
                Site::Catalog,
            )
        };
        self.database(path).map_err(wrap)?;
        if self.relation(path).is_some() {
            if if_not_exists {
                return Ok(());
            }
            return Err(wrap(JavaError::new(
                TABLE_EXISTS,
                format!(
                    "Table (or view) {}.{} already exists in Catalog {}.",
                    path.database, path.object, path.catalog
                ),
                Site::Catalog,
            )));
        }
        self.put(path, relation)
    }

    /// Removes a table (`view == false`) or a view.
    pub fn drop_relation(
        &mut self,
        path: &Path,
        view: bool,
        if_exists: bool,
    ) -> Result<(), JavaError> {
        let kind = if view { "View" } else { "Table" };
        let missing = || {
            validation(format!(
                "{kind} with identifier '{}' does not exist.",
                path.dotted()
            ))
        };
        if self.database(path).is_err() {
            return if if_exists { Ok(()) } else { Err(missing()) };
        }
        match self.relation(path) {
            Some(Relation::View(_)) if view => {}
            Some(Relation::Table(_)) if !view => {}
            Some(Relation::Table(_)) => {
                return Err(validation(format!(
                    "View with identifier '{}' does not exist.",
                    path.dotted()
                )));
            }
            Some(Relation::View(_)) => {
                return Err(validation(format!(
                    "Table with identifier '{}' does not exist.",
                    path.dotted()
                )));
            }
            None if if_exists => return Ok(()),
            None => return Err(missing()),
        }
        if self.session.temporaries.remove(path).is_none() {
            self.database_mut(path)?.relations.remove(&path.object);
        }
        Ok(())
    }

    /// ALTER TABLE/VIEW: the relation to change, or why it does not exist.
    pub fn relation_mut(&mut self, path: &Path, view: bool) -> Result<&mut Relation, JavaError> {
        let missing = || {
            if view {
                validation(format!(
                    "View with identifier '{}' does not exist.",
                    path.dotted()
                ))
            } else {
                validation(format!(
                    "Table {} doesn't exist or is a temporary table.",
                    path.quoted()
                ))
            }
        };
        let relation = if self.session.temporaries.contains_key(path) {
            self.session.temporaries.get_mut(path)
        } else {
            let db = self.database_mut(path).map_err(|_| missing())?;
            db.relations.get_mut(&path.object)
        };
        match relation {
            Some(r) if matches!(r, Relation::View(_)) == view => Ok(r),
            _ => Err(missing()),
        }
    }

    /// ALTER TABLE ... RENAME TO.
    pub fn rename(&mut self, from: &Path, to: &Path) -> Result<(), JavaError> {
        if self.relation(to).is_some() {
            return Err(JavaError::new(
                TABLE_EXISTS,
                format!(
                    "Table (or view) {}.{} already exists in Catalog {}.",
                    to.database, to.object, to.catalog
                ),
                Site::Catalog,
            )
            .wrap(
                VALIDATION,
                format!(
                    "Could not execute ALTER TABLE {} RENAME TO {}",
                    from.quoted(),
                    to.quoted()
                ),
                Site::Catalog,
            ));
        }
        let relation = match self.session.temporaries.remove(from) {
            Some(relation) => relation,
            None => self
                .database_mut(from)?
                .relations
                .remove(&from.object)
                .expect("checked by the caller"),
        };
        self.put(to, relation)
    }

    /// CREATE DATABASE.
    pub fn create_database(
        &mut self,
        catalog: &str,
        database: &str,
        if_not_exists: bool,
    ) -> Result<(), JavaError> {
        let wrap = |e: JavaError| {
            e.wrap(
                VALIDATION,
                format!("Could not execute CREATE DATABASE {catalog}.{database}"),
                Site::Catalog,
            )
        };
        let cat = self
            .catalog_mut(catalog)
            .ok_or_else(|| wrap(catalog_missing(catalog)))?;
        if cat.databases.contains_key(database) {
            if if_not_exists {
                return Ok(());
            }
            return Err(wrap(JavaError::new(
                DATABASE_EXISTS,
                format!("Database {database} already exists in Catalog {catalog}."),
                Site::Catalog,
            )));
        }
        cat.databases.insert(database.into(), Database::default());
        Ok(())
    }

    /// DROP DATABASE.
    pub fn drop_database(
        &mut self,
        catalog: &str,
        database: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<(), JavaError> {
        if catalog == self.session.current_catalog && database == self.session.current_database {
            return Err(validation(
                "Cannot drop a database which is currently in use.",
            ));
        }
        let mode = if cascade { "CASCADE" } else { "RESTRICT" };
        let wrap = |e: JavaError| {
            e.wrap(
                VALIDATION,
                format!("Could not execute DROP DATABASE {catalog}.{database} {mode}"),
                Site::Catalog,
            )
        };
        let cat = self
            .catalog_mut(catalog)
            .ok_or_else(|| wrap(catalog_missing(catalog)))?;
        let Some(db) = cat.databases.get(database) else {
            if if_exists {
                return Ok(());
            }
            let path = Path {
                catalog: catalog.into(),
                database: database.into(),
                object: String::new(),
            };
            return Err(wrap(database_missing(&path)));
        };
        if !cascade && (!db.relations.is_empty() || !db.functions.is_empty()) {
            return Err(wrap(JavaError::new(
                DATABASE_NOT_EMPTY,
                format!("Database {database} in catalog {catalog} is not empty."),
                Site::Catalog,
            )));
        }
        cat.databases.remove(database);
        Ok(())
    }

    /// USE [catalog.]database.
    pub fn use_database(&mut self, catalog: &str, database: &str) -> Result<(), JavaError> {
        let cat = self
            .catalog(catalog)
            .ok_or_else(|| catalog_missing(catalog))?;
        if !cat.databases.contains_key(database) {
            return Err(JavaError::new(
                CATALOG,
                format!(
                    "A database with name [{database}] does not exist in the catalog: [{catalog}]."
                ),
                Site::Catalog,
            ));
        }
        self.session.current_catalog = catalog.into();
        self.session.current_database = database.into();
        Ok(())
    }

    /// USE CATALOG (its default database becomes current).
    pub fn use_catalog(&mut self, catalog: &str) -> Result<(), JavaError> {
        let cat = self
            .catalog(catalog)
            .ok_or_else(|| catalog_missing(catalog))?;
        let database = if cat.databases.contains_key(DEFAULT_DATABASE) {
            DEFAULT_DATABASE.to_string()
        } else {
            cat.databases.keys().next().cloned().unwrap_or_default()
        };
        self.session.current_catalog = catalog.into();
        self.session.current_database = database;
        Ok(())
    }

    /// CREATE CATALOG with its `WITH` options: in memory for
    /// [`IN_MEMORY_TYPE`], otherwise over the store its options name (made,
    /// with the default database, if no session made it before).
    pub fn create_catalog(
        &mut self,
        catalog: &str,
        options: &[(String, String)],
        if_not_exists: bool,
    ) -> Result<(), JavaError> {
        if self.session.catalogs.contains_key(catalog) {
            if if_not_exists {
                return Ok(());
            }
            return Err(JavaError::new(
                CATALOG,
                format!("A catalog with name [{catalog}] already exists."),
                Site::Catalog,
            )
            .wrap(
                VALIDATION,
                could_not_create_catalog(catalog, options, if_not_exists),
                Site::Catalog,
            ));
        }
        let in_memory = options
            .iter()
            .any(|(k, v)| k == "type" && v == IN_MEMORY_TYPE);
        let registered = if in_memory {
            Registered::InMemory(Catalog::new())
        } else {
            let key = StoreKey(options.iter().cloned().collect());
            self.stores.entry(key.clone()).or_insert_with(Catalog::new);
            Registered::Persistent(key)
        };
        self.session.catalogs.insert(catalog.into(), registered);
        Ok(())
    }

    /// DROP CATALOG: unregisters it from the session; a persistent
    /// catalog's store keeps its objects.
    pub fn drop_catalog(&mut self, catalog: &str, if_exists: bool) -> Result<(), JavaError> {
        if catalog == self.session.current_catalog {
            return Err(validation(
                "Cannot drop a catalog which is currently in use.",
            ));
        }
        if self.session.catalogs.remove(catalog).is_none() && !if_exists {
            return Err(validation(format!("Catalog {catalog} does not exist.")));
        }
        self.session
            .temporaries
            .retain(|path, _| path.catalog != catalog);
        Ok(())
    }

    /// CREATE FUNCTION (temporary system functions have a one-part name).
    pub fn create_function(
        &mut self,
        path: &Path,
        system: bool,
        if_not_exists: bool,
    ) -> Result<(), JavaError> {
        let exists = JavaError::new(
            FUNCTION_EXISTS,
            format!(
                "Function {}.{} already exists in Catalog {}.",
                path.database, path.object, path.catalog
            ),
            Site::Catalog,
        )
        .wrap(
            VALIDATION,
            format!("Could not execute CREATE FUNCTION {}", path.dotted()),
            Site::Catalog,
        );
        let set = if system {
            &mut self.session.system_functions
        } else {
            &mut self.database_mut(path)?.functions
        };
        if !set.insert(path.object.clone()) && !if_not_exists {
            return Err(exists);
        }
        Ok(())
    }

    /// DROP FUNCTION.
    pub fn drop_function(&mut self, path: &Path, if_exists: bool) -> Result<(), JavaError> {
        let removed = self.session.system_functions.remove(&path.object)
            || self
                .database_mut(path)
                .map(|db| db.functions.remove(&path.object))
                .unwrap_or(false);
        if !removed && !if_exists {
            return Err(validation(format!(
                "Function with identifier '{}' does not exist.",
                path.dotted()
            )));
        }
        Ok(())
    }
}

/// The message Flink 2.x wraps a failed CREATE CATALOG in:
/// `Could not execute ` + `CreateCatalogOperation.asSummaryString()`, which
/// (through `OperationUtils.formatWithChildren`) prints every option,
/// secrets included — what scaleph must keep from its clients and logs.
pub fn could_not_create_catalog(
    catalog: &str,
    options: &[(String, String)],
    if_not_exists: bool,
) -> String {
    let properties: Vec<String> = options.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "Could not execute CREATE CATALOG: (catalogName: [{catalog}], properties: [{{{}}}], ignoreIfExists: [{if_not_exists}])",
        properties.join(", ")
    )
}
