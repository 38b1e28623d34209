//! A cursor over one statement's tokens, with the pieces every extension
//! statement is made of: names, option lists, string literals, keywords
//! out of a fixed set. Every error points at the token it is about.

use sqlparser::ast::Ident;

use crate::error::{Error, Position, Result, SqlState};
use crate::sql::ast::{ObjectKind, OptionValue, Options, QualifiedName, SqlOption};
use crate::sql::lexer::{Token, TokenKind};

/// A cursor over one statement's tokens.
pub(super) struct Cursor<'a> {
    pub(super) script: &'a str,
    pub(super) tokens: &'a [Token],
    pub(super) pos: usize,
    /// Where the statement ends in the script (for "found end of statement").
    pub(super) end: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    pub(super) fn peek_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.script, word))
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_word(word);
        if found {
            self.pos += 1;
        }
        found
    }

    pub(super) fn eat_words(&mut self, words: &[&str]) -> bool {
        let matches = words.iter().enumerate().all(|(i, w)| {
            self.tokens
                .get(self.pos + i)
                .is_some_and(|t| t.is_word(self.script, w))
        });
        if matches {
            self.pos += words.len();
        }
        matches
    }

    pub(super) fn eat_punct(&mut self, c: char) -> bool {
        let found = self.peek().is_some_and(|t| t.kind == TokenKind::Punct(c));
        if found {
            self.pos += 1;
        }
        found
    }

    /// An error "expected X, found Y" at the current token.
    pub(super) fn expected(&self, what: &str) -> Error {
        match self.peek() {
            Some(token) => Error::syntax(
                format!("expected {what}, found \"{}\"", token.text(self.script)),
                Position::at(self.script, token.start),
            ),
            None => Error::syntax(
                format!("expected {what}, found end of statement"),
                Position::at(self.script, self.end),
            ),
        }
    }

    /// Consumes the keyword `word`, or fails saying it was expected (with
    /// did-you-mean when the word found is a near miss).
    pub(super) fn expect_word(&mut self, word: &str, context: &str) -> Result<()> {
        if self.eat_word(word) {
            return Ok(());
        }
        let mut err = self.expected(&format!("{word} {context}"));
        if let Some(t) = self.peek().filter(|t| t.kind == TokenKind::Word)
            && super::suggest::closest(t.text(self.script), &[word]).is_some()
        {
            err.message.push_str(&format!(": did you mean {word}?"));
        }
        Err(err)
    }

    pub(super) fn expect_punct(&mut self, c: char, context: &str) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.expected(&format!("\"{c}\" {context}")))
        }
    }

    pub(super) fn expect_end(&self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.expected("end of statement")),
        }
    }

    /// An identifier: a bare word or a "quoted" one.
    pub(super) fn ident(&mut self, what: &str) -> Result<Ident> {
        match self.peek() {
            Some(token) if token.kind == TokenKind::Word => {
                self.pos += 1;
                let text = token.text(self.script);
                if text.len() > 63 {
                    return Err(Error::new(
                        crate::error::SqlState::INVALID_NAME,
                        format!("{what} \"{text}\" is longer than 63 characters"),
                    )
                    .with_position(Position::at(self.script, token.start)));
                }
                Ok(Ident::new(text))
            }
            Some(token)
                if token.kind == TokenKind::QuotedIdent
                    && token.text(self.script).starts_with('"') =>
            {
                self.pos += 1;
                let value = token.value(self.script);
                if value.is_empty() {
                    return Err(Error::syntax(
                        format!("{what} must not be empty"),
                        Position::at(self.script, token.start),
                    ));
                }
                Ok(Ident::with_quote('"', value))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `(key = value, ...)`.
    pub(super) fn options(&mut self) -> Result<Options> {
        self.option_list(false)
    }

    /// `(key = value, ...)`; with `strings_only`, every value must be a
    /// `'string'` (file paths).
    pub(super) fn option_list(&mut self, strings_only: bool) -> Result<Options> {
        self.expect_punct('(', "to open the option list")?;
        let mut options: Vec<SqlOption> = Vec::new();
        if self.eat_punct(')') {
            return Ok(Options(options));
        }
        loop {
            let key_token = self.peek();
            let key = self.option_key()?;
            if options.iter().any(|o| o.key.eq_ignore_ascii_case(&key)) {
                return Err(self.duplicate_key(key_token, &key));
            }
            self.expect_punct('=', &format!("after option \"{key}\""))?;
            let value = if strings_only {
                OptionValue::String(self.string(&format!("a 'string' for \"{key}\""))?.0)
            } else {
                self.option_value()?
            };
            options.push(SqlOption { key, value });
            if self.eat_punct(')') {
                return Ok(Options(options));
            }
            self.expect_punct(',', "or \")\" in the option list")?;
        }
    }

    /// `FILES (name = '/path', ...)`, when present: the attached files of
    /// a CREATE (every value a path, as a string).
    pub(super) fn files(&mut self) -> Result<Options> {
        if self.eat_word("FILES") {
            self.option_list(true)
        } else {
            Ok(Options::default())
        }
    }

    /// `(key, ...)`: the keys of a RESET, each once (case-insensitively).
    pub(super) fn key_list(&mut self) -> Result<Vec<String>> {
        self.expect_punct('(', "to open the list of options to reset")?;
        let mut keys: Vec<String> = Vec::new();
        loop {
            let token = self.peek();
            let key = self.option_key()?;
            if keys.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                return Err(self.duplicate_key(token, &key));
            }
            keys.push(key);
            if self.eat_punct(')') {
                return Ok(keys);
            }
            self.expect_punct(',', "or \")\" in the option list")?;
        }
    }

    /// An option key: `'quoted.key'` or `dotted.bare-key`.
    pub(super) fn option_key(&mut self) -> Result<String> {
        match self.peek() {
            Some(token) if token.kind == TokenKind::String => {
                let key = token.value(self.script);
                if key.trim().is_empty() {
                    return Err(Error::syntax(
                        "an option name must not be empty",
                        Position::at(self.script, token.start),
                    ));
                }
                self.pos += 1;
                Ok(key)
            }
            Some(token) if token.kind == TokenKind::Word => {
                let mut key = String::new();
                let mut last_end = token.start;
                while let Some(t) = self.peek() {
                    let joins = t.start == last_end || key.is_empty();
                    let part = matches!(
                        t.kind,
                        TokenKind::Word | TokenKind::Number | TokenKind::Punct('.' | '-')
                    );
                    if !(joins && part) {
                        break;
                    }
                    key.push_str(t.text(self.script));
                    last_end = t.end;
                    self.pos += 1;
                }
                Ok(key)
            }
            _ => Err(self.expected("an option name")),
        }
    }

    /// An option value: string, number (optionally signed), TRUE or FALSE.
    pub(super) fn option_value(&mut self) -> Result<OptionValue> {
        let negative = self.eat_punct('-');
        match self.peek() {
            Some(t) if t.kind == TokenKind::Number => {
                self.pos += 1;
                let n = t.text(self.script);
                Ok(OptionValue::Number(if negative {
                    format!("-{n}")
                } else {
                    n.to_string()
                }))
            }
            Some(t) if !negative && t.kind == TokenKind::String => {
                self.pos += 1;
                Ok(OptionValue::String(t.value(self.script)))
            }
            Some(t)
                if !negative
                    && (t.is_word(self.script, "TRUE") || t.is_word(self.script, "FALSE")) =>
            {
                self.pos += 1;
                Ok(OptionValue::Boolean(t.is_word(self.script, "TRUE")))
            }
            _ => Err(self.expected("a value ('text', a number, TRUE or FALSE)")),
        }
    }

    /// The error for an option key given twice, at its second occurrence.
    pub(super) fn duplicate_key(&self, token: Option<&Token>, key: &str) -> Error {
        Error::syntax(
            format!("option \"{key}\" is given twice"),
            Position::at(self.script, token.map_or(self.end, |t| t.start)),
        )
    }

    /// An error with `state` at `token`.
    pub(super) fn error_at(
        &self,
        token: &Token,
        state: SqlState,
        message: impl Into<String>,
    ) -> Error {
        Error::new(state, message).with_position(Position::at(self.script, token.start))
    }

    /// A `'string'` literal: its value and its token.
    pub(super) fn string(&mut self, what: &str) -> Result<(String, &'a Token)> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::String => {
                self.pos += 1;
                Ok((t.value(self.script), t))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `LIKE 'pattern'`, when present.
    pub(super) fn like(&mut self) -> Result<Option<String>> {
        if self.eat_word("LIKE") {
            Ok(Some(self.string("a 'pattern' after LIKE")?.0))
        } else {
            Ok(None)
        }
    }

    /// `IF NOT EXISTS`, when present.
    pub(super) fn if_not_exists(&mut self) -> bool {
        self.eat_words(&["IF", "NOT", "EXISTS"])
    }

    /// `ON CLUSTER name`, when present.
    pub(super) fn on_cluster(&mut self) -> Result<Option<Ident>> {
        if !self.eat_word("ON") {
            return Ok(None);
        }
        self.expect_word("CLUSTER", "after ON")?;
        self.ident("a cluster name").map(Some)
    }

    /// `WITH (...)`, or no options.
    pub(super) fn with_options(&mut self) -> Result<Options> {
        if self.eat_word("WITH") {
            self.options()
        } else {
            Ok(Options::default())
        }
    }

    /// A name of up to three dotted parts (`shop.orders`, `db.public.t`).
    pub(super) fn qualified_name(&mut self, what: &str) -> Result<QualifiedName> {
        let mut parts = vec![self.ident(what)?];
        while parts.len() < 3 && self.eat_punct('.') {
            parts.push(self.ident(what)?);
        }
        Ok(QualifiedName(parts))
    }

    /// A positive integer that fits in `max`, for `LIMIT n`.
    pub(super) fn positive_integer(&mut self, what: &str, max: u64) -> Result<u64> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Number => {
                let text = t.text(self.script);
                match text.parse::<u64>() {
                    Ok(n) if (1..=max).contains(&n) => {
                        self.pos += 1;
                        Ok(n)
                    }
                    _ => Err(self.error_at(
                        t,
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("{what} must be an integer from 1 to {max}, found {text}"),
                    )),
                }
            }
            _ => Err(self.expected(what)),
        }
    }

    /// One of the object kinds in `allowed` (its singular keyword), with
    /// did-you-mean when the word is close to one.
    pub(super) fn kind(&mut self, allowed: &[ObjectKind], after: &str) -> Result<ObjectKind> {
        let keywords: Vec<&str> = allowed.iter().map(|k| k.keyword()).collect();
        let found = self.keyword_among(&keywords, &format!("after {after}"))?;
        Ok(allowed[found])
    }

    /// The index in `keywords` of the current word, consumed; otherwise an
    /// error listing them, with did-you-mean for a near miss.
    pub(super) fn keyword_among(&mut self, keywords: &[&str], context: &str) -> Result<usize> {
        let listed = || super::suggest::one_of(keywords);
        match self.peek() {
            Some(t) if t.kind == TokenKind::Word => {
                let word = t.text(self.script);
                if let Some(i) = keywords.iter().position(|k| k.eq_ignore_ascii_case(word)) {
                    self.pos += 1;
                    return Ok(i);
                }
                let mut message = format!("expected {} {context}, found \"{word}\"", listed());
                if let Some(close) = super::suggest::closest(word, keywords) {
                    message.push_str(&format!(": did you mean {close}?"));
                }
                Err(self.error_at(t, SqlState::SYNTAX_ERROR, message))
            }
            _ => Err(self.expected(&format!("{} {context}", listed()))),
        }
    }

    /// A keyword from a table of values (`MODE CDC`), consumed.
    pub(super) fn keyword_value<T: Copy>(
        &mut self,
        table: &[(&str, T)],
        clause: &str,
    ) -> Result<T> {
        let keywords: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
        let i = self.keyword_among(&keywords, &format!("after {clause}"))?;
        Ok(table[i].1)
    }

    /// The rest of the statement as an embedded statement: its tokens and
    /// where its text starts.
    pub(super) fn rest(&self) -> Option<(&'a [Token], usize)> {
        let tokens = &self.tokens[self.pos..];
        tokens.first().map(|t| (tokens, t.start))
    }
}
