//! The `connectors` table: jars registered with `CREATE CONNECTOR`. Lists
//! are kept as JSON arrays (one row per connector, read whole).

use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite::{from_micros, micros};
use super::{Connector, StoreError};

fn json(list: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(list).map_err(|e| StoreError::Migration {
        message: "connector lists could not be written".into(),
        source: Box::new(e),
    })
}

fn list_of(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Migration {
        message: "a stored connector list could not be read".into(),
        source: Box::new(e),
    })
}

/// Inserts `connector`; [`StoreError::Duplicate`] when its name is taken.
pub(super) fn create(connection: &mut Connection, connector: &Connector) -> Result<(), StoreError> {
    let inserted = connection.execute(
        "INSERT INTO connectors (name, location, sha256, size, factories, provides, comment, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (name) DO NOTHING",
        params![
            connector.name,
            connector.location,
            connector.sha256,
            connector.size.map(|s| s as i64),
            json(&connector.factories)?,
            json(&connector.provides)?,
            connector.comment,
            micros(connector.created_at)
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            kind: "connector",
            name: connector.name.clone(),
        });
    }
    Ok(())
}

const COLUMNS: &str = "name, location, sha256, size, factories, provides, comment, created_at";

fn row(row: &rusqlite::Row) -> rusqlite::Result<(Connector, String, String)> {
    Ok((
        Connector {
            name: row.get(0)?,
            location: row.get(1)?,
            sha256: row.get(2)?,
            size: row.get::<_, Option<i64>>(3)?.map(|s| s as u64),
            factories: Vec::new(),
            provides: Vec::new(),
            comment: row.get(6)?,
            created_at: from_micros(row.get(7)?),
        },
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode(
    (mut connector, factories, provides): (Connector, String, String),
) -> Result<Connector, StoreError> {
    connector.factories = list_of(&factories)?;
    connector.provides = list_of(&provides)?;
    Ok(connector)
}

/// The connector called `name`.
pub(super) fn get(
    connection: &mut Connection,
    name: &str,
) -> Result<Option<Connector>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM connectors WHERE name = ?1"),
            [name],
            row,
        )
        .optional()?
        .map(decode)
        .transpose()
}

/// Every connector, by name.
pub(super) fn list(connection: &mut Connection) -> Result<Vec<Connector>, StoreError> {
    let mut statement =
        connection.prepare(&format!("SELECT {COLUMNS} FROM connectors ORDER BY name"))?;
    let rows = statement.query_map([], row)?;
    rows.map(|r| decode(r?)).collect()
}
