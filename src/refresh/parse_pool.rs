//! The refresh's parse threads: one per core, a refresh's own, each a step below the other
//! threads in the scheduler's eyes (Linux: nice +5), so that the store writer, the one thread
//! every feed waits for, is not slowed down by the parses that feed it when the cores are busy.

use std::sync::{Arc, Mutex, mpsc};

/// How much nicer than the rest of the process a parse thread is. At +5 the scheduler gives
/// a nice-0 thread three times its share of a contended core: the writer first, the parses
/// beside it (they are needed as well, only not before it).
const PARSE_NICENESS: i32 = 5;

type Job = Box<dyn FnOnce() + Send>;

/// A parse ran on the pool and panicked, or the pool had stopped.
#[derive(Debug)]
pub(super) struct ParseCrashed(pub(super) String);

impl std::fmt::Display for ParseCrashed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Threads that run parses, ended when the pool is dropped (each after its job in hand).
pub(super) struct ParsePool {
    jobs: Option<mpsc::Sender<Job>>,
}

impl ParsePool {
    /// A pool of `threads` threads (at least one). Where no thread could be started, jobs
    /// run on the runtime's blocking threads instead.
    pub(super) fn new(threads: usize) -> ParsePool {
        let (jobs, received) = mpsc::channel::<Job>();
        let received = Arc::new(Mutex::new(received));
        let mut started = 0;
        for _ in 0..threads.max(1) {
            let received = received.clone();
            let spawned = std::thread::Builder::new()
                .name("kiosque-parse".into())
                .spawn(move || {
                    step_back();
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let next = match received.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            started += usize::from(spawned.is_ok());
        }
        ParsePool {
            jobs: (started > 0).then_some(jobs),
        }
    }

    /// Run `parse` on a parse thread and wait for it (the task waits, not the thread).
    pub(super) async fn run<R: Send + 'static>(
        &self,
        parse: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ParseCrashed> {
        let Some(jobs) = &self.jobs else {
            return tokio::task::spawn_blocking(parse)
                .await
                .map_err(|e| ParseCrashed(e.to_string()));
        };
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
            let _ = done.send(ran.map_err(|panic| {
                panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string())
            }));
        });
        jobs.send(job)
            .map_err(|_| ParseCrashed("the parse threads stopped".into()))?;
        match result.await {
            Ok(ran) => ran.map_err(ParseCrashed),
            Err(_) => Err(ParseCrashed("the parse threads stopped".into())),
        }
    }
}

impl Drop for ParsePool {
    fn drop(&mut self) {
        // The threads see the queue closed and end; not joined (a parse under way finishes
        // on its own, and nothing waits for it any more).
        drop(self.jobs.take());
    }
}

/// Make this thread nicer than the others ([`PARSE_NICENESS`]). Linux only: there a nice
/// value is the thread's; elsewhere it is the whole process's, the writer's too.
fn step_back() {
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        let now = rustix::process::getpriority_process(Some(tid)).unwrap_or(0);
        if let Err(e) = rustix::process::setpriority_process(Some(tid), now + PARSE_NICENESS) {
            tracing::debug!("a parse thread stays at its priority: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_parse_runs_on_the_pool_and_a_panic_is_an_error_not_a_crash() {
        let pool = ParsePool::new(2);
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .expect("ran");
        assert_eq!(name.as_deref(), Some("kiosque-parse"));
        let crashed = pool
            .run(|| -> usize { panic!("a hostile feed") })
            .await
            .expect_err("a panic came back as a result");
        assert!(crashed.0.contains("a hostile feed"), "{crashed:?}");
        // The pool still runs after a panic in one of its jobs.
        assert_eq!(pool.run(|| 2 + 2).await.expect("ran"), 4);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_parse_thread_is_nicer_than_the_thread_that_made_the_pool() {
        let mine = rustix::process::getpriority_process(Some(rustix::thread::gettid()))
            .expect("own priority");
        let pool = ParsePool::new(1);
        let theirs = pool
            .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
            .await
            .expect("ran")
            .expect("the parse thread's priority");
        assert_eq!(theirs, (mine + PARSE_NICENESS).min(19));
    }
}
