//! `SET`, `SHOW` and `RESET` in both their PostgreSQL forms (`SET name TO
//! value`, `SET TIME ZONE`, `SET SESSION CHARACTERISTICS ...`) and Flink's
//! (`SET 'key' = 'value'`, `SET;`, `RESET 'key'`).

use super::ast::{ResetVariable, SetValue, SetVariable, ShowVariable, Statement};
use super::lexer::{Token, TokenKind};
use crate::error::{Error, Position, Result};

fn syntax(script: &str, at: usize, message: impl Into<String>) -> Error {
    Error::syntax(message, Position::at(script, at))
}

/// A variable name from `tokens`: `'quoted'`, or words joined by `.`/`-`
/// without spaces (`execution.runtime-mode`). Returns the name and how many
/// tokens it used.
fn variable_name(script: &str, tokens: &[Token]) -> Option<(String, usize)> {
    let first = tokens.first()?;
    match first.kind {
        TokenKind::String | TokenKind::QuotedIdent => Some((first.value(script), 1)),
        TokenKind::Word => {
            let mut end = first.end;
            let mut used = 1;
            while let Some(t) = tokens.get(used) {
                let part = matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::Number | TokenKind::Punct('.' | '-')
                );
                if t.start != end || !part {
                    break;
                }
                end = t.end;
                used += 1;
            }
            Some((script[first.start..end].to_string(), used))
        }
        _ => None,
    }
}

/// Words of `tokens` upper-cased and joined by single spaces (`READ COMMITTED`).
fn words(script: &str, tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text(script))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value side: `DEFAULT`, or a comma list of strings, numbers and
/// words, joined with `, ` (`SET search_path = a, 'b'` -> `a, b`).
fn set_value(script: &str, tokens: &[Token], end: usize) -> Result<SetValue> {
    if tokens.is_empty() {
        return Err(syntax(
            script,
            end,
            "expected a value, found end of statement",
        ));
    }
    if tokens.len() == 1 && tokens[0].is_word(script, "DEFAULT") {
        return Ok(SetValue::Default);
    }
    let mut items = Vec::new();
    for item in tokens.split(|t| t.kind == TokenKind::Punct(',')) {
        match item {
            [] => return Err(syntax(script, end, "expected a value after \",\"")),
            [single] if single.kind == TokenKind::String => items.push(single.value(script)),
            [first, ..] => {
                let last = item[item.len() - 1];
                items.push(script[first.start..last.end].to_string());
            }
        }
    }
    Ok(SetValue::Value(items.join(", ")))
}

/// `SET ...`.
pub fn parse_set(script: &str, tokens: &[Token], end: usize) -> Result<Statement> {
    let mut rest = &tokens[1..];
    let upper: Vec<String> = rest
        .iter()
        .take(4)
        .map(|t| t.text(script).to_ascii_uppercase())
        .collect();
    let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
    let set = |name: &str, value: SetValue| {
        Ok(Statement::from(SetVariable {
            name: name.to_string(),
            value,
        }))
    };
    match upper.as_slice() {
        [] => return Ok(Statement::from(ShowVariable { name: None })),
        ["SESSION", "CHARACTERISTICS", "AS", "TRANSACTION", ..] => {
            return transaction_mode(script, &rest[4..], end);
        }
        ["TRANSACTION", ..] => return transaction_mode(script, &rest[1..], end),
        ["SESSION" | "LOCAL", ..] => rest = &rest[1..],
        _ => {}
    }
    if rest.len() >= 2 && rest[0].is_word(script, "TIME") && rest[1].is_word(script, "ZONE") {
        let value = match &rest[2..] {
            [t] if t.is_word(script, "LOCAL") => SetValue::Default,
            other => set_value(script, other, end)?,
        };
        return set("TimeZone", value);
    }
    if rest.first().is_some_and(|t| t.is_word(script, "NAMES")) {
        return set("client_encoding", set_value(script, &rest[1..], end)?);
    }
    let Some((name, used)) = variable_name(script, rest) else {
        let at = rest.first().map_or(end, |t| t.start);
        return Err(syntax(script, at, "expected a variable name after SET"));
    };
    let rest = &rest[used..];
    let value_tokens = match rest.first() {
        Some(t) if t.kind == TokenKind::Punct('=') || t.is_word(script, "TO") => &rest[1..],
        Some(t) => {
            return Err(syntax(
                script,
                t.start,
                format!(
                    "expected = or TO after \"{name}\", found \"{}\"",
                    t.text(script)
                ),
            ));
        }
        None => {
            return Err(syntax(
                script,
                end,
                format!("expected = or TO after \"{name}\", found end of statement"),
            ));
        }
    };
    set(&name, set_value(script, value_tokens, end)?)
}

