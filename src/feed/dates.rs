//! Feed timestamps: RFC 822/2822 and RFC 3339 first, then the forms real feeds write instead
//! (no comma after the weekday, zone abbreviations, no seconds, no zone, `2020/1/10 14:07:00`,
//! Unix epoch, W3C-DTF partials, French/German/Spanish/Italian month names, 12-hour clocks).
//! Returns `None` rather than guessing when the string is not a date.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parse one timestamp string from a feed. Unzoned times are taken as UTC.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_all_digits(s);
    }
    let bytes = s.as_bytes();
    if bytes.len() >= 4
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && let Some(d) = parse_iso_like(s)
    {
        return Some(d);
    }
    parse_words(s)
}

/// Epoch seconds or milliseconds, or a compact `YYYYMMDD`.
fn parse_all_digits(s: &str) -> Option<DateTime<Utc>> {
    let n: i64 = s.parse().ok()?;
    match s.len() {
        4 => {
            let date = NaiveDate::from_ymd_opt(n as i32, 1, 1)?;
            Some(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)))
        }
        8 => {
            let date = NaiveDate::from_ymd_opt(
                (n / 10000) as i32,
                ((n / 100) % 100) as u32,
                (n % 100) as u32,
            )?;
            Some(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)))
        }
        9..=10 => DateTime::from_timestamp(n, 0),
        12..=13 => DateTime::from_timestamp_millis(n),
        _ => None,
    }
}

/// A small cursor over ASCII bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Up to `max` digits (at least one) as a number.
    fn number(&mut self, max: usize) -> Option<u32> {
        let start = self.pos;
        while self.pos - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        std::str::from_utf8(&self.bytes[start..self.pos])
            .ok()?
            .parse()
            .ok()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn rest(&self) -> &str {
        std::str::from_utf8(&self.bytes[self.pos..]).unwrap_or("")
    }
}

/// `YYYY[-/]M[-/]D[(T| )HH:MM[:SS[.frac]]][zone]`, plus `YYYY-MM` and `YYYY`.
fn parse_iso_like(s: &str) -> Option<DateTime<Utc>> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    let year = c.number(4)? as i32;
    let mut month = 1;
    let mut day = 1;
    let sep = c.peek();
    if matches!(sep, Some(b'-' | b'/' | b'.')) {
        c.pos += 1;
        month = c.number(2)?;
        if sep.is_some_and(|s| c.eat(s)) {
            day = c.number(2)?;
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let mut time = NaiveTime::MIN;
    if c.eat(b'T') || c.eat(b't') || c.peek() == Some(b' ') {
        c.skip_spaces();
        if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            time = parse_clock(&mut c)?;
        }
    }
    c.skip_spaces();
    let offset = parse_zone(c.rest().trim())?;
    at_offset(date, time, offset)
}

/// `H:MM[:SS[.frac]]` (fraction ignored).
fn parse_clock(c: &mut Cursor<'_>) -> Option<NaiveTime> {
    let hour = c.number(2)?;
    if !c.eat(b':') {
        return None;
    }
    let minute = c.number(2)?;
    let mut second = 0;
    if c.eat(b':') {
        second = c.number(2)?;
        if c.eat(b'.') || c.eat(b',') {
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.pos += 1;
            }
        }
    }
    // 24:00 means midnight; a leap second is clamped.
    NaiveTime::from_hms_opt(hour % 24, minute, second.min(59))
}

/// A zone written after the time: empty (UTC), `Z`, `±HH:MM`, `±HHMM`, `±HH`, or a name.
fn parse_zone(zone: &str) -> Option<FixedOffset> {
    let zone = zone.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    if zone.is_empty() {
        return FixedOffset::east_opt(0);
    }
    if let Some(sign) = zone.strip_prefix('+').map(|r| (1, r)).or_else(|| {
        zone.strip_prefix('-')
            .or_else(|| zone.strip_prefix('\u{2212}'))
            .map(|r| (-1, r))
    }) {
        let (sign, rest) = sign;
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if rest.chars().any(|c| !(c.is_ascii_digit() || c == ':')) {
            return None;
        }
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse().ok()?),
            4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse().ok()?),
            _ => return None,
        };
        return FixedOffset::east_opt(sign * (h * 3600 + m * 60));
    }
    zone_abbreviation(zone).and_then(FixedOffset::east_opt)
}

