//! Where start-up time goes: named marks since the process began, logged once when the first
//! screen with headlines is drawn (`kiosque.log`, info), so a slow start can be told apart by
//! phase (config, store, runtime, terminal, first list) on the user's own machine.

use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Marks {
    begun: Option<Instant>,
    marks: Vec<(&'static str, Duration)>,
}

static MARKS: Mutex<Marks> = Mutex::new(Marks {
    begun: None,
    marks: Vec::new(),
});

/// The process started: later marks count from here. Call first thing in `main`.
pub fn begin() {
    if let Ok(mut m) = MARKS.lock() {
        m.begun = Some(Instant::now());
        m.marks.clear();
    }
}

/// A phase ended now (ignored before [`begin`] and after 32 marks).
pub fn mark(phase: &'static str) {
    if let Ok(mut m) = MARKS.lock()
        && let Some(begun) = m.begun
        && m.marks.len() < 32
    {
        m.marks.push((phase, begun.elapsed()));
    }
}

/// The marks so far as one line (`config 1.2 ms, store 2.0 ms, …`), then forgets them: the
/// report is written once per process. On Linux it ends with the CPU time all threads used so
/// far and the time they waited for a CPU (`/proc/self/task/*/schedstat`): on a busy machine
/// the wall clock says little, the CPU time what a quiet one would see.
pub fn take_report() -> Option<String> {
    let mut m = MARKS.lock().ok()?;
    m.begun?;
    m.begun = None;
    let marks = std::mem::take(&mut m.marks);
    let mut report = marks
        .iter()
        .map(|(phase, at)| format!("{phase} {:.1} ms", at.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some((on_cpu, waiting)) = process_schedstat() {
        report.push_str(&format!(
            " (threads: {:.1} ms on a CPU, {:.1} ms waiting for one)",
            on_cpu.as_secs_f64() * 1000.0,
            waiting.as_secs_f64() * 1000.0
        ));
    }
    Some(report)
}

/// Time on a CPU and time waiting for one, summed over this process's threads.
fn process_schedstat() -> Option<(Duration, Duration)> {
    let (mut on_cpu, mut waiting) = (0u64, 0u64);
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(run)), Some(Ok(wait))) = (fields.next(), fields.next()) {
            on_cpu += run;
            waiting += wait;
        }
    }
    Some((Duration::from_nanos(on_cpu), Duration::from_nanos(waiting)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_reported_once_in_order() {
        begin();
        mark("config");
        mark("store");
        let report = take_report().expect("begun");
        let config = report.find("config ").expect("config mark");
        let store = report.find("store ").expect("store mark");
        assert!(config < store, "{report}");
        assert!(report.contains(" ms"), "{report}");
        assert_eq!(take_report(), None);
        mark("late");
        assert_eq!(take_report(), None);
    }
}
