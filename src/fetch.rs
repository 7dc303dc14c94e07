//! One shared HTTP client for feeds and pages: connect and total timeouts, a body cap that
//! aborts early (also on decompressed size), redirects followed by hand (at most 10, http(s)
//! only, permanent moves reported), conditional GET, Retry-After.

use crate::config::Config;
use crate::error::FetchError;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;

/// The user agent every request carries.
pub const USER_AGENT: &str = concat!("kiosque/", env!("CARGO_PKG_VERSION"));

/// Validators from the last successful fetch, sent back as `If-None-Match`/`If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a server answered (after redirects). Only 2xx answers carry a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    pub status: u16,
    /// Where the answer came from after redirects.
    pub final_url: Url,
    /// Every hop was permanent (301/308): subscriptions should move to `final_url`.
    pub moved_permanently: bool,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// From `Retry-After` (seconds or an HTTP date), on 429/503.
    pub retry_after: Option<DateTime<Utc>>,
    /// The body, decompressed, at most the configured cap. Empty unless 2xx.
    pub body: Vec<u8>,
    /// The answer came over HTTP/2 (or later): one connection carries many requests at once.
    pub multiplexed: bool,
}

impl FetchResponse {
    /// 304 Not Modified.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An API answer of any status, with its headers and its (capped) body.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// An article page, decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPage {
    pub final_url: Url,
    pub content_type: Option<String>,
    pub html: String,
}

#[derive(Debug)]
struct Limits {
    total: Duration,
    max_body_bytes: u64,
}

/// A server's answer whose body is not read yet ([`Fetcher::ask`]).
#[derive(Debug)]
pub struct Answer {
    response: reqwest::Response,
    final_url: Url,
    moved_permanently: bool,
    /// What is left of the total timeout for the body.
    time_left: Duration,
    limits: Arc<Limits>,
}

impl Answer {
    /// 2xx: a body follows.
    pub fn is_success(&self) -> bool {
        self.response.status().is_success()
    }

    /// The answer came over HTTP/2 (or later): one connection carries many requests at once.
    pub fn multiplexed(&self) -> bool {
        is_multiplexed(self.response.version())
    }

    /// The second half of [`Fetcher::get`]: read the body (2xx only, at most the cap) within
    /// what is left of the total timeout.
    pub async fn read(self) -> Result<FetchResponse, FetchError> {
        let limits = self.limits;
        let read = Answer::finish(
            &limits,
            self.response,
            self.final_url,
            self.moved_permanently,
        );
        match tokio::time::timeout(self.time_left, read).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                seconds: limits.total.as_secs(),
            }),
        }
    }

    async fn finish(
        limits: &Limits,
        mut response: reqwest::Response,
        final_url: Url,
        moved_permanently: bool,
    ) -> Result<FetchResponse, FetchError> {
        let status = response.status().as_u16();
        let multiplexed = is_multiplexed(response.version());
        let headers = response.headers();
        let content_type = header_text(headers, header::CONTENT_TYPE);
        let etag = header_text(headers, header::ETAG);
        let last_modified = header_text(headers, header::LAST_MODIFIED);
        let retry_after = header_text(headers, header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(&v, Utc::now()));
        let body = if response.status().is_success() {
            read_capped(&mut response, limits.max_body_bytes, limits.total).await?
        } else {
            Vec::new()
        };
        Ok(FetchResponse {
            status,
            final_url,
            moved_permanently,
            content_type,
            etag,
            last_modified,
            retry_after,
            body,
            multiplexed,
        })
    }
}

fn is_multiplexed(version: reqwest::Version) -> bool {
    matches!(version, reqwest::Version::HTTP_2 | reqwest::Version::HTTP_3)
}

/// The most a body's declared length reserves before its bytes arrive.
const PREALLOCATED_AT_MOST: u64 = 4 << 20;

/// A response's body, refused as soon as it is known to pass `cap` bytes (its declared
/// length, or what has arrived); `total` names the timeout in a transport error.
async fn read_capped(
    response: &mut reqwest::Response,
    cap: u64,
    total: Duration,
) -> Result<Vec<u8>, FetchError> {
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(FetchError::TooLarge { limit_bytes: cap });
    }
    // Sized once from the declared length (a body grown by doubling held up to twice its
    // size, and was copied each time); a length the server only declares is trusted up to
    // `PREALLOCATED_AT_MOST`.
    let declared = response
        .content_length()
        .map_or(0, |len| len.min(PREALLOCATED_AT_MOST));
    let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e, total))? {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(FetchError::TooLarge { limit_bytes: cap });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The shared client. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limits: Arc<Limits>,
}