/// Offset in seconds of the zone names feeds use.
fn zone_abbreviation(name: &str) -> Option<i32> {
    let upper = name.to_ascii_uppercase();
    let hours = |h: f32| Some((h * 3600.0) as i32);
    match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" | "Z UTC" => hours(0.0),
        "EST" => hours(-5.0),
        "EDT" => hours(-4.0),
        "CST" => hours(-6.0),
        "CDT" => hours(-5.0),
        "MST" => hours(-7.0),
        "MDT" => hours(-6.0),
        "PST" => hours(-8.0),
        "PDT" => hours(-7.0),
        "AKST" => hours(-9.0),
        "AKDT" => hours(-8.0),
        "HST" => hours(-10.0),
        "AST" => hours(-4.0),
        "ADT" => hours(-3.0),
        "NST" => hours(-3.5),
        "BRT" | "ART" => hours(-3.0),
        "CET" | "MET" | "MEZ" | "BST" | "WEST" | "WAT" => hours(1.0),
        "CEST" | "MEST" | "MESZ" | "EET" | "SAST" | "CAT" => hours(2.0),
        "EEST" | "MSK" | "EAT" => hours(3.0),
        "IST" => hours(5.5),
        "ICT" | "WIB" => hours(7.0),
        "SGT" | "HKT" | "AWST" | "PHT" => hours(8.0),
        "JST" | "KST" => hours(9.0),
        "ACST" => hours(9.5),
        "AEST" => hours(10.0),
        "ACDT" => hours(10.5),
        "AEDT" => hours(11.0),
        "NZST" => hours(12.0),
        "NZDT" => hours(13.0),
        _ => None,
    }
}

/// Month numbers of English, French, German, Spanish, Italian and Dutch names (by prefix).
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: &[(&str, u32)] = &[
        ("jan", 1),
        ("ene", 1),
        ("gen", 1),
        ("janv", 1),
        ("feb", 2),
        ("fév", 2),
        ("fev", 2),
        ("févr", 2),
        ("mar", 3),
        ("mär", 3),
        ("mrz", 3),
        ("maa", 3),
        ("apr", 4),
        ("avr", 4),
        ("abr", 4),
        ("may", 5),
        ("mai", 5),
        ("mag", 5),
        ("mei", 5),
        ("jun", 6),
        ("juin", 6),
        ("giu", 6),
        ("jul", 7),
        ("juil", 7),
        ("lug", 7),
        ("aug", 8),
        ("aoû", 8),
        ("aou", 8),
        ("ago", 8),
        ("sep", 9),
        ("set", 9),
        ("oct", 10),
        ("okt", 10),
        ("ott", 10),
        ("nov", 11),
        ("dec", 12),
        ("déc", 12),
        ("dez", 12),
        ("dic", 12),
    ];
    let lower = word.to_lowercase();
    // "juin"/"juil" must win over "jun"/"jul" prefixes: try the longest table entries first.
    let mut best: Option<(usize, u32)> = None;
    for (prefix, n) in MONTHS {
        if lower.starts_with(prefix) && best.is_none_or(|(len, _)| prefix.len() > len) {
            best = Some((prefix.len(), *n));
        }
    }
    // "ma" + "i"/"r" is ambiguous only with weekdays ("mar." = mardi): callers prefer the last
    // month word in the string, which is the real month in "mar., 10 juin".
    best.map(|(_, n)| n).filter(|_| lower.len() <= 10)
}