/// `SET [SESSION CHARACTERISTICS AS] TRANSACTION ISOLATION LEVEL x | READ ONLY | READ WRITE`.
fn transaction_mode(script: &str, tokens: &[Token], end: usize) -> Result<Statement> {
    let text = words(script, tokens).to_ascii_uppercase();
    let (name, value) = if let Some(level) = text.strip_prefix("ISOLATION LEVEL ") {
        (
            "transaction_isolation",
            level
                .split(',')
                .next()
                .unwrap_or(level)
                .trim()
                .to_ascii_lowercase(),
        )
    } else if text.starts_with("READ ONLY") {
        ("transaction_read_only", "on".to_string())
    } else if text.starts_with("READ WRITE") {
        ("transaction_read_only", "off".to_string())
    } else {
        let at = tokens.first().map_or(end, |t| t.start);
        return Err(syntax(
            script,
            at,
            "expected ISOLATION LEVEL, READ ONLY or READ WRITE",
        ));
    };
    Ok(Statement::from(SetVariable {
        name: name.to_string(),
        value: SetValue::Value(value),
    }))
}

/// `SHOW name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL`.
pub fn parse_show(script: &str, tokens: &[Token], end: usize) -> Result<Statement> {
    let rest = &tokens[1..];
    let text = words(script, rest).to_ascii_uppercase();
    let name = match text.as_str() {
        "ALL" => None,
        "TIME ZONE" => Some("TimeZone".to_string()),
        "TRANSACTION ISOLATION LEVEL" => Some("transaction_isolation".to_string()),
        _ => match variable_name(script, rest) {
            Some((name, used)) if used == rest.len() => Some(name),
            Some((_, used)) => {
                return Err(syntax(
                    script,
                    rest[used].start,
                    "expected end of statement after the variable name",
                ));
            }
            None => {
                return Err(syntax(
                    script,
                    rest.first().map_or(end, |t| t.start),
                    "expected a variable name after SHOW",
                ));
            }
        },
    };
    Ok(Statement::from(ShowVariable { name }))
}

/// `RESET name | 'key' | ALL`, or bare `RESET` (all).
pub fn parse_reset(script: &str, tokens: &[Token], end: usize) -> Result<Statement> {
    let rest = &tokens[1..];
    if rest.is_empty() || (rest.len() == 1 && rest[0].is_word(script, "ALL")) {
        return Ok(Statement::from(ResetVariable { name: None }));
    }
    match variable_name(script, rest) {
        Some((name, used)) if used == rest.len() => {
            Ok(Statement::from(ResetVariable { name: Some(name) }))
        }
        Some((_, used)) => Err(syntax(
            script,
            rest[used].start,
            "expected end of statement after the variable name",
        )),
        None => Err(syntax(
            script,
            rest.first().map_or(end, |t| t.start),
            "expected a variable name after RESET",
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::ast::*;
    use crate::sql::parse_script;

    fn one(sql: &str) -> Statement {
        parse_script(sql).unwrap().remove(0).statement
    }

    fn set(name: &str, value: &str) -> Statement {
        Statement::from(SetVariable {
            name: name.into(),
            value: SetValue::Value(value.into()),
        })
    }

    #[test]
    fn set_accepts_postgresql_and_flink_forms() {
        assert_eq!(
            one("SET extra_float_digits = 3"),
            set("extra_float_digits", "3")
        );
        assert_eq!(
            one("SET application_name TO 'PostgreSQL JDBC Driver'"),
            set("application_name", "PostgreSQL JDBC Driver")
        );
        assert_eq!(
            one("SET 'execution.runtime-mode' = 'batch'"),
            set("execution.runtime-mode", "batch")
        );
        assert_eq!(
            one("SET execution.runtime-mode = streaming"),
            set("execution.runtime-mode", "streaming")
        );
        assert_eq!(
            one("SET SESSION search_path = a, 'b'"),
            set("search_path", "a, b")
        );
        assert_eq!(
            one("SET TIME ZONE 'Asia/Shanghai'"),
            set("TimeZone", "Asia/Shanghai")
        );
        assert_eq!(one("SET NAMES 'UTF8'"), set("client_encoding", "UTF8"));
        assert_eq!(
            one("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"),
            set("transaction_isolation", "read committed")
        );
        assert_eq!(
            one("SET TRANSACTION READ ONLY"),
            set("transaction_read_only", "on")
        );
        assert_eq!(
            one("SET DateStyle = DEFAULT"),
            Statement::from(SetVariable {
                name: "DateStyle".into(),
                value: SetValue::Default
            })
        );
        assert_eq!(one("SET"), Statement::from(ShowVariable { name: None }));
    }

    #[test]
    fn set_without_a_value_is_a_positioned_error() {
        let err = parse_script("SET x").unwrap_err();
        assert!(err.message.contains("expected = or TO"), "{}", err.message);
        assert!(
            parse_script("SET x =")
                .unwrap_err()
                .message
                .contains("expected a value")
        );
    }

    #[test]
    fn show_and_reset_forms() {
        assert_eq!(
            one("SHOW ALL"),
            Statement::from(ShowVariable { name: None })
        );
        assert_eq!(
            one("SHOW TIME ZONE"),
            Statement::from(ShowVariable {
                name: Some("TimeZone".into())
            })
        );
        assert_eq!(
            one("show server_version"),
            Statement::from(ShowVariable {
                name: Some("server_version".into())
            })
        );
        assert_eq!(
            one("RESET 'a.b'"),
            Statement::from(ResetVariable {
                name: Some("a.b".into())
            })
        );
        assert_eq!(
            one("RESET ALL"),
            Statement::from(ResetVariable { name: None })
        );
        assert!(matches!(one("SHOW JARS"), Statement::Flink(_)));
    }
}