/// Parse a URL a user or a document gave, accepting only http(s).
pub fn parse_http_url(raw: &str) -> Result<Url, FetchError> {
    let url = Url::parse(raw.trim()).map_err(|e| FetchError::InvalidUrl {
        url: crate::text::sanitize_line(raw),
        reason: match e {
            // "example.com": the user left out the scheme.
            url::ParseError::RelativeUrlWithoutBase => format!(
                "it has no scheme; did you mean https://{}?",
                crate::text::sanitize_line(raw.trim().trim_start_matches('/'))
            ),
            other => other.to_string(),
        },
    })?;
    if crate::url_safety::is_web(&url) {
        return Ok(url);
    }
    match url.scheme() {
        scheme if crate::url_safety::is_web_scheme(scheme) => Err(FetchError::InvalidUrl {
            url: crate::text::sanitize_line(raw),
            reason: "no host".into(),
        }),
        _ => Err(FetchError::UnsupportedScheme {
            url: crate::text::sanitize_line(raw),
        }),
    }
}

fn install_crypto_provider() {
    // The ring provider compiles in seconds where aws-lc-rs takes minutes; a second install
    // (another Fetcher) answers Err, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Checks servers' certificates against the system's roots (the platform verifier, which
/// reads `SSL_CERT_FILE` too), read on the first certificate to check: the ~150 system
/// certificates cost milliseconds of a refresh's start, and a refresh of plain http feeds,
/// or of https feeds that all answer from reused connections, never needs them. Handshake
/// signatures are checked as the platform verifier checks them (the provider's algorithms),
/// without the roots.
#[derive(Debug)]
struct SystemRootsOnFirstUse {
    provider: Arc<rustls::crypto::CryptoProvider>,
    roots: std::sync::OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl SystemRootsOnFirstUse {
    fn new(provider: Arc<rustls::crypto::CryptoProvider>) -> SystemRootsOnFirstUse {
        SystemRootsOnFirstUse {
            provider,
            roots: std::sync::OnceLock::new(),
        }
    }

    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.roots
            .get_or_init(|| rustls_platform_verifier::Verifier::new(self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl rustls::client::danger::ServerCertVerifier for SystemRootsOnFirstUse {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The client's TLS set-up, as reqwest would make it (TLS 1.2 and 1.3, SNI, ALPN `h2` then
/// `http/1.1`) but with the system's roots read on first use ([`SystemRootsOnFirstUse`]).
fn tls_config() -> Result<rustls::ClientConfig, FetchError> {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Network {
            detail: format!("cannot set up TLS: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(SystemRootsOnFirstUse::new(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Turn a reqwest error into a message a user can act on.
fn describe(error: &reqwest::Error, total: Duration) -> FetchError {
    if error.is_timeout() {
        return FetchError::Timeout {
            seconds: total.as_secs(),
        };
    }
    let mut chain = String::new();
    let mut tls = false;
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        tls |= e.downcast_ref::<rustls::Error>().is_some()
            || e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
        let text = e.to_string();
        if !chain.contains(&text) {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&text);
        }
        source = e.source();
    }
    let detail = crate::text::sanitize_line(&chain);
    let lower = detail.to_lowercase();
    if tls
        || [
            "certificate",
            "handshake",
            "corrupt message",
            "alert",
            "tls",
            "ssl",
        ]
        .iter()
        .any(|k| lower.contains(k))
    {
        FetchError::Tls { detail }
    } else if error.is_connect() {
        FetchError::Connect { detail }
    } else {
        FetchError::Network { detail }
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `Retry-After` as seconds or an HTTP date, capped at a week (a hostile server could say 10^9).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    const WEEK: i64 = 7 * 86_400;
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        let seconds = i64::try_from(seconds).unwrap_or(WEEK).min(WEEK);
        return Some(now + chrono::Duration::seconds(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(date.min(now + chrono::Duration::seconds(WEEK)).max(now))
}

impl Fetcher {
    /// Build the shared client from the config's timeouts and size cap.
    pub fn new(config: &Config) -> Result<Fetcher, FetchError> {
        install_crypto_provider();
        let total = Duration::from_secs(config.timeout_seconds);
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(config.connect_timeout_seconds))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(config.per_host.max(1))
            .tls_backend_preconfigured(tls_config()?)
            .build()
            .map_err(|e| FetchError::Network {
                detail: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(Fetcher {
            client,
            limits: Arc::new(Limits {
                total,
                max_body_bytes: config.max_body_bytes,
            }),
        })
    }

    /// GET `url`, following redirects, with conditional headers. Non-2xx statuses are answers,
    /// not errors (the caller decides: 304, 410, 429…); transport failures are errors.
    /// The whole exchange, body included, is bounded by the total timeout.
    pub async fn get(
        &self,
        url: &str,
        conditional: &Conditional,
    ) -> Result<FetchResponse, FetchError> {
        self.ask(url, conditional).await?.read().await
    }

    /// The first half of [`Fetcher::get`]: the final answer's status and headers (redirects
    /// followed), its body not read yet. A caller that bounds the bodies it holds (a refresh:
    /// read, not yet parsed and written) waits for room between the two halves, so a request
    /// still waiting for its answer holds no body's room, nor a 304. The total timeout
    /// covers both halves; the time between them is the caller's, not the server's.
    pub async fn ask(&self, url: &str, conditional: &Conditional) -> Result<Answer, FetchError> {
        let url = parse_http_url(url)?;
        let total = self.limits.total;
        let asked = tokio::time::Instant::now();
        let (response, final_url, moved_permanently) =
            tokio::time::timeout(total, self.answer(url, conditional))
                .await
                .map_err(|_| FetchError::Timeout {
                    seconds: total.as_secs(),
                })??;
        Ok(Answer {
            response,
            final_url,
            moved_permanently,
            time_left: total.saturating_sub(asked.elapsed()),
            limits: self.limits.clone(),
        })
    }

    /// Send the request, following redirects, up to the final answer's headers: that
    /// answer, where it came from, and whether every hop was a permanent move.
    async fn answer(
        &self,
        start: Url,
        conditional: &Conditional,
    ) -> Result<(reqwest::Response, Url, bool), FetchError> {
        let mut url = start;
        let mut permanent = true;
        let mut seen = vec![url.clone()];
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.client.get(url.clone());
            if let Some(v) = conditional
                .etag
                .as_deref()
                .and_then(|e| HeaderValue::from_str(e).ok())
            {
                request = request.header(header::IF_NONE_MATCH, v);
            }
            if let Some(v) = conditional
                .last_modified
                .as_deref()
                .and_then(|d| HeaderValue::from_str(d).ok())
            {
                request = request.header(header::IF_MODIFIED_SINCE, v);
            }
            let response = request
                .send()
                .await
                .map_err(|e| describe(&e, self.limits.total))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location =
                    header_text(response.headers(), header::LOCATION).ok_or_else(|| {
                        FetchError::Status {
                            status: status.as_u16(),
                            reason: Some("redirect without a Location".into()),
                        }
                    })?;
                let next = url.join(&location).map_err(|e| FetchError::InvalidUrl {
                    url: crate::text::sanitize_line(&location),
                    reason: format!("bad redirect target: {e}"),
                })?;
                if !crate::url_safety::is_web(&next) {
                    return Err(FetchError::UnsupportedScheme {
                        url: crate::text::sanitize_line(next.as_str()),
                    });
                }
                if seen.contains(&next) {
                    return Err(FetchError::TooManyRedirects {
                        limit: MAX_REDIRECTS,
                    });
                }
                permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                seen.push(next.clone());
                url = next;
                continue;
            }
            let moved = permanent && seen.len() > 1;
            return Ok((response, url, moved));
        }
        Err(FetchError::TooManyRedirects {
            limit: MAX_REDIRECTS,
        })
    }

    /// Send a request built on [`Fetcher::client`] (API calls: sync) under the same total
    /// timeout, reading the body whatever the status, at most `cap` bytes. Redirects are not
    /// followed: an API answering with one is the caller's error to report.
    pub async fn send_capped(
        &self,
        request: reqwest::RequestBuilder,
        cap: u64,
    ) -> Result<ApiResponse, FetchError> {
        let total = self.limits.total;
        let exchange = async {
            let mut response = request.send().await.map_err(|e| describe(&e, total))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = read_capped(&mut response, cap, total).await?;
            Ok(ApiResponse {
                status,
                headers,
                body,
            })
        };
        match tokio::time::timeout(total, exchange).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                seconds: total.as_secs(),
            }),
        }
    }

    /// The shared client, to build API requests sent with [`Fetcher::send_capped`].
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The configured body cap, in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        self.limits.max_body_bytes
    }

    /// Fetch an HTML page and decode it (charset from the header, BOM or `<meta>`).
    /// Non-2xx answers are [`FetchError::Status`].
    pub async fn get_page(&self, url: &str) -> Result<FetchedPage, FetchError> {
        let response = self.get(url, &Conditional::default()).await?;
        if !response.is_success() {
            return Err(FetchError::Status {
                status: response.status,
                reason: StatusCode::from_u16(response.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map(str::to_string),
            });
        }
        let html = crate::charset::decode_html(&response.body, response.content_type.as_deref());
        Ok(FetchedPage {
            final_url: response.final_url,
            content_type: response.content_type,
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_http_urls_are_fetched() {
        assert!(parse_http_url("https://example.org/feed").is_ok());
        assert!(matches!(
            parse_http_url("file:///etc/passwd"),
            Err(FetchError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            parse_http_url("|rm -rf ~"),
            Err(FetchError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_http_url("javascript:alert(1)"),
            Err(FetchError::UnsupportedScheme { .. })
        ));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_is_capped() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(now + chrono::Duration::seconds(120))
        );
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 13:00:00 GMT", now),
            Some(now + chrono::Duration::hours(1))
        );
        assert_eq!(
            parse_retry_after("999999999999", now),
            Some(now + chrono::Duration::days(7))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_client_builds_with_the_ring_provider() {
        assert!(Fetcher::new(&Config::default()).is_ok());
    }
}
