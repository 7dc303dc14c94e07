//! A [`Query`] as an SQL condition over `items i` with every user value bound as a parameter:
//! full-text terms become FTS5 `MATCH` strings in which each word is quoted (FTS syntax typed
//! by the user is only ever a word to look for), the other terms plain comparisons.

use super::search_index::{
    FOLD_FUNCTION, FTS_KEY_FUNCTION, KEY_ID_LIMIT, KEY_TIME_END, fts_key_item_id, span_start,
    tokens,
};
use super::{Expr, Query, State, Term, Text};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use rusqlite::types::Value;

/// An FTS5 string for a word (prefix: `"emul"*`) or a phrase (`"a phrase"`); `None` when the
/// text holds no searchable character (it then matches every item).
pub fn fts_string(text: &Text) -> Option<String> {
    let words = tokens(&text.value);
    if words.is_empty() {
        return None;
    }
    // The tokens, not the raw text: quotes and FTS operators never reach FTS5 as syntax.
    let quoted = format!("\"{}\"", words.join(" "));
    Some(if text.phrase {
        quoted
    } else {
        format!("{quoted}*")
    })
}

/// `e` as one FTS5 expression when it is made of full-text terms only (words, phrases,
/// `title:`, `author:`) joined by AND, OR and negations beside a positive term (FTS5's NOT is
/// binary: `a NOT b`). Every word is quoted as in [`fts_string`]; a term without searchable
/// characters (it matches every item) has no FTS5 form.
pub fn fts_expression(e: &Expr) -> Option<String> {
    match e {
        Expr::Term { term, .. } => {
            let (columns, text) = match term {
                Term::Text(text) => ("{title body article}", text),
                Term::Title(text) => ("{title}", text),
                Term::Author(text) => ("{author}", text),
                _ => return None,
            };
            fts_string(text).map(|s| format!("{columns} : {s}"))
        }
        Expr::Not(_) => None,
        Expr::Or(children) => children
            .iter()
            .map(|c| fts_expression(c).map(|s| format!("({s})")))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(" OR ")),
        Expr::And(children) => {
            let mut positive = Vec::new();
            let mut negative = Vec::new();
            for child in children {
                match child {
                    Expr::Not(inner) => negative.push(fts_expression(inner)?),
                    _ => positive.push(format!("({})", fts_expression(child)?)),
                }
            }
            if positive.is_empty() {
                return None;
            }
            let mut s = positive.join(" AND ");
            for n in negative {
                s = format!("({s}) NOT ({n})");
            }
            Some(s)
        }
    }
}

/// Local midnight at the start of `day`, as Unix seconds.
pub fn local_day_start(day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match Local.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp(),
        // A day starting inside a DST gap: the first instant that exists after it.
        chrono::LocalResult::None => Local
            .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| midnight.and_utc().timestamp(), |t| t.timestamp()),
    }
}

/// What a plan choice asks the store: how many items a term would find (see
/// [`Query::to_sql_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency<'a> {
    /// An `items_fts` match string.
    FullText(&'a str),
    /// A `LIKE` pattern (escaped with `\`) over item URLs, ASCII case folded.
    UrlLike(&'a str),
    /// A tag, folded: the items of the feeds holding it and those a rule tagged.
    Tag(&'a str),
    /// Unread items (`is:unread`): many unless the reader keeps up with everything.
    Unread,
}

/// How a list reads a query (see [`Query::plan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The condition over `items i` (without the driving term, which the join guarantees).
    pub condition: String,
    /// `?N` of the full-text match string whose index rows drive the list newest first
    /// (`items_fts MATCH ?N ORDER BY rowid DESC`), when the query has such a term.
    pub driver: Option<String>,
    /// Conditions on the driving index rows (`m.rowid`, each starting with ` AND `): the
    /// query's dates as key bounds, so that FTS5 seeks to them instead of reading past every
    /// match outside them.
    pub driver_bounds: String,
}

/// Compiles terms into SQL, pushing values onto the caller's parameter list (`?N` numbering
/// continues after what is already there).
struct Compiler<'a> {
    values: &'a mut Vec<Value>,
    now: i64,
    /// Whether a term finds many items (see [`Query::to_sql_with`]).
    frequent: &'a dyn Fn(Frequency<'_>) -> bool,
    /// Whether index keys follow list order (then an index row gives its item id by
    /// arithmetic; else the item's key is computed and looked for).
    keys_in_order: bool,
    /// The term the list is driven by (compiled as true: the join already holds it).
    driver: Option<*const Expr>,
    /// Whether the condition selects a list's rows, read until a page is full, rather than
    /// every match (a count, a rule): a frequent `url:` part is then tested on each row read.
    listing: bool,
}

