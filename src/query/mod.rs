//! The query language (CONTRACT "Queries"): one parser for the TUI's `/`, `items --query`,
//! `mark --query`, saved searches and rules. Text → [`Query`] (an AST with 1-based positions)
//! → parameterised SQL over the items and their full-text index ([`sql`]). The canonical form
//! ([`std::fmt::Display`]) parses back to the same AST.

mod parse;
pub mod search_index;
pub mod sql;
#[cfg(test)]
mod tests;
pub mod tokenizer;
mod tokenizer_ffi;
mod tokenizer_tables;

use chrono::NaiveDate;
use std::fmt;

pub use parse::{MAX_NESTING, MAX_QUERY_CHARS, MAX_TERMS};

/// A query that does not parse: what is wrong and where (1-based character position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {at}")]
pub struct QueryError {
    /// 1-based position (in characters) of the offending part of the query.
    pub at: usize,
    pub message: String,
}

/// A parsed query. The empty query matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub expr: Option<Expr>,
}

impl Query {
    /// Parse query text (see the contract's "Queries").
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        parse::parse(text)
    }

    /// Whether this is the empty query (matches everything).
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    /// Whether what it matches changes with the clock (`newer:`, `older:`).
    pub fn is_relative_to_now(&self) -> bool {
        fn relative(e: &Expr) -> bool {
            match e {
                Expr::Term { term, .. } => matches!(term, Term::Newer(..) | Term::Older(..)),
                Expr::Not(inner) => relative(inner),
                Expr::And(children) | Expr::Or(children) => children.iter().any(relative),
            }
        }
        self.expr.as_ref().is_some_and(relative)
    }

    /// Both queries (an empty one adds nothing).
    pub fn and(self, other: Query) -> Query {
        match (self.expr, other.expr) {
            (Some(a), Some(b)) => Query {
                expr: Some(Expr::And(vec![a, b])),
            },
            (a, b) => Query { expr: a.or(b) },
        }
    }

    /// The same query with every position set to 0 (to compare shapes).
    pub fn without_positions(&self) -> Query {
        Query {
            expr: self.expr.as_ref().map(Expr::without_positions),
        }
    }
}

/// A node of the query: a term, a negation, or a conjunction / disjunction of two or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `at`: 1-based position of the term in the query text.
    Term {
        term: Term,
        at: usize,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    fn without_positions(&self) -> Expr {
        match self {
            Expr::Term { term, .. } => Expr::Term {
                term: term.clone(),
                at: 0,
            },
            Expr::Not(inner) => Expr::Not(Box::new(inner.without_positions())),
            Expr::And(children) => {
                Expr::And(children.iter().map(Expr::without_positions).collect())
            }
            Expr::Or(children) => Expr::Or(children.iter().map(Expr::without_positions).collect()),
        }
    }
}

/// A word (matches words starting with it) or a quoted phrase (those words in a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub phrase: bool,
}

/// `is:` states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unread,
    Read,
    Starred,
}

/// Units of `newer:` / `older:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeUnit {
    Hours,
    Days,
    Weeks,
}

impl AgeUnit {
    pub fn seconds(self) -> i64 {
        match self {
            AgeUnit::Hours => 3_600,
            AgeUnit::Days => 86_400,
            AgeUnit::Weeks => 7 * 86_400,
        }
    }

    fn letter(self) -> char {
        match self {
            AgeUnit::Hours => 'h',
            AgeUnit::Days => 'd',
            AgeUnit::Weeks => 'w',
        }
    }
}

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Full text: title, summary, content or the cached article text.
    Text(Text),
    Title(Text),
    Author(Text),
    /// The feed's title.
    Feed(Text),
    /// A whole tag of the item's feed (folded).
    Tag(String),
    /// Part of the item's URL (folded).
    Url(String),
    Is(State),
    /// Published (else first seen) on or after this local day.
    After(NaiveDate),
    /// Published (else first seen) before this local day.
    Before(NaiveDate),
    /// Published (else first seen) within the last `count` units.
    Newer(u32, AgeUnit),
    /// Published (else first seen) longer ago than `count` units.
    Older(u32, AgeUnit),
}

/// Whether a bare word can be written as is and read back as the same word.
pub(super) fn word_is_plain(word: &str) -> bool {
    !word.is_empty()
        && word != "OR"
        && !word.starts_with('-')
        && !word
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '"'))
        && parse::field_prefix(word).is_none()
}

/// A field value can be written as is when it re-lexes to itself (no space, quote, paren).
pub(super) fn value_is_plain(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '"'))
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

fn write_text(f: &mut fmt::Formatter<'_>, text: &Text, field: bool) -> fmt::Result {
    let plain = if field {
        value_is_plain(&text.value)
    } else {
        word_is_plain(&text.value)
    };
    if text.phrase || !plain {
        write_quoted(f, &text.value)
    } else {
        f.write_str(&text.value)
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    if value_is_plain(value) {
        f.write_str(value)
    } else {
        write_quoted(f, value)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Text(t) => write_text(f, t, false),
            Term::Title(t) => {
                f.write_str("title:")?;
                write_text(f, t, true)
            }
            Term::Author(t) => {
                f.write_str("author:")?;
                write_text(f, t, true)
            }
            Term::Feed(t) => {
                f.write_str("feed:")?;
                write_text(f, t, true)
            }
            Term::Tag(v) => {
                f.write_str("tag:")?;
                write_value(f, v)
            }
            Term::Url(v) => {
                f.write_str("url:")?;
                write_value(f, v)
            }
            Term::Is(State::Unread) => f.write_str("is:unread"),
            Term::Is(State::Read) => f.write_str("is:read"),
            Term::Is(State::Starred) => f.write_str("is:starred"),
            Term::After(d) => write!(f, "after:{}", d.format("%Y-%m-%d")),
            Term::Before(d) => write!(f, "before:{}", d.format("%Y-%m-%d")),
            Term::Newer(n, unit) => write!(f, "newer:{n}{}", unit.letter()),
            Term::Older(n, unit) => write!(f, "older:{n}{}", unit.letter()),
        }
    }
}

impl fmt::Display for Expr {
    /// The canonical form: `a b` for AND, ` OR ` between alternatives, parentheses wherever
    /// a group sits inside another, `-` before a negated term or group.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn grouped(f: &mut fmt::Formatter<'_>, e: &Expr) -> fmt::Result {
            match e {
                Expr::And(_) | Expr::Or(_) => write!(f, "({e})"),
                _ => write!(f, "{e}"),
            }
        }
        match self {
            Expr::Term { term, .. } => write!(f, "{term}"),
            Expr::Not(inner) => {
                f.write_str("-")?;
                grouped(f, inner)
            }
            Expr::And(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    grouped(f, child)?;
                }
                Ok(())
            }
            // AND binds tighter than OR: an alternative that is a conjunction needs no parentheses.
            Expr::Or(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    match child {
                        Expr::Or(_) => write!(f, "({child})")?,
                        _ => write!(f, "{child}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr {
            Some(e) => write!(f, "{e}"),
            None => Ok(()),
        }
    }
}
