//! Query text → tokens → [`Query`]: a lexer and a recursive-descent parser with a nesting
//! limit, a length limit and a term limit, so hostile input fails fast with a position.

use super::{AgeUnit, Expr, Query, QueryError, State, Term, Text};
use chrono::NaiveDate;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 4_000;
/// Most terms in one query.
pub const MAX_TERMS: usize = 50;
/// Deepest nesting of parentheses and negations.
pub const MAX_NESTING: usize = 32;

const FIELDS: &str = "title, author, feed, tag, url, is, after, before, newer, older";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Or,
    Not,
    Word(String),
    Phrase(String),
    Field { name: String, value: Text },
}

fn error(at: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        at,
        message: message.into(),
    }
}

/// `name:` at the start of a word whose name is letters only: the field name (lower case).
pub(super) fn field_prefix(word: &str) -> Option<&str> {
    let (name, _) = word.split_once(':')?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())).then_some(name)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn ends_word(c: char) -> bool {
    is_space(c) || matches!(c, '(' | ')' | '"')
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    /// A quoted string starting at `self.pos` (on the quote): its text, `\"` and `\\` escaped.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let start = self.pos + 1;
        self.pos += 1;
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' if matches!(self.chars.get(self.pos), Some('"' | '\\')) => {
                    out.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                _ => out.push(c),
            }
        }
        Err(error(start, "unclosed quote"))
    }

    fn tokens(mut self) -> Result<Vec<(Token, usize)>, QueryError> {
        let mut out = Vec::new();
        while let Some(&c) = self.chars.get(self.pos) {
            let at = self.pos + 1;
            if is_space(c) {
                self.pos += 1;
                continue;
            }
            if c.is_control() {
                return Err(error(at, "control character in the query"));
            }
            let token = match c {
                '(' => {
                    self.pos += 1;
                    Token::Open
                }
                ')' => {
                    self.pos += 1;
                    Token::Close
                }
                '"' => {
                    let text = self.quoted()?;
                    if text.trim().is_empty() {
                        return Err(error(at, "empty quotes"));
                    }
                    Token::Phrase(text)
                }
                '-' => {
                    self.pos += 1;
                    match self.chars.get(self.pos) {
                        Some(&next) if !is_space(next) && next != ')' => Token::Not,
                        _ => return Err(error(at, "nothing to exclude after -")),
                    }
                }
                _ => {
                    let start = self.pos;
                    while self.chars.get(self.pos).is_some_and(|&c| !ends_word(c)) {
                        if self.chars[self.pos].is_control() {
                            return Err(error(self.pos + 1, "control character in the query"));
                        }
                        self.pos += 1;
                    }
                    let word: String = self.chars[start..self.pos].iter().collect();
                    if word == "OR" {
                        Token::Or
                    } else if let Some(name) = field_prefix(&word) {
                        let name = name.to_ascii_lowercase();
                        if !FIELDS.split(", ").any(|f| f == name) {
                            return Err(error(
                                at,
                                format!("unknown field {name}: (known: {FIELDS})"),
                            ));
                        }
                        let rest = &word[word.find(':').map_or(word.len(), |i| i + 1)..];
                        let value = if !rest.is_empty() {
                            Text {
                                value: rest.to_string(),
                                phrase: false,
                            }
                        } else if self.chars.get(self.pos) == Some(&'"') {
                            Text {
                                value: self.quoted()?,
                                phrase: true,
                            }
                        } else {
                            return Err(error(at, format!("empty field {name}:")));
                        };
                        if value.value.trim().is_empty() {
                            return Err(error(at, format!("empty field {name}:")));
                        }
                        Token::Field { name, value }
                    } else {
                        Token::Word(word)
                    }
                }
            };
            out.push((token, at));
        }
        Ok(out)
    }
}

