//! The real `kiosque` binary in a pseudo-terminal for TUI tests: opening the pty, the command
//! with a terminal type, a thread that feeds the output to a vt100 parser, and waits that poll
//! the parsed screen or the process (no fixed sleeps). `KIOSQUE_TEST_WAIT_MS` sets how long a
//! wait may take (default 30 s). Included with `#[path = "common/pty.rs"] mod pty;`.

#![allow(dead_code, reason = "each test uses a different part of the helper")]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtyPair, PtySize};

/// How long one wait may take: `KIOSQUE_TEST_WAIT_MS`, else 30 s.
pub fn wait_limit() -> Duration {
    let ms = std::env::var("KIOSQUE_TEST_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    Duration::from_millis(ms)
}

/// A terminal dimension as vt100 takes it.
pub fn size(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

/// A pseudo-terminal of `rows` by `cols`.
pub fn open(rows: u16, cols: u16) -> PtyPair {
    portable_pty::native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap()
}

/// The `kiosque` binary with `TERM=xterm-256color`; the caller adds arguments and environment.
pub fn kiosque_command() -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_kiosque"));
    command.env("TERM", "xterm-256color");
    command
}

/// `kiosque --demo` with the config file `config`, its throw-away data dir made under `tmp`
/// (`TMPDIR`) and a browser that does nothing.
pub fn demo_command(config: &std::path::Path, tmp: &std::path::Path) -> CommandBuilder {
    let mut command = kiosque_command();
    command.arg("--demo");
    command.env("KIOSQUE_CONFIG", config);
    command.env("BROWSER", "true");
    command.env("TMPDIR", tmp);
    command
}

/// `kiosque --data-dir DATA` with the config file `config`.
pub fn data_dir_command(data: &std::path::Path, config: &std::path::Path) -> CommandBuilder {
    let mut command = kiosque_command();
    command.arg("--data-dir");
    command.arg(data);
    command.env("KIOSQUE_CONFIG", config);
    command
}

/// A thread that feeds everything the terminal writes to `parser` until the terminal closes,
/// also keeping every byte (returned beside the thread), and letting go of the terminal after the first read once the returned flag is set.
pub fn read_and_keep_into<CB: vt100::Callbacks + Send + 'static>(
    master: &dyn MasterPty,
    parser: Arc<Mutex<vt100::Parser<CB>>>,
) -> (JoinHandle<()>, Arc<Mutex<Vec<u8>>>, Arc<AtomicBool>) {
    let raw = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (kept, stopped) = (raw.clone(), stop.clone());
    let mut reader = master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            parser.lock().unwrap().process(&buf[..n]);
            kept.lock().unwrap().extend_from_slice(&buf[..n]);
            if stopped.load(Ordering::SeqCst) {
                break; // drops the reading thread's handle on the terminal's master side
            }
        }
    });
    (reading, raw, stop)
}

/// kiosque running in a terminal: the child, its parsed screen (fed by `reading`), the keys'
/// way in, and the terminal's master side.
pub struct Session<CB: vt100::Callbacks = ()> {
    pub child: Box<dyn Child + Send + Sync>,
    pub parser: Arc<Mutex<vt100::Parser<CB>>>,
    pub reading: JoinHandle<()>,
    pub writer: Box<dyn Write + Send>,
    pub master: Box<dyn MasterPty + Send>,
    /// Every byte the terminal was sent.
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// Set to make the reading thread let go of the terminal after its next read.
    pub stop_reading: Arc<AtomicBool>,
}

/// Run `command` in a new terminal of `rows` x `cols`, its output parsed by a reading thread.
pub fn spawn(command: CommandBuilder, rows: u16, cols: u16) -> Session {
    spawn_parsed(command, vt100::Parser::new(size(rows), size(cols), 0))
}

/// [`spawn`] in a terminal of the parser's size, its output fed to `parser`.
pub fn spawn_parsed<CB: vt100::Callbacks + Send + 'static>(
    command: CommandBuilder,
    parser: vt100::Parser<CB>,
) -> Session<CB> {
    let (rows, cols) = parser.screen().size();
    let pair = open(rows.get(), cols.get());
    let child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(parser));
    let (reading, raw, stop_reading) = read_and_keep_into(&*pair.master, parser.clone());
    let writer = pair.master.take_writer().unwrap();
    Session {
        child,
        parser,
        reading,
        writer,
        master: pair.master,
        raw,
        stop_reading,
    }
}

impl<CB: vt100::Callbacks> Session<CB> {
    /// Type `keys` into the terminal.
    pub fn press(&mut self, keys: &[u8]) {
        self.writer.write_all(keys).unwrap();
        self.writer.flush().unwrap();
    }

    /// [`wait_for_screen`] on this session's screen.
    pub fn wait_for(&self, what: &str, until: impl Fn(&str) -> bool) -> String {
        wait_for_screen(&self.parser, what, until)
    }

    /// [`exit_ok`] for this session.
    pub fn exit_ok(mut self) {
        exit_ok(&mut *self.child, self.writer, self.master, self.reading);
    }
}

/// Wait until kiosque exits (it was asked to quit), failing if it does not or fails; then
/// close the terminal and let the reading thread finish.
pub fn exit_ok(
    child: &mut (dyn Child + Send + Sync),
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    reading: JoinHandle<()>,
) {
    let status = wait_exit(child, "kiosque did not exit after it was asked to quit");
    assert!(status.success(), "exit status {status:?}");
    drop(writer);
    drop(master);
    let _ = reading.join();
}

/// Poll the parsed screen until `until` holds for its text, and return that text; fail
/// naming `what` when the wait limit passes.
pub fn wait_for_screen<CB: vt100::Callbacks>(
    parser: &Mutex<vt100::Parser<CB>>,
    what: &str,
    until: impl Fn(&str) -> bool,
) -> String {
    let start = Instant::now();
    loop {
        let contents = parser.lock().unwrap().screen().contents();
        if until(&contents) {
            return contents;
        }
        assert!(
            start.elapsed() < wait_limit(),
            "timed out waiting for {what}; screen:\n{contents}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait for the process to end and return its status; when the wait limit passes, kill it
/// and fail with `failure`.
pub fn wait_exit(child: &mut (dyn Child + Send + Sync), failure: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() >= wait_limit() {
            let _ = child.kill();
            panic!("{failure}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
