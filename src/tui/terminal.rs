//! Entering and leaving the full-screen terminal: raw mode, alternate screen, mouse capture,
//! and a panic hook that restores the terminal before the panic message is printed.

use std::io::{self, Stdout, Write};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped (normal exit, `?` errors, unwinding).
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Switch to the full-screen mode. Keep the returned guard alive while the TUI runs.
pub fn enter() -> io::Result<(Tui, TerminalGuard)> {
    install_panic_hook();
    enable_raw_mode()?;
    let guard = TerminalGuard;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// The signals that ask the TUI to stop. Installed, they replace the default action (dying
/// with the screen left in raw mode, alternate screen and mouse reporting) with a normal exit.
pub struct StopSignals {
    #[cfg(unix)]
    signals: Vec<(tokio::signal::unix::Signal, &'static str)>,
}

impl StopSignals {
    /// Take over SIGTERM, SIGINT and SIGHUP. Call inside a tokio runtime.
    pub fn install() -> io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                signals: vec![
                    (signal(SignalKind::terminate())?, "SIGTERM"),
                    (signal(SignalKind::interrupt())?, "SIGINT"),
                    (signal(SignalKind::hangup())?, "SIGHUP"),
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// Wait for one of them; returns its name.
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let waits = self.signals.iter_mut().map(|(signal, name)| {
                Box::pin(async move {
                    signal.recv().await;
                    *name
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// Leave the full-screen mode. Safe to call more than once.
pub fn restore() -> io::Result<()> {
    let mut out = io::stdout();
    let raw = disable_raw_mode();
    execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show)?;
    out.flush()?;
    raw
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    let ui_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            // Without this the message would land on the alternate screen and vanish.
            let _ = restore();
            previous(info);
        } else {
            // A panic on a worker or blocking thread (often one we catch: a parser on hostile
            // input) must neither tear down the screen nor print over it: log it instead.
            tracing::error!("panic on a background thread: {info}");
        }
    }));
}

/// The OSC 52 sequence that puts `text` on the clipboard (one write, base64).
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_one_base64_sequence() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi"), "aGk=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(osc52("https://a.b/"), "\x1b]52;c;aHR0cHM6Ly9hLmIv\x07");
    }
}