fn field_term(name: &str, value: Text, at: usize) -> Result<Term, QueryError> {
    // Errors about the value point past `name:`.
    let value_at = at + name.chars().count() + 1;
    Ok(match name {
        "title" => Term::Title(value),
        "author" => Term::Author(value),
        "feed" => Term::Feed(value),
        "tag" => Term::Tag(value.value),
        "url" => Term::Url(value.value),
        "is" => match value.value.to_lowercase().as_str() {
            "unread" => Term::Is(State::Unread),
            "read" => Term::Is(State::Read),
            "starred" => Term::Is(State::Starred),
            other => {
                return Err(error(
                    value_at,
                    format!("unknown state is:{other} (known: unread, read, starred)"),
                ));
            }
        },
        "after" | "before" => {
            let date = NaiveDate::parse_from_str(value.value.trim(), "%Y-%m-%d")
                .ok()
                .filter(|_| value.value.trim().len() == 10)
                .ok_or_else(|| {
                    error(
                        value_at,
                        format!("bad date {:?} (expected YYYY-MM-DD)", value.value),
                    )
                })?;
            if name == "after" {
                Term::After(date)
            } else {
                Term::Before(date)
            }
        }
        "newer" | "older" => {
            let v = value.value.trim();
            let unit = match v.chars().last() {
                Some('h') => AgeUnit::Hours,
                Some('d') => AgeUnit::Days,
                Some('w') => AgeUnit::Weeks,
                _ => {
                    return Err(error(
                        value_at,
                        format!("bad age {v:?} (a number and a unit h, d or w, like 3d)"),
                    ));
                }
            };
            let count: u32 = v[..v.len() - 1]
                .parse()
                .ok()
                .filter(|n| *n <= 100_000)
                .ok_or_else(|| {
                    error(
                        value_at,
                        format!("bad age {v:?} (a number up to 100000 and a unit h, d or w)"),
                    )
                })?;
            if name == "newer" {
                Term::Newer(count, unit)
            } else {
                Term::Older(count, unit)
            }
        }
        _ => {
            return Err(error(
                at,
                format!("unknown field {name}: (known: {FIELDS})"),
            ));
        }
    })
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    /// Where the end of the query is (for "expected … at the end").
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(_, at)| *at)
    }

    /// or := and (OR and)*
    fn or(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if self.peek() == Some(&Token::Or) {
            return Err(error(self.at(), "OR needs a term before it"));
        }
        let mut alternatives = vec![self.and(depth)?];
        while self.peek() == Some(&Token::Or) {
            let or_at = self.at();
            self.pos += 1;
            if matches!(self.peek(), None | Some(Token::Or | Token::Close)) {
                return Err(error(or_at, "OR needs a term after it"));
            }
            alternatives.push(self.and(depth)?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Expr::Or(alternatives)
        })
    }

    /// and := unary+
    fn and(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut terms = Vec::new();
        while !matches!(self.peek(), None | Some(Token::Or | Token::Close)) {
            terms.push(self.unary(depth)?);
        }
        match terms.len() {
            0 => Err(error(self.at(), "expected a term")),
            1 => Ok(terms.remove(0)),
            _ => Ok(Expr::And(terms)),
        }
    }

    /// unary := - unary | ( or ) | term
    fn unary(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let at = self.at();
        let Some((token, _)) = self.tokens.get(self.pos).cloned() else {
            return Err(error(at, "expected a term"));
        };
        self.pos += 1;
        match token {
            Token::Not | Token::Open if depth >= MAX_NESTING => Err(error(
                at,
                format!("nested deeper than {MAX_NESTING} levels"),
            )),
            Token::Not => Ok(Expr::Not(Box::new(self.unary(depth + 1)?))),
            Token::Open => {
                if self.peek() == Some(&Token::Close) {
                    return Err(error(at, "empty parentheses"));
                }
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(error(at, "unclosed parenthesis"));
                }
                self.pos += 1;
                Ok(inner)
            }
            Token::Close | Token::Or => Err(error(at, "expected a term")),
            Token::Word(w) => Ok(Expr::Term {
                term: Term::Text(Text {
                    value: w,
                    phrase: false,
                }),
                at,
            }),
            Token::Phrase(p) => Ok(Expr::Term {
                term: Term::Text(Text {
                    value: p,
                    phrase: true,
                }),
                at,
            }),
            Token::Field { name, value } => Ok(Expr::Term {
                term: field_term(&name, value, at)?,
                at,
            }),
        }
    }
}

