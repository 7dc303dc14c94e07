//! The HTTP/1.1 plumbing the test servers share (the feed server and the Google Reader
//! server): an accept loop on 127.0.0.1 with a thread per connection, reading one request,
//! writing one fixed answer, and holding a connection open without answering.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// Listen on a free loopback port; each connection goes to `handle` on its own thread until
/// the returned flag is set (a server sets it when dropped).
pub fn serve(
    handle: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static,
) -> (SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let stop = Arc::new(AtomicBool::new(false));
    let (handle, stopped) = (Arc::new(handle), stop.clone());
    thread::spawn(move || {
        while !stopped.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((socket, _)) => {
                    let (handle, stopped) = (handle.clone(), stopped.clone());
                    thread::spawn(move || {
                        let _ = socket.set_nonblocking(false);
                        handle(socket, &stopped);
                    });
                }
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (addr, stop)
}

/// One request: its method, target (path and query), headers (names lower-cased) and body.
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The value of the header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Read one request, its body as long as Content-Length says. `None` when the client left,
/// or sent a TLS ClientHello (answered in plain text, as a misconfigured server would, so
/// the client's handshake fails at once).
pub fn read_request(socket: &mut TcpStream) -> Option<Request> {
    socket.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = socket.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if data.is_empty() && buf[0] == 0x16 {
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut request = Request {
        method,
        target,
        headers,
        body: data[head_end..].to_vec(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while request.body.len() < length {
        match socket.read(&mut buf) {
            Ok(n) if n > 0 => request.body.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    Some(request)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Answer `status` with `headers` and `body` (its length given), then close.
pub fn write_fixed(socket: &mut TcpStream, status: u16, headers: &[(String, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\n",
        reason(status)
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let _ = socket.write_all(head.as_bytes());
    let _ = socket.write_all(body);
    let _ = socket.flush();
}

/// Keep the connection open without answering until the client leaves or `stop` is set.
pub fn hang(socket: &mut TcpStream, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(50));
        let mut probe = [0u8; 1];
        let _ = socket.set_read_timeout(Some(Duration::from_millis(10)));
        if matches!(socket.read(&mut probe), Ok(0)) {
            return;
        }
    }
}
