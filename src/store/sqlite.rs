//! The embedded store.

/// The embedded SQLite store.
pub struct SqliteStore {}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the store in `data_dir`.
    pub async fn open(data_dir: &std::path::Path) -> Result<SqliteStore, super::StoreError> {
        let _ = data_dir;
        todo!("store helper")
    }
}

#[async_trait::async_trait]
impl super::Store for SqliteStore {
    async fn create_datasource(
        &self,
        datasource: super::Datasource,
    ) -> Result<(), super::StoreError> {
        let _ = datasource;
        todo!()
    }
    async fn get_datasource(
        &self,
        name: &str,
    ) -> Result<Option<super::Datasource>, super::StoreError> {
        let _ = name;
        todo!()
    }
    async fn list_datasources(&self) -> Result<Vec<super::Datasource>, super::StoreError> {
        todo!()
    }
    async fn drop_datasource(&self, name: &str) -> Result<bool, super::StoreError> {
        let _ = name;
        todo!()
    }
}
