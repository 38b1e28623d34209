//! Functions PostgreSQL clients call that DataFusion lacks or answers
//! differently: `version()`, `current_schema()`, `current_database()`,
//! `current_user`, `session_user`, `pg_backend_pid()`.

use std::sync::Arc;

use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;

use crate::session::{EMULATED_SERVER_VERSION, SessionInfo};

/// What `version()` answers: the PostgreSQL version clients should assume,
/// and that this is scaleph.
pub fn version_string() -> String {
    format!(
        "PostgreSQL {EMULATED_SERVER_VERSION} (scaleph {}) on {}-{}, a SQL-first gateway for Apache Flink",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// A niladic function returning a constant.
fn constant(name: &str, value: ScalarValue) -> ScalarUDF {
    let data_type = value.data_type();
    create_udf(
        name,
        vec![],
        data_type,
        Volatility::Stable,
        Arc::new(move |_: &[ColumnarValue]| Ok(ColumnarValue::Scalar(value.clone()))),
    )
}

/// Registers the session functions on `context`.
pub fn register(context: &SessionContext, info: &SessionInfo) {
    let text = |s: &str| ScalarValue::Utf8(Some(s.to_string()));
    context.register_udf(constant("version", text(&version_string())));
    context.register_udf(constant("current_schema", text("public")));
    context.register_udf(constant("current_database", text(&info.database)));
    context.register_udf(constant("current_catalog", text(&info.database)));
    for name in ["current_user", "session_user", "user", "current_role"] {
        context.register_udf(constant(name, text(&info.user)));
    }
    context.register_udf(constant(
        "pg_backend_pid",
        ScalarValue::Int32(Some(info.id as i32)),
    ));
}
