//! Catalogs, schemas and tables kept in name order. datafusion-pg-catalog
//! numbers objects (their oids) in the order the catalogs list them, and
//! DataFusion's in-memory providers list in hash order, which differs
//! from one session to the next: a client that reads an oid on one
//! connection and uses it on another (DBeaver's metadata connection, BI
//! tools' pools) would find nothing. Listed in name order, and numbered
//! by one pg_class scan right after set-up, the same objects get the same
//! oids in every session.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, CatalogProviderList, SchemaProvider, TableProvider};
use datafusion::error::Result as DfResult;

/// Named entries behind a lock, listed in name order.
#[derive(Debug)]
struct Entries<T: ?Sized>(RwLock<BTreeMap<String, Arc<T>>>);

impl<T: ?Sized> Default for Entries<T> {
    fn default() -> Self {
        Entries(RwLock::new(BTreeMap::new()))
    }
}

impl<T: ?Sized> Entries<T> {
    fn names(&self) -> Vec<String> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    fn get(&self, name: &str) -> Option<Arc<T>> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    fn insert(&self, name: String, entry: Arc<T>) -> Option<Arc<T>> {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, entry)
    }

    fn remove(&self, name: &str) -> Option<Arc<T>> {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
    }
}

/// The session's catalogs (pg databases), in name order.
#[derive(Debug, Default)]
pub struct OrderedCatalogList(Entries<dyn CatalogProvider>);

impl OrderedCatalogList {
    /// Removes the catalog `name`, if there is one.
    pub fn deregister_catalog(&self, name: &str) -> Option<Arc<dyn CatalogProvider>> {
        self.0.remove(name)
    }
}

impl CatalogProviderList for OrderedCatalogList {
    fn register_catalog(
        &self,
        name: String,
        catalog: Arc<dyn CatalogProvider>,
    ) -> Option<Arc<dyn CatalogProvider>> {
        self.0.insert(name, catalog)
    }

    fn catalog_names(&self) -> Vec<String> {
        self.0.names()
    }

    fn catalog(&self, name: &str) -> Option<Arc<dyn CatalogProvider>> {
        self.0.get(name)
    }
}

/// A catalog's schemas, in name order.
#[derive(Debug, Default)]
pub struct OrderedCatalog(Entries<dyn SchemaProvider>);

impl CatalogProvider for OrderedCatalog {
    fn schema_names(&self) -> Vec<String> {
        self.0.names()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        self.0.get(name)
    }

    fn register_schema(
        &self,
        name: &str,
        schema: Arc<dyn SchemaProvider>,
    ) -> DfResult<Option<Arc<dyn SchemaProvider>>> {
        Ok(self.0.insert(name.to_string(), schema))
    }

    fn deregister_schema(
        &self,
        name: &str,
        _cascade: bool,
    ) -> DfResult<Option<Arc<dyn SchemaProvider>>> {
        Ok(self.0.remove(name))
    }
}

/// A schema's tables, in name order.
#[derive(Debug, Default)]
pub struct OrderedSchema(Entries<dyn TableProvider>);

#[async_trait]
impl SchemaProvider for OrderedSchema {
    fn table_names(&self) -> Vec<String> {
        self.0.names()
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.0.get(name))
    }

    fn register_table(
        &self,
        name: String,
        table: Arc<dyn TableProvider>,
    ) -> DfResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.0.insert(name, table))
    }

    fn deregister_table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.0.remove(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.0.get(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_in_order_whatever_the_registration_order() {
        let catalog = OrderedCatalog::default();
        for name in ["zeta", "alpha", "mid"] {
            catalog
                .register_schema(name, Arc::new(OrderedSchema::default()))
                .unwrap();
        }
        assert_eq!(catalog.schema_names(), ["alpha", "mid", "zeta"]);
        assert!(catalog.deregister_schema("mid", true).unwrap().is_some());
        assert_eq!(catalog.schema_names(), ["alpha", "zeta"]);
        assert!(catalog.schema("mid").is_none());
    }
}
