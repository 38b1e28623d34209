//! Our [`Error`] as pgwire's `ErrorInfo`, converted once: SQLSTATE,
//! message, detail, hint and the position as a 1-based character index
//! into the query text the client sent.

use pgwire::error::{ErrorInfo, PgWireError};

use crate::error::Error;
use crate::result::Notice;

/// The ErrorResponse fields for `err`, raised by a statement of `query`.
pub fn error_info(err: &Error, query: &str) -> ErrorInfo {
    let mut info = ErrorInfo::new(
        "ERROR".to_string(),
        err.sqlstate.code().to_string(),
        err.message.clone(),
    );
    info.detail = err.detail.as_deref().map(str::to_string);
    info.hint = err.hint.as_deref().map(str::to_string);
    info.position = err.position.map(|p| p.char_index(query).to_string());
    info
}

/// `err` as a pgwire error (for the extended protocol, where pgwire sends it
/// and skips to the next Sync).
pub fn user_error(err: &Error, query: &str) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(err, query)))
}

/// A NoticeResponse's fields.
pub fn notice_info(notice: &Notice) -> ErrorInfo {
    ErrorInfo::new(
        notice.severity.to_string(),
        notice.sqlstate.code().to_string(),
        notice.message.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Position, SqlState};

    #[test]
    fn error_info_carries_code_hint_and_character_position() {
        let query = "SELECT 'é';\nSELEC 1";
        let err = Error::syntax("bad", Position::at(query, query.find("SELEC 1").unwrap()))
            .with_hint("fix it");
        let info = error_info(&err, query);
        assert_eq!(info.code, "42601");
        assert_eq!(info.hint.as_deref(), Some("fix it"));
        assert_eq!(info.position.as_deref(), Some("13"));
        let plain = error_info(&Error::new(SqlState::UNDEFINED_OBJECT, "x"), query);
        assert!(plain.position.is_none());
    }
}
