//! The statements every object kind has (SHOW, DESCRIBE, SHOW CREATE,
//! COMMENT ON, DROP, ALTER) and the lifecycle commands.

use super::cursor::Cursor;
use crate::error::{Result, SqlState};
use crate::sql::ast::*;

/// `SHOW <KIND>S [LIKE 'p']`, the cursor after the plural keyword.
pub(super) fn show(c: &mut Cursor, kind: ObjectKind) -> Result<Statement> {
    let like = c.like()?;
    c.expect_end()?;
    Ok(Statement::from(ShowObjects { kind, like }))
}

/// `DESCRIBE <KIND> name` / `SHOW CREATE <KIND> name`, the cursor at the kind.
pub(super) fn describe(c: &mut Cursor, show_create: bool) -> Result<Statement> {
    let verb = if show_create {
        "SHOW CREATE"
    } else {
        "DESCRIBE"
    };
    let kind = c.kind(&ObjectKind::ALL, verb)?;
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    c.expect_end()?;
    Ok(Statement::from(DescribeObject {
        kind,
        name,
        show_create,
    }))
}

/// `COMMENT ON <KIND> name IS 'text' | NULL`, the cursor after `COMMENT`.
pub(super) fn comment(c: &mut Cursor) -> Result<Statement> {
    c.expect_word("ON", "after COMMENT")?;
    let kind = c.kind(&ObjectKind::ALL, "COMMENT ON")?;
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    c.expect_word("IS", "after the name")?;
    let comment = if c.eat_word("NULL") {
        None
    } else {
        Some(c.string("a 'comment' or NULL")?.0)
    };
    c.expect_end()?;
    Ok(Statement::from(CommentOn {
        kind,
        name,
        comment,
    }))
}

/// `DROP <KIND> [IF EXISTS] name [CASCADE]`, the cursor after the kind.
pub(super) fn drop(c: &mut Cursor, kind: ObjectKind) -> Result<Statement> {
    let if_exists = c.eat_words(&["IF", "EXISTS"]);
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    let cascade = c.eat_word("CASCADE");
    c.expect_end()?;
    Ok(Statement::from(DropObject {
        kind,
        if_exists,
        name,
        cascade,
    }))
}

/// `ALTER <KIND> name SET (...) | RESET (key, ...) | SET FILES (...) |
/// RESET FILES (key, ...) | RENAME TO new`, the cursor after the kind.
/// FILES only for the kinds whose files change after CREATE
/// ([`AlterAction::FILES_KINDS`]).
pub(super) fn alter(c: &mut Cursor, kind: ObjectKind) -> Result<Statement> {
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    let verb = c.keyword_among(&["SET", "RESET", "RENAME"], "after the name")?;
    let files_token = c
        .peek()
        .filter(|t| verb < 2 && t.is_word(c.script, "FILES"));
    if let Some(token) = files_token {
        if !AlterAction::FILES_KINDS.contains(&kind) {
            return Err(c
                .error_at(
                    token,
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!(
                        "ALTER {kind} takes no FILES: a {}'s files are given at CREATE",
                        kind.noun()
                    ),
                )
                .with_hint(format!(
                    "DROP {kind} and CREATE {kind} ... FILES (...) again"
                )));
        }
        c.pos += 1;
    }
    let files = files_token.is_some();
    let action = match (verb, files) {
        (0, false) => AlterAction::Set(c.options()?),
        (0, true) => AlterAction::SetFiles(c.option_list(true)?),
        (1, false) => AlterAction::Reset(c.key_list()?),
        (1, true) => AlterAction::ResetFiles(c.key_list()?),
        _ => {
            c.expect_word("TO", "after RENAME")?;
            AlterAction::RenameTo(c.ident(&format!("a new {} name", kind.noun()))?)
        }
    };
    c.expect_end()?;
    Ok(Statement::from(AlterObject { kind, name, action }))
}

/// `<COMMAND> <KIND> name ...`, the cursor after the command's keyword.
pub(super) fn command(c: &mut Cursor, command: Lifecycle) -> Result<Statement> {
    let kind = c.kind(command.kinds(), command.keyword())?;
    let name = c.ident(&format!("a {} name", kind.noun()))?;
    let command = match command {
        Lifecycle::Stop { .. } => Lifecycle::Stop {
            savepoint: c.eat_words(&["WITH", "SAVEPOINT"]),
            drain: kind == ObjectKind::Job && c.eat_word("DRAIN"),
        },
        other => other,
    };
    c.expect_end()?;
    Ok(Statement::from(ObjectCommand {
        command,
        kind,
        name,
    }))
}
