//! `format(formatstr, arg...)` as PostgreSQL has it: `%s` an argument as
//! text (NULL as nothing), `%I` as an identifier (quoted when it must be),
//! `%L` as a literal (NULL as `NULL`), `%%` a percent sign; a specifier may
//! name its argument (`%2$s`) and take a width (`%-10s`, `%*s`). Metabase's
//! column sync builds type names and `regclass` texts with it.

use std::sync::Arc;

use arrow::array::StringArray;
use arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

use crate::sql::ast::quote_string;

/// The `format` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Format {
    signature: Signature,
}

impl Format {
    /// The function, taking a format text and any arguments.
    pub fn new() -> Format {
        Format {
            signature: Signature::variadic_any(Volatility::Stable),
        }
    }
}

impl ScalarUDFImpl for Format {
    fn name(&self) -> &str {
        "format"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut texts = Vec::with_capacity(rows);
        for row in 0..rows {
            let values = arrays
                .iter()
                .map(|array| {
                    let value = ScalarValue::try_from_array(array, row)?;
                    Ok((!value.is_null()).then(|| text_of(&value)))
                })
                .collect::<Result<Vec<Option<String>>>>()?;
            texts.push(match values.split_first() {
                Some((Some(template), arguments)) => {
                    Some(format(template, arguments).map_err(|message| {
                        DataFusionError::Execution(format!("format(): {message}"))
                    })?)
                }
                _ => None,
            });
        }
        let all_scalar = args
            .args
            .iter()
            .all(|arg| matches!(arg, ColumnarValue::Scalar(_)));
        Ok(if all_scalar && rows == 1 {
            ColumnarValue::Scalar(ScalarValue::Utf8(texts.pop().flatten()))
        } else {
            ColumnarValue::Array(Arc::new(StringArray::from(texts)))
        })
    }
}

/// A value's text as PostgreSQL writes it for `%s` (booleans as `t`/`f`).
fn text_of(value: &ScalarValue) -> String {
    match value {
        ScalarValue::Boolean(Some(b)) => if *b { "t" } else { "f" }.to_string(),
        ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => s.clone(),
        ScalarValue::LargeUtf8(Some(s)) => s.clone(),
        other => other.to_string(),
    }
}

/// `name` as a PostgreSQL identifier: bare when it is a lower-case word,
/// else in double quotes with inner ones doubled.
fn quote_identifier(name: &str) -> String {
    crate::sql::ast::ident_for(name).to_string()
}

/// `value` as a PostgreSQL literal: NULL bare, text in single quotes with
/// inner ones doubled (`E'...'` with doubled backslashes when it has any).
fn quote_literal(value: Option<&str>) -> String {
    match value {
        None => "NULL".to_string(),
        Some(text) if text.contains('\\') => {
            format!("E{}", quote_string(&text.replace('\\', "\\\\")))
        }
        Some(text) => quote_string(text),
    }
}

/// `template` with its specifiers replaced by `arguments` (NULLs as
/// `None`); the message says what is wrong with a bad template.
fn format(template: &str, arguments: &[Option<String>]) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    // The argument the next specifier without a position takes.
    let mut next = 0usize;
    let argument = |index: usize| -> std::result::Result<&Option<String>, String> {
        arguments
            .get(index)
            .ok_or_else(|| "too few arguments".to_string())
    };
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // [position$][-][width | *][type]
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        if !digits.is_empty() && chars.peek() == Some(&'$') {
            chars.next();
            let position: usize = digits.parse().map_err(|_| "position too large")?;
            if position == 0 {
                return Err("positions start at 1".into());
            }
            next = position - 1;
            digits.clear();
        }
        let mut left = false;
        if digits.is_empty() && chars.peek() == Some(&'-') {
            chars.next();
            left = true;
        }
        let mut width = None;
        if digits.is_empty() && chars.peek() == Some(&'*') {
            chars.next();
            let given = argument(next)?;
            next += 1;
            let given: i64 = given
                .as_deref()
                .unwrap_or("0")
                .parse()
                .map_err(|_| "the width argument is not an integer")?;
            left |= given < 0;
            width = Some(given.unsigned_abs() as usize);
        } else {
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            if !digits.is_empty() {
                width = Some(digits.parse().map_err(|_| "width too large")?);
            }
        }
        let kind = chars
            .next()
            .ok_or("the template ends in the middle of a specifier")?;
        let value = argument(next)?;
        next += 1;
        let text = match kind {
            's' => value.clone().unwrap_or_default(),
            'I' => quote_identifier(
                value
                    .as_deref()
                    .ok_or("a NULL cannot be formatted as an identifier")?,
            ),
            'L' => quote_literal(value.as_deref()),
            other => return Err(format!("unrecognized type specifier \"{other}\"")),
        };
        let pad = width.unwrap_or(0).saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn specifiers_read_like_postgres() {
        let formatted =
            |template: &str, values: &[Option<&str>]| format(template, &args(values)).unwrap();
        assert_eq!(formatted("%s", &[Some("int8")]), "int8");
        assert_eq!(
            formatted("\"%s\".\"%s\"", &[Some("scaleph"), Some("t")]),
            "\"scaleph\".\"t\""
        );
        assert_eq!(
            formatted("%I.%I", &[Some("scaleph"), Some("My Table")]),
            "scaleph.\"My Table\""
        );
        assert_eq!(
            formatted("%L, %L, %L", &[Some("it's"), None, Some("a\\b")]),
            "'it''s', NULL, E'a\\\\b'"
        );
        assert_eq!(formatted("[%s]", &[None]), "[]");
        assert_eq!(formatted("%2$s %1$s %s", &[Some("a"), Some("b")]), "b a b");
        assert_eq!(
            formatted("|%5s|%-5s|", &[Some("ab"), Some("cd")]),
            "|   ab|cd   |"
        );
        assert_eq!(formatted("|%*s|", &[Some("-4"), Some("x")]), "|x   |");
        assert_eq!(formatted("100%%", &[]), "100%");
    }

    #[test]
    fn bad_templates_are_errors() {
        for (template, values) in [
            ("%s %s", args(&[Some("one")])),
            ("%x", args(&[Some("one")])),
            ("%", args(&[])),
            ("%0$s", args(&[Some("one")])),
            ("%I", args(&[None])),
            ("%99999999999999999999$s", args(&[Some("one")])),
        ] {
            assert!(format(template, &values).is_err(), "{template}");
        }
    }

    #[test]
    fn identifiers_are_quoted_only_when_they_must_be() {
        assert_eq!(quote_identifier("datasources"), "datasources");
        assert_eq!(quote_identifier("_x$1"), "_x$1");
        assert_eq!(quote_identifier("Jobs"), "\"Jobs\"");
        assert_eq!(quote_identifier("1st"), "\"1st\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