impl Compiler<'_> {
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("?{}", self.values.len())
    }

    fn expr(&mut self, e: &Expr) -> String {
        if self.driver == Some(e as *const Expr) {
            return "1".into();
        }
        match e {
            Expr::Term { term, .. } => self.term(term),
            Expr::Not(inner) => format!("NOT ({})", self.expr(inner)),
            Expr::And(children) => self.join(children, " AND "),
            Expr::Or(children) => self.join(children, " OR "),
        }
    }

    fn join(&mut self, children: &[Expr], op: &str) -> String {
        let parts: Vec<String> = children
            .iter()
            .map(|c| format!("({})", self.expr(c)))
            .collect();
        parts.join(op)
    }

    /// Items whose own columns (`columns`: an FTS5 column filter) match `text`.
    fn item_fts(&mut self, columns: &str, text: &Text) -> String {
        match fts_string(text) {
            Some(s) => {
                let fts = format!("{columns} : {s}");
                // A frequent term: `+` keeps SQLite scanning newest first and probing the
                // matches (the first page comes early); a rare one drives the lookup.
                let plus = if (self.frequent)(Frequency::FullText(&fts)) {
                    "+"
                } else {
                    ""
                };
                let p = self.bind(Value::Text(fts));
                if self.keys_in_order {
                    let id = fts_key_item_id("rowid");
                    format!("{plus}i.id IN (SELECT {id} FROM items_fts WHERE items_fts MATCH {p})")
                } else {
                    format!(
                        "{FTS_KEY_FUNCTION}(i.sort_time, i.id) IN \
                         (SELECT rowid FROM items_fts WHERE items_fts MATCH {p})"
                    )
                }
            }
            None => "1".into(),
        }
    }

    fn term(&mut self, term: &Term) -> String {
        match term {
            Term::Text(text) => self.item_fts("{title body article}", text),
            Term::Title(text) => self.item_fts("{title}", text),
            Term::Author(text) => self.item_fts("{author}", text),
            Term::Feed(text) => match fts_string(text) {
                Some(s) => {
                    let p = self.bind(Value::Text(s));
                    format!("i.feed_id IN (SELECT rowid FROM feeds_fts WHERE feeds_fts MATCH {p})")
                }
                None => "1".into(),
            },
            Term::Tag(tag) => {
                let folded = crate::text::fold_for_search(tag.trim());
                // A tag of many items: `+` keeps SQLite scanning newest first and probing
                // (the first page comes early); a rare one drives the lookup (gathering
                // every item of a frequent tag, then sorting them, cost ~50 ms on 100k).
                let plus = if (self.frequent)(Frequency::Tag(&folded)) {
                    "+"
                } else {
                    ""
                };
                let p = self.bind(Value::Text(folded));
                // The feed's tags, or one a rule gave the item.
                format!(
                    "({plus}i.feed_id IN (SELECT tf.id FROM feeds tf, json_each(tf.tags) tj \
                     WHERE {FOLD_FUNCTION}(tj.value) = {p}) \
                     OR {plus}i.id IN (SELECT item_id FROM item_tags WHERE folded = {p}))"
                )
            }
            Term::Url(part) => {
                let folded = crate::text::fold_for_search(part);
                let pattern = url_like_pattern(part);
                let frequent = (self.frequent)(Frequency::UrlLike(&pattern));
                let like = self.bind(Value::Text(pattern));
                let p = self.bind(Value::Text(folded));
                if frequent && self.listing {
                    // A part many URLs hold (a host) in a list: each row read newest first
                    // is tested (the URL comes before the wide columns of its row); a
                    // page needs a few hundred rows, gathering every match read all URLs.
                    // (No URL is no match, not NULL: `-url:` keeps the items without one.)
                    return format!(
                        "(i.url IS NOT NULL AND (i.url LIKE {like} ESCAPE '\\' \
                         OR (i.url GLOB '*[^ -~]*' AND instr({FOLD_FUNCTION}(i.url), {p}) > 0)))"
                    );
                }
                // A part many URLs hold in a count: `+` keeps SQLite scanning and probing
                // the matches; a rare one drives the lookup (as for full text).
                let plus = if frequent { "+" } else { "" };
                // Read from the URL indexes, never from the wide items rows. LIKE folds ASCII
                // case as kiosque_fold does (and as fast as a plain scan); only a URL with
                // other characters needs kiosque_fold, and those have their own small index
                // (schema 10): testing every URL for such characters cost more than the rest.
                format!(
                    "({plus}i.id IN (SELECT id FROM items INDEXED BY items_by_url \
                     WHERE url IS NOT NULL AND url LIKE {like} ESCAPE '\\') \
                     OR {plus}i.id IN (SELECT id FROM items INDEXED BY items_by_non_ascii_url \
                     WHERE url GLOB '*[^ -~]*' AND instr({FOLD_FUNCTION}(url), {p}) > 0))"
                )
            }
            Term::Is(State::Unread) => "i.read = 0".into(),
            Term::Is(State::Read) => "i.read = 1".into(),
            Term::Is(State::Starred) => "i.starred = 1".into(),
            Term::After(day) => {
                let p = self.bind(Value::Integer(local_day_start(*day)));
                format!("i.sort_time >= {p}")
            }
            Term::Before(day) => {
                let p = self.bind(Value::Integer(local_day_start(*day)));
                format!("i.sort_time < {p}")
            }
            Term::Newer(n, unit) => {
                let p = self.bind(Value::Integer(self.now - i64::from(*n) * unit.seconds()));
                format!("i.sort_time >= {p}")
            }
            Term::Older(n, unit) => {
                let p = self.bind(Value::Integer(self.now - i64::from(*n) * unit.seconds()));
                format!("i.sort_time < {p}")
            }
        }
    }
}

