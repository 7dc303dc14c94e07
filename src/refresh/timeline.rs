//! A refresh's timeline, for finding what bounds it: every 100 ms one `debug` line on the
//! target `kiosque::refresh::timeline` (`KIOSQUE_LOG=kiosque::refresh::timeline=debug`,
//! written to `kiosque.log`) with the requests waiting for their answer, the answers waiting
//! for room for their body, the bodies being read, parsed and written, the bytes and items
//! through each stage, the CPU of the process and of its writer thread, and the resident
//! memory. Off (no sampler, a few relaxed atomic adds per feed) unless that target is on.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// A count of things in one state now (in) or through a stage so far (added).
pub(super) struct Gauge(AtomicI64);

impl Gauge {
    const fn new() -> Gauge {
        Gauge(AtomicI64::new(0))
    }

    pub(super) fn add(&self, n: usize) {
        self.0
            .fetch_add(i64::try_from(n).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// One more in this state until the guard is dropped.
    pub(super) fn enter(&'static self) -> InState {
        self.0.fetch_add(1, Ordering::Relaxed);
        InState(self)
    }

    fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Leaves its state when dropped.
pub(super) struct InState(&'static Gauge);

impl Drop for InState {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Requests sent, no answer yet.
pub(super) static ASKING: Gauge = Gauge::new();
/// Answers with a body, waiting for room among the bodies in hand before it is read.
pub(super) static WAITING_ROOM: Gauge = Gauge::new();
/// Bodies being read.
pub(super) static READING: Gauge = Gauge::new();
/// Bodies read, waiting for a parse slot.
pub(super) static WAITING_PARSE: Gauge = Gauge::new();
/// Bodies being parsed.
pub(super) static PARSING: Gauge = Gauge::new();
/// Fetch results queued for the writer, or in the batch it writes.
pub(super) static WAITING_WRITE: Gauge = Gauge::new();
/// Bytes of bodies read, so far.
pub(super) static BYTES_READ: Gauge = Gauge::new();
/// Items parsed, so far.
pub(super) static ITEMS_PARSED: Gauge = Gauge::new();
/// Items in batches written, so far.
pub(super) static ITEMS_WRITTEN: Gauge = Gauge::new();
/// Feeds whose outcome is known, so far.
pub(super) static FEEDS_DONE: Gauge = Gauge::new();

const TARGET: &str = "kiosque::refresh::timeline";

/// Sample the gauges every 100 ms until dropped, when the timeline's target is enabled.
pub(super) struct Sampler(Option<tokio::task::JoinHandle<()>>);

impl Sampler {
    pub(super) fn start() -> Sampler {
        if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            return Sampler(None);
        }
        let task = tokio::spawn(async move {
            let start = Instant::now();
            let base = [&BYTES_READ, &ITEMS_PARSED, &ITEMS_WRITTEN, &FEEDS_DONE].map(Gauge::get);
            let mut cpu = cpu_ticks();
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                let now = cpu_ticks();
                let [bytes, parsed, written, done] =
                    [&BYTES_READ, &ITEMS_PARSED, &ITEMS_WRITTEN, &FEEDS_DONE]
                        .map(Gauge::get)
                        .into_iter()
                        .zip(base)
                        .map(|(n, b)| n - b)
                        .collect::<Vec<_>>()[..]
                else {
                    continue;
                };
                tracing::debug!(
                    target: TARGET,
                    "t={} asking={} waiting_room={} reading={} waiting_parse={} parsing={} \
                     waiting_write={} kb_read={} items_parsed={} items_written={} feeds_done={} \
                     cpu_ms={} writer_cpu_ms={} rss_mb={:.1}",
                    start.elapsed().as_millis(),
                    ASKING.get(),
                    WAITING_ROOM.get(),
                    READING.get(),
                    WAITING_PARSE.get(),
                    PARSING.get(),
                    WAITING_WRITE.get(),
                    bytes / 1024,
                    parsed,
                    written,
                    done,
                    (now.0 - cpu.0) * 10,
                    (now.1 - cpu.1) * 10,
                    resident_bytes() as f64 / 1e6,
                );
                cpu = now;
            }
        });
        Sampler(Some(task))
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

/// CPU clock ticks (10 ms) of the whole process and of its store writer thread so far, from
/// `/proc` (zeros where there is none).
fn cpu_ticks() -> (i64, i64) {
    let all = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| stat_ticks(&s))
        .map_or(0, |(_, t)| t);
    let writer = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("stat")).ok())
        .filter_map(|s| stat_ticks(&s))
        .filter(|(name, _)| name == "kiosque-store")
        .map(|(_, t)| t)
        .sum();
    (all, writer)
}

/// The process's resident memory, from `/proc/self/statm` (0 where there is none).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split(' ').nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// A thread's (or the process's) name and CPU ticks (user + system) from its `stat` line.
fn stat_ticks(stat: &str) -> Option<(String, i64)> {
    // "tid (comm) state ppid …": the name may hold spaces and parentheses; the fields follow
    // its last ") ".
    let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: i64 = fields.get(11)?.parse().ok()?;
    let stime: i64 = fields.get(12)?.parse().ok()?;
    Some((name.to_string(), utime + stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_left_when_its_guard_drops() {
        static IN: Gauge = Gauge::new();
        let first = IN.enter();
        let second = IN.enter();
        assert_eq!(IN.get(), 2);
        drop(first);
        assert_eq!(IN.get(), 1);
        drop(second);
        assert_eq!(IN.get(), 0);
    }

    #[test]
    fn a_stat_line_gives_its_name_and_user_plus_system_ticks() {
        let line = "4242 (kiosque-store) S 1 4242 4242 0 -1 4194368 900 0 0 0 370 25 0 0 20 0 9";
        assert_eq!(stat_ticks(line), Some(("kiosque-store".to_string(), 395)));
        let odd = "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 12 3 0 0";
        assert_eq!(stat_ticks(odd), Some(("a) b (c".to_string(), 15)));
        assert_eq!(stat_ticks("garbage"), None);
    }
}
