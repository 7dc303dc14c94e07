//! Holding a test server's connection open without answering (shared by the feed server and
//! the Google Reader server).

use std::io::Read;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

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
