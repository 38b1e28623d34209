//! Output column names as PostgreSQL gives them: `SELECT upper('a')` is
//! column `upper`, `SELECT 1 + 1` is `?column?`, `SELECT 'x'::text` is
//! `text`. DataFusion would name them after the whole expression
//! (`upper(Utf8("a"))`), which clients show as headers.

use sqlparser::ast::{Expr, Ident, SelectItem, SetExpr, Statement};

/// Aliases the unnamed top-level projections of a SELECT as PostgreSQL
/// would name them, unless two would get the same name (DataFusion needs
/// unique names; those keep DataFusion's).
pub fn name_columns_like_postgres(statement: &mut Statement) {
    let Statement::Query(query) = statement else {
        return;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let mut taken: Vec<String> = Vec::new();
    for item in &mut select.projection {
        let name = match item {
            SelectItem::UnnamedExpr(expr) => postgres_name(expr),
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_lowercase()),
            _ => None,
        };
        let Some(name) = name else { continue };
        if taken.contains(&name) {
            continue;
        }
        taken.push(name.clone());
        if let SelectItem::UnnamedExpr(expr) = item
            && (!matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                || is_special_value(expr))
        {
            *item = SelectItem::ExprWithAlias {
                expr: expr.clone(),
                alias: Ident::with_quote('"', name),
            };
        }
    }
}

/// SQL's parameterless functions (`current_user`, ...), which read like
/// column names and are rewritten into calls before planning: they keep
/// their own name.
fn is_special_value(expr: &Expr) -> bool {
    matches!(expr, Expr::Identifier(ident) if ident.quote_style.is_none()
        && ["current_user", "session_user", "user", "current_role", "current_catalog", "current_schema"]
            .iter()
            .any(|name| ident.value.eq_ignore_ascii_case(name)))
}

/// The name PostgreSQL gives an unaliased expression.
fn postgres_name(expr: &Expr) -> Option<String> {
    Some(match expr {
        Expr::Identifier(ident) => ident.value.to_lowercase(),
        Expr::CompoundIdentifier(parts) => parts.last()?.value.to_lowercase(),
        Expr::Function(function) => function.name.0.last()?.as_ident()?.value.to_lowercase(),
        Expr::Cast {
            expr, data_type, ..
        } => match expr.as_ref() {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Function(_) => {
                postgres_name(expr)?
            }
            _ => data_type
                .to_string()
                .split(['(', ' '])
                .next()?
                .to_lowercase(),
        },
        Expr::Nested(inner) => postgres_name(inner)?,
        Expr::Case { .. } => "case".to_string(),
        _ => "?column?".to_string(),
    })
}
