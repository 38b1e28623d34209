//! A small SQL lexer that knows exactly what the splitter, the classifier
//! and the redactor need: where strings, quoted identifiers and comments
//! start and end, words, numbers and punctuation, each with its byte span.
//!
//! It is hand-written rather than sqlparser's tokenizer because it must
//! accept any Flink SQL (sqlparser's tokenizer rejects some characters and
//! dialect quirks) and never fail on anything but an unterminated string,
//! quoted identifier or comment.

use crate::error::{Error, Position, Result};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword or identifier (`SELECT`, `orders`, `a$b`).
    Word,
    /// `"quoted"` or `` `quoted` `` identifier.
    QuotedIdent,
    /// `'string'` (with `''` escapes), also `E'...'`/`N'...'` prefixes as words before it.
    String,
    /// A number (`42`, `1.5`, `1e10`).
    Number,
    /// Any other single character (`;`, `(`, `=`, `.`, ...).
    Punct(char),
}

/// A token and its byte span in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset after its last character.
    pub end: usize,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }

    /// Whether this is the word `word` (case-insensitive).
    pub fn is_word(&self, source: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(source).eq_ignore_ascii_case(word)
    }

    /// The value of a string token (quotes removed, `''` unescaped), or
    /// the text of any other token; quoted identifiers lose their quotes.
    pub fn value(&self, source: &str) -> String {
        let text = self.text(source);
        match self.kind {
            TokenKind::String => text[1..text.len() - 1].replace("''", "'"),
            TokenKind::QuotedIdent => {
                let quote = &text[..1];
                text[1..text.len() - 1].replace(&format!("{quote}{quote}"), quote)
            }
            _ => text.to_string(),
        }
    }
}

fn unterminated(source: &str, start: usize, what: &str) -> Error {
    Error::syntax(format!("unterminated {what}"), Position::at(source, start))
}

/// Tokenizes `source`, skipping whitespace and comments. Fails only on an
/// unterminated string, quoted identifier or block comment, pointing at
/// where it starts.
pub fn tokenize(source: &str) -> Result<Vec<Token>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = source[i + 2..]
                    .find("*/")
                    .ok_or_else(|| unterminated(source, start, "/* comment"))?;
                i = i + 2 + end + 2;
            }
            b'\'' => {
                i = close_quote(bytes, i, b'\'')
                    .ok_or_else(|| unterminated(source, start, "quoted string"))?;
                tokens.push(Token {
                    kind: TokenKind::String,
                    start,
                    end: i,
                });
            }
            b'"' | b'`' => {
                i = close_quote(bytes, i, b)
                    .ok_or_else(|| unterminated(source, start, "quoted identifier"))?;
                tokens.push(Token {
                    kind: TokenKind::QuotedIdent,
                    start,
                    end: i,
                });
            }
            b if b.is_ascii_digit()
                || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    // An exponent sign belongs to the number: 1e-5.
                    if matches!(bytes[i], b'e' | b'E')
                        && matches!(bytes.get(i + 1), Some(b'+' | b'-'))
                    {
                        i += 1;
                    }
                    i += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Number,
                    start,
                    end: i,
                });
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'$')
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Word,
                    start,
                    end: i,
                });
            }
            _ => {
                let c = source[i..].chars().next().unwrap_or('\0');
                i += c.len_utf8().max(1);
                tokens.push(Token {
                    kind: TokenKind::Punct(c),
                    start,
                    end: i,
                });
            }
        }
    }
    Ok(tokens)
}

/// The offset after the closing `quote` of a quoted run starting at `open`;
/// a doubled quote is an escaped one.
fn close_quote(bytes: &[u8], open: usize, quote: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The first words of a statement, upper-cased: every statement is
/// dispatched on them, so keyword-sized words are upper-cased in place,
/// without allocating. A word longer than any keyword is kept as written
/// (it can equal no keyword, and did-you-mean ignores case).
pub struct LeadingWords<'a> {
    upper: [[u8; LeadingWords::INLINE]; LeadingWords::COUNT],
    len: [usize; LeadingWords::COUNT],
    long: [Option<&'a str>; LeadingWords::COUNT],
}

impl<'a> LeadingWords<'a> {
    /// How many leading words are kept.
    pub const COUNT: usize = 5;
    /// The longest word upper-cased in place (longer than every keyword).
    const INLINE: usize = 24;

    /// The first words of `tokens` (in `script`).
    pub fn new(script: &'a str, tokens: &[Token]) -> LeadingWords<'a> {
        let mut words = LeadingWords {
            upper: [[0; Self::INLINE]; Self::COUNT],
            len: [0; Self::COUNT],
            long: [None; Self::COUNT],
        };
        for (i, token) in tokens.iter().take(Self::COUNT).enumerate() {
            if token.kind != TokenKind::Word {
                continue;
            }
            let text = token.text(script);
            if text.len() > Self::INLINE {
                words.long[i] = Some(text);
            } else {
                words.upper[i][..text.len()].copy_from_slice(text.as_bytes());
                words.upper[i][..text.len()].make_ascii_uppercase();
                words.len[i] = text.len();
            }
        }
        words
    }

    /// Word `i` upper-cased; "" when it is not a word or there is none.
    pub fn get(&self, i: usize) -> &str {
        if i >= Self::COUNT {
            return "";
        }
        if let Some(long) = self.long[i] {
            return long;
        }
        // Upper-casing ASCII bytes keeps UTF-8 valid.
        std::str::from_utf8(&self.upper[i][..self.len[i]]).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, String)> {
        tokenize(source)
            .unwrap()
            .iter()
            .map(|t| (t.kind, t.text(source).to_string()))
            .collect()
    }

    #[test]
    fn tokenize_skips_comments_and_keeps_quotes_whole() {
        let tokens = kinds("SELECT 'a;''b' -- c;\n, \"x;\" /* ; */ `y`;");
        assert_eq!(
            tokens,
            vec![
                (TokenKind::Word, "SELECT".into()),
                (TokenKind::String, "'a;''b'".into()),
                (TokenKind::Punct(','), ",".into()),
                (TokenKind::QuotedIdent, "\"x;\"".into()),
                (TokenKind::QuotedIdent, "`y`".into()),
                (TokenKind::Punct(';'), ";".into()),
            ]
        );
    }

    #[test]
    fn tokenize_unterminated_string_points_at_its_start() {
        let err = tokenize("SELECT 1;\nSELECT 'abc").unwrap_err();
        assert_eq!(
            (err.position.unwrap().line, err.position.unwrap().column),
            (2, 8)
        );
        assert!(tokenize("/* open").is_err());
        assert!(tokenize("\"open").is_err());
    }

    #[test]
    fn token_value_unescapes() {
        let source = "'it''s' \"a\"\"b\"";
        let tokens = tokenize(source).unwrap();
        assert_eq!(tokens[0].value(source), "it's");
        assert_eq!(tokens[1].value(source), "a\"b");
    }

    #[test]
    fn leading_words_are_upper_cased_words_only() {
        let script = "select `q`, über_long_identifier_over_24_bytes FROM t";
        let tokens = tokenize(script).unwrap();
        let words = LeadingWords::new(script, &tokens);
        assert_eq!(words.get(0), "SELECT");
        assert_eq!(words.get(1), "");
        assert_eq!(words.get(2), "");
        assert_eq!(words.get(3), "über_long_identifier_over_24_bytes");
        assert_eq!(words.get(4), "FROM");
        assert_eq!(words.get(5), "");
        let short = "ünd x";
        let tokens = tokenize(short).unwrap();
        assert_eq!(LeadingWords::new(short, &tokens).get(0), "üND");
    }
}