/// Parse query text into a [`Query`] (empty text: the empty query).
pub(super) fn parse(text: &str) -> Result<Query, QueryError> {
    let length = text.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(error(
            MAX_QUERY_CHARS + 1,
            format!("query too long ({length} characters, at most {MAX_QUERY_CHARS})"),
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    let tokens = Lexer { chars, pos: 0 }.tokens()?;
    let terms = tokens
        .iter()
        .filter(|(t, _)| matches!(t, Token::Word(_) | Token::Phrase(_) | Token::Field { .. }));
    if let Some((_, at)) = terms.clone().nth(MAX_TERMS) {
        return Err(error(*at, format!("too many terms (at most {MAX_TERMS})")));
    }
    if tokens.is_empty() {
        return Ok(Query::default());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: length + 1,
    };
    let expr = parser.or(0)?;
    if parser.pos < parser.tokens.len() {
        let at = parser.at();
        return Err(match parser.peek() {
            Some(Token::Close) => error(at, "unmatched )"),
            _ => error(at, "unexpected text"),
        });
    }
    Ok(Query { expr: Some(expr) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> String {
        parse(q).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_their_position() {
        assert_eq!(err("title:abc \"open"), "unclosed quote at 11");
        assert_eq!(err("(a b"), "unclosed parenthesis at 1");
        assert_eq!(err("a b)"), "unmatched ) at 4");
        assert_eq!(err("a OR"), "OR needs a term after it at 3");
        assert_eq!(err("OR a"), "OR needs a term before it at 1");
        assert_eq!(err("a OR OR b"), "OR needs a term after it at 3");
        assert_eq!(err("feed:"), "empty field feed: at 1");
        assert_eq!(
            err("x foo:bar"),
            "unknown field foo: (known: title, author, feed, tag, url, is, after, before, newer, older) at 3"
        );
        assert_eq!(
            err("is:new"),
            "unknown state is:new (known: unread, read, starred) at 4"
        );
        assert_eq!(
            err("after:2026-13-01"),
            "bad date \"2026-13-01\" (expected YYYY-MM-DD) at 7"
        );
        assert_eq!(
            err("newer:3y"),
            "bad age \"3y\" (a number and a unit h, d or w, like 3d) at 7"
        );
        assert_eq!(err("()"), "empty parentheses at 1");
        assert_eq!(err("a - b"), "nothing to exclude after - at 3");
        assert_eq!(err(&"(".repeat(100)), "nested deeper than 32 levels at 33");
        assert!(err(&"(".repeat(10_000)).contains("too long"));
        assert!(err("a\0b").contains("control character"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let q = parse("a b OR c").unwrap();
        assert!(matches!(q.expr, Some(Expr::Or(ref alts)) if matches!(alts[0], Expr::And(_))));
        assert_eq!(q.to_string(), "a b OR c");
        assert_eq!(parse("a (b OR c)").unwrap().to_string(), "a (b OR c)");
    }

    #[test]
    fn minus_negates_only_at_the_start_of_a_term() {
        let q = parse("x86-64 -linux").unwrap();
        let Some(Expr::And(terms)) = q.expr else {
            panic!("and")
        };
        assert!(matches!(&terms[0], Expr::Term { term: Term::Text(t), .. } if t.value == "x86-64"));
        assert!(matches!(&terms[1], Expr::Not(_)));
    }

    #[test]
    fn fields_and_canonical_form() {
        let q = parse("feed:\"Octet Actu\" Title:emul is:Unread newer:3d tag:tech").unwrap();
        assert_eq!(
            q.to_string(),
            "feed:\"Octet Actu\" title:emul is:unread newer:3d tag:tech"
        );
        assert_eq!(parse("").unwrap(), Query::default());
        assert_eq!(parse("  ").unwrap(), Query::default());
        assert_eq!(parse("10:30").unwrap().to_string(), "10:30");
    }
}