/// Free-form dates: tokens in any order (weekday, day, month name, year, clock, am/pm, zone).
fn parse_words(s: &str) -> Option<DateTime<Utc>> {
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut pm = None;
    let mut offset = None;
    let cleaned = s.replace([',', '(', ')'], " ");
    for token in cleaned.split_whitespace() {
        let token = token.trim_end_matches('.');
        let lower = token.to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        match lower.as_str() {
            "am" | "a.m" => {
                pm = Some(false);
                continue;
            }
            "pm" | "p.m" => {
                pm = Some(true);
                continue;
            }
            _ => {}
        }
        let first = token.as_bytes()[0];
        if first.is_ascii_digit() && token.contains(':') {
            let (clock, suffix) = split_meridiem(token);
            if let Some(m) = suffix {
                pm = Some(m);
            }
            let mut c = Cursor {
                bytes: clock.as_bytes(),
                pos: 0,
            };
            time = Some(parse_clock(&mut c)?);
            // A zone glued to the clock: `04:00:00Z`, `04:00+02:00`.
            let rest = c.rest();
            if !rest.is_empty() {
                offset = Some(parse_zone(rest)?);
            }
        } else if (first == b'+' || first == b'-') && token.len() > 1 {
            if offset.is_none() {
                offset = parse_zone(token);
            }
        } else if first.is_ascii_digit() {
            let digits = token.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let n: u32 = digits.parse().ok()?;
            if digits.len() == 4 {
                year = Some(n as i32);
            } else if day.is_none() && (1..=31).contains(&n) {
                day = Some(n);
            } else if year.is_none() && digits.len() == 2 {
                year = Some(if n < 50 {
                    2000 + n as i32
                } else {
                    1900 + n as i32
                });
            } else {
                return None;
            }
        } else if let Some(zone) = zone_abbreviation(token) {
            if offset.is_none() {
                offset = FixedOffset::east_opt(zone);
            }
        } else if let Some(m) = month_number(token) {
            month = Some(m);
        }
        // Anything else (weekdays in any language, "de", "um") is ignored.
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let mut time = time.unwrap_or(NaiveTime::MIN);
    if let Some(pm) = pm {
        use chrono::Timelike;
        let hour = time.hour() % 12 + if pm { 12 } else { 0 };
        time = time.with_hour(hour)?;
    }
    let offset = offset.or_else(|| FixedOffset::east_opt(0))?;
    at_offset(date, time, offset)
}

/// `8:56am` → (`8:56`, Some(false)).
fn split_meridiem(token: &str) -> (&str, Option<bool>) {
    let lower = token.to_ascii_lowercase();
    if lower.ends_with("am") {
        (&token[..token.len() - 2], Some(false))
    } else if lower.ends_with("pm") {
        (&token[..token.len() - 2], Some(true))
    } else {
        (token, None)
    }
}

/// `date` `time` read at `offset`, in UTC; `None` when that local time does not exist.
fn at_offset(date: NaiveDate, time: NaiveTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        parse_date(s).map(|d| d.to_rfc3339())
    }

    #[test]
    fn standard_forms() {
        assert_eq!(
            iso("Tue, 10 Jun 2003 04:00:00 GMT").as_deref(),
            Some("2003-06-10T04:00:00+00:00")
        );
        assert_eq!(
            iso("2003-06-10T04:00:00+02:00").as_deref(),
            Some("2003-06-10T02:00:00+00:00")
        );
    }

    #[test]
    fn the_odd_dates_of_the_corpus() {
        let cases = [
            (
                "Tue, 10 Jun 2003 04:00:00 CEST",
                "2003-06-10T02:00:00+00:00",
            ),
            ("10 Jun 2003", "2003-06-10T00:00:00+00:00"),
            ("2003-06-10T04:00:00", "2003-06-10T04:00:00+00:00"),
            ("2003-06-10 04:00:00", "2003-06-10T04:00:00+00:00"),
            ("2003-06-10T04:00", "2003-06-10T04:00:00+00:00"),
            ("Tue 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00+00:00"),
            (
                "mar., 10 juin 2003 04:00:00 +0200",
                "2003-06-10T02:00:00+00:00",
            ),
            (
                "Di, 10 Jun 2003 04:00:00 +0200",
                "2003-06-10T02:00:00+00:00",
            ),
            ("2020/1/10 14:07:00", "2020-01-10T14:07:00+00:00"),
            ("1686355200", "2023-06-10T00:00:00+00:00"),
            ("Sat, Dec 16 2023 02:02:33 PM", "2023-12-16T14:02:33+00:00"),
            ("Mon, 21 Jan 2008 8:56 am PST", "2008-01-21T16:56:00+00:00"),
            ("Fri 1 Oct 2010 10:00:00 +0000", "2010-10-01T10:00:00+00:00"),
            ("2016-10-29T07:00", "2016-10-29T07:00:00+00:00"),
            ("2003-12", "2003-12-01T00:00:00+00:00"),
            ("2003", "2003-01-01T00:00:00+00:00"),
            ("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21+00:00"),
            ("2003-12-31T10:14:55.117Z", "2003-12-31T10:14:55.117+00:00"),
            (
                "Sun, 3 Jul 2022 18:30:00 +0100 (BST)",
                "2022-07-03T17:30:00+00:00",
            ),
            (
                "Wednesday, 15 March 2023 09:00:00 EST",
                "2023-03-15T14:00:00+00:00",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(iso(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn non_dates_are_none() {
        for input in [
            "",
            "yesterday",
            "Mon, 31 Feb 2003 04:00:00 GMT",
            "soon",
            "12345",
        ] {
            assert_eq!(iso(input), None, "{input}");
        }
    }
}
