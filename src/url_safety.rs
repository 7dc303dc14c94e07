//! The one rule for which URLs kiosque fetches, follows, stores as links or hands to a browser:
//! http(s) with a host. Never `javascript:`, `data:`, `file:`, `exec:` or anything else.

use url::Url;

/// Whether a URL scheme is one kiosque deals with (`http`, `https`; `Url` lowercases it).
pub fn is_web_scheme(scheme: &str) -> bool {
    matches!(scheme, "http" | "https")
}

/// Whether a parsed URL is a web URL: http(s) with a host.
pub fn is_web(url: &Url) -> bool {
    is_web_scheme(url.scheme()) && url.host_str().is_some_and(|host| !host.is_empty())
}

/// Whether a string is an absolute web URL (see [`is_web`]).
pub fn is_web_url(raw: &str) -> bool {
    Url::parse(raw.trim()).is_ok_and(|url| is_web(&url))
}

/// `href` resolved against `base`, kept only when the result is a web URL.
pub fn join_web_url(base: &Url, href: &str) -> Option<Url> {
    base.join(href.trim()).ok().filter(is_web)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_with_a_host_pass() {
        assert!(is_web_url("https://example.org/a"));
        assert!(is_web_url("HTTP://127.0.0.1:8080/"));
        assert!(is_web_url(" http://example.org/ "));
        for refused in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "ftp://example.org/",
            "exec:rm",
            "|cmd",
            "/relative",
            "",
        ] {
            assert!(!is_web_url(refused), "{refused}");
        }
    }

    #[test]
    fn relative_links_are_joined_then_checked() {
        let base = Url::parse("https://example.org/a/b").unwrap();
        assert_eq!(
            join_web_url(&base, " c?d=1 ").map(String::from).as_deref(),
            Some("https://example.org/a/c?d=1")
        );
        assert_eq!(join_web_url(&base, "javascript:alert(1)"), None);
        assert_eq!(join_web_url(&base, "mailto:a@b.c"), None);
    }
}
