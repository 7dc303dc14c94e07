//! HTTPS on loopback for tests and the latency benchmark's server: the test CA's leaf
//! certificate loaded into rustls, and one accepted connection served over HTTP/2 when ALPN
//! picked h2, else HTTP/1.1. Used by `tests/refresh_h2.rs` and `examples/net_server.rs`.

use anyhow::Context;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::path::{Path, PathBuf};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The test CA's files (`tests/fixtures/tls`: ca.pem, leaf.pem, leaf.key; valid to 2126).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// An acceptor for the certificate chain in `cert` and the key in `key`, offering h2 then
/// http/1.1 by ALPN, or http/1.1 alone when `h1_only`.
pub fn acceptor(cert: &Path, key: &Path, h1_only: bool) -> anyhow::Result<TlsAcceptor> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", cert.display()))?;
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = if h1_only {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    Ok(TlsAcceptor::from(std::sync::Arc::new(config)))
}

/// Complete the handshake on `tcp` and serve its requests with `answer` until the client
/// closes. `on_handshake(h2)` is told whether ALPN picked HTTP/2; a failed handshake returns
/// without calling it. HTTP/2 connections announce `max_streams` concurrent streams.
pub async fn serve_connection<F, Fut>(
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    max_streams: u32,
    on_handshake: impl FnOnce(bool),
    answer: F,
) where
    F: Fn(Request<Incoming>) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Response<http_body_util::Full<Bytes>>> + Send + 'static,
{
    let Ok(tls) = acceptor.accept(tcp).await else {
        return;
    };
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    on_handshake(h2);
    let io = TokioIo::new(tls);
    let service = hyper::service::service_fn(move |request| {
        let answer = answer.clone();
        async move { Ok::<_, std::convert::Infallible>(answer(request).await) }
    });
    if h2 {
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .max_concurrent_streams(max_streams)
            .serve_connection(io, service)
            .await;
    } else {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    }
}
