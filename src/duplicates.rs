//! The keys that tell one story apart from another across feeds: an item's canonical URL
//! (tracking parameters, fragment, scheme and `www.` dropped) and its normalised title. Pure
//! functions; the store computes both at insert time and groups copies with them.

use crate::text::fold_for_search;

/// How far apart two items with the same normalised title may be published and still be one
/// story: 48 hours.
pub const TITLE_WINDOW_SECS: i64 = 48 * 3600;

/// A title shorter than this (in words) is too generic to name one story ("Podcast",
/// "Weekly links"): only its URL can make it a duplicate.
const MIN_TITLE_WORDS: usize = 4;
/// ...and shorter than this (in characters, after normalising) too.
const MIN_TITLE_CHARS: usize = 20;

/// Query parameters that only say where a click came from (named exactly, lower case).
const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "gclsrc", "dclid", "yclid", "msclkid", "mc_cid", "mc_eid", "igshid",
    "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "referrer", "src", "source",
    "cmpid", "xtor", "ocid", "ncid", "s_cid", "wt.mc_id", "feature", "partner", "rss", "spm",
];

/// Tracking parameters named by a prefix (`utm_source`, `at_medium`…).
const TRACKING_PREFIXES: &[&str] = &["utm_", "at_", "pk_", "mtm_"];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&name.as_str())
        || TRACKING_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The article URL as a key: host (without `www.`), path (without a trailing `/`) and the
/// query parameters that are not tracking, sorted; no scheme, no fragment. `None` for what
/// cannot name one article: not http(s), unparsable, or a site's home page.
pub fn canonical_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !crate::url_safety::is_web_scheme(parsed.scheme()) {
        return None;
    }
    let host = parsed.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = parsed.path().trim_end_matches('/');
    let mut params: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| !is_tracking(name))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if path.is_empty() && params.is_empty() {
        return None;
    }
    params.sort();
    let mut key = String::with_capacity(host.len() + path.len() + 16);
    key.push_str(host);
    if let Some(port) = parsed.port() {
        key.push(':');
        key.push_str(&port.to_string());
    }
    key.push_str(path);
    for (i, (name, value)) in params.iter().enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.push_str(name);
        if !value.is_empty() {
            key.push('=');
            key.push_str(value);
        }
    }
    Some(key)
}

/// The title as a key: folded (case, accents), every run of non-alphanumeric characters one
/// space. `None` for a title too short or generic to name one story.
pub fn title_key(title: &str) -> Option<String> {
    let folded = fold_for_search(title);
    let mut key = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    let words = key.split(' ').count();
    (words >= MIN_TITLE_WORDS && key.chars().count() >= MIN_TITLE_CHARS).then_some(key)
}

/// The words of a title that can tell stories apart: folded, three characters or more.
fn significant_words(title: &str) -> std::collections::HashSet<String> {
    fold_for_search(title)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_string)
        .collect()
}

/// Whether two items with the same canonical URL tell the same story: more than half of the
/// shorter title's words are in the other one (a title with no such word cannot disagree).
/// Pages that put several stories at one address (a day's posts as `#fragments` of one page,
/// a placeholder link shared by every listing) carry different titles: they stay apart.
pub fn titles_agree(a: &str, b: &str) -> bool {
    let (a, b) = (significant_words(a), significant_words(b));
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return true;
    }
    let shared = a.intersection(&b).count();
    shared * 2 > smaller
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_parameters_fragment_scheme_and_www_do_not_change_the_key() {
        let plain = canonical_url("https://www.example.org/2026/11/story").unwrap();
        for url in [
            "http://example.org/2026/11/story/",
            "https://example.org/2026/11/story?utm_source=rss&utm_medium=feed#comments",
            "https://www.example.org/2026/11/story?fbclid=abc&gclid=x&mc_cid=1&mc_eid=2",
            "https://EXAMPLE.org/2026/11/story?ref=hn&xtor=RSS-3",
        ] {
            assert_eq!(canonical_url(url).as_deref(), Some(plain.as_str()), "{url}");
        }
        assert_eq!(plain, "example.org/2026/11/story");
    }

    #[test]
    fn parameters_that_name_the_article_stay_sorted() {
        assert_eq!(
            canonical_url("https://example.org/read.php?p=2&id=7&utm_campaign=x").as_deref(),
            Some("example.org/read.php?id=7&p=2")
        );
        assert_ne!(
            canonical_url("https://example.org/read.php?id=7"),
            canonical_url("https://example.org/read.php?id=8")
        );
    }

    #[test]
    fn home_pages_and_other_schemes_name_no_article() {
        assert_eq!(canonical_url("https://www.example.org/"), None);
        assert_eq!(canonical_url("https://example.org/?utm_source=x"), None);
        assert_eq!(canonical_url("mailto:a@example.org"), None);
        assert_eq!(canonical_url("not a url"), None);
    }

    #[test]
    fn titles_fold_case_accents_and_punctuation() {
        assert_eq!(
            title_key("L'Émulation  ARM : le grand retour !"),
            title_key("l’emulation arm — le grand retour")
        );
        assert_eq!(
            title_key("The Rust Foundation's new fund").as_deref(),
            Some("the rust foundation s new fund")
        );
    }

    #[test]
    fn one_address_with_unrelated_titles_is_not_one_story() {
        assert!(titles_agree(
            "🚀 Reusable rocket lands after record third flight in a week",
            "Reusable rocket lands after a record third flight in one week"
        ));
        assert!(titles_agree(
            "Rocket lands again",
            "Rocket lands (partner copy)"
        ));
        assert!(titles_agree("", "Anything"));
        // Scripting News: a day's posts are fragments of one page.
        assert!(!titles_agree(
            "Good morning students and teachers!",
            "This is the human side of Health care is socialist."
        ));
        assert!(!titles_agree(
            "Google Mini",
            "Google's 2005 Halloween Fright Fest"
        ));
    }

    #[test]
    fn short_generic_titles_are_no_key() {
        assert_eq!(title_key("Podcast"), None);
        assert_eq!(title_key("Weekly links #12"), None);
        assert_eq!(title_key("a b c d"), None);
    }
}