/// The `LIKE` pattern (escaped with `\\`) of a `url:` part, folded.
fn url_like_pattern(part: &str) -> String {
    format!(
        "%{}%",
        crate::text::fold_for_search(part)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// A date term as a bound on sort times: `(true, t)` for `sort_time >= t`, `(false, t)` for
/// `sort_time < t`.
fn time_bound(term: &Term, now: i64) -> Option<(bool, i64)> {
    match term {
        Term::After(day) => Some((true, local_day_start(*day))),
        Term::Before(day) => Some((false, local_day_start(*day))),
        Term::Newer(n, unit) => Some((true, now - i64::from(*n) * unit.seconds())),
        Term::Older(n, unit) => Some((false, now - i64::from(*n) * unit.seconds())),
        _ => None,
    }
}

/// Whether a term beside the driving one keeps few items and has an index of its own for
/// them, newest first (a feed, starred, a rare tag or URL part, unread when few are): the
/// list then scans that instead of reading every full-text match to find them.
fn selective(e: &Expr, frequent: &dyn Fn(Frequency<'_>) -> bool) -> bool {
    let Expr::Term { term, .. } = e else {
        return false;
    };
    match term {
        Term::Feed(_) | Term::Is(State::Starred) => true,
        Term::Tag(tag) => !frequent(Frequency::Tag(&crate::text::fold_for_search(tag.trim()))),
        Term::Is(State::Unread) => !frequent(Frequency::Unread),
        Term::Url(part) => !frequent(Frequency::UrlLike(&url_like_pattern(part))),
        _ => false,
    }
}

/// A count of a query's matches read from one index alone (see [`Query::index_count`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexCount {
    /// The index (an FTS5 table), read as `m`.
    pub table: &'static str,
    /// Its match string: every row it gives is a match of the query, each item once.
    pub matching: String,
    /// SQL for the item id of the row `m`.
    pub item_id: String,
}

impl Query {
    /// Where the matches of this query can be counted without reading the items: a query
    /// made of full-text terms only ([`fts_expression`]) in the items' full-text index when
    /// its keys follow list order (they then give item ids). FTS5 counts 65k matches of a prefix in
    /// ~13 ms; the same count as a condition on the items (a scan of every item probing a
    /// set of the matches) took 90-160 ms on 104k items.
    pub fn index_count(&self, keys_in_order: bool) -> Option<IndexCount> {
        if !keys_in_order {
            return None;
        }
        fts_expression(self.expr.as_ref()?).map(|matching| IndexCount {
            table: "items_fts",
            matching,
            item_id: fts_key_item_id("m.rowid"),
        })
    }

    /// The SQL condition (items aliased `i`) selecting what this query matches, binding its
    /// values after those already in `values`. `now` anchors `newer:` and `older:`.
    pub fn to_sql(&self, values: &mut Vec<Value>, now: DateTime<Utc>) -> String {
        self.plan(values, now, &|_| true, false, false, false)
            .condition
    }

    /// What a list can be driven by: the whole query when it is made of full-text terms only
    /// ([`fts_expression`]), else the first such part of its top-level conjunction (every
    /// match of the query is a match of it), as one FTS5 expression.
    fn driving_term(&self) -> Option<(&Expr, String)> {
        let e = self.expr.as_ref()?;
        if let Some(s) = fts_expression(e) {
            return Some((e, s));
        }
        match e {
            Expr::And(children) => children
                .iter()
                .filter(|c| !matches!(c, Expr::Not(_)))
                .find_map(|c| fts_expression(c).map(|s| (c, s))),
            _ => None,
        }
    }

    /// The condition, told by `frequent` whether a full-text match string or a URL part finds
    /// many items (the plan differs: see `frequent_term` in the store), and when `drive` allows it and the query has a full-text term that
    /// all its matches share, that term as the list's driver ([`Plan::driver`]).
    /// `keys_in_order`: whether every index key follows list order
    /// ([`super::search_index::keys_follow_list_order_sql`]); a driver needs it.
    /// `listing`: the condition selects a list's rows read until a page is full (not every
    /// match, as a count does).
    pub fn plan(
        &self,
        values: &mut Vec<Value>,
        now: DateTime<Utc>,
        frequent: &dyn Fn(Frequency<'_>) -> bool,
        drive: bool,
        keys_in_order: bool,
        listing: bool,
    ) -> Plan {
        let Some(e) = &self.expr else {
            return Plan {
                condition: "1".into(),
                driver: None,
                driver_bounds: String::new(),
            };
        };
        let mut driver = None;
        let mut driver_expr = None;
        let mut driver_bounds = String::new();
        if drive
            && keys_in_order
            && let Some((term, fts)) = self.driving_term()
        {
            let beside: &[Expr] = match e {
                Expr::And(children) => children,
                _ => &[],
            };
            if !beside
                .iter()
                .any(|c| !std::ptr::eq(c, term) && selective(c, frequent))
            {
                values.push(Value::Text(fts));
                driver = Some(format!("?{}", values.len()));
                driver_expr = Some(term as *const Expr);
                for child in beside {
                    if let Expr::Term { term, .. } = child
                        && let Some((lower, time)) = time_bound(term, now.timestamp())
                    {
                        // Keys follow list order by span and ids are >= 0: sort_time >= t
                        // is at least t's span, sort_time < t at most t's span (no item is
                        // past the keys' last second, 2106). The condition keeps the exact
                        // bound inside the span.
                        if lower {
                            values.push(Value::Integer(span_start(time)));
                            driver_bounds.push_str(&format!(" AND m.rowid >= ?{}", values.len()));
                        } else if time < KEY_TIME_END {
                            values.push(Value::Integer(span_start(time) + KEY_ID_LIMIT));
                            driver_bounds.push_str(&format!(" AND m.rowid < ?{}", values.len()));
                        }
                    }
                }
            }
        }
        let condition = Compiler {
            values,
            now: now.timestamp(),
            frequent,
            keys_in_order,
            driver: driver_expr,
            listing,
        }
        .expr(e);
        Plan {
            condition,
            driver,
            driver_bounds,
        }
    }
}
