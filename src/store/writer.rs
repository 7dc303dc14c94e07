//! The one write connection of a process: a thread that owns it and runs store jobs in the
//! order they are sent (DESIGN: one SQLite writer); read-only connections for the readers; a
//! WAL copier that copies committed pages back beside the writer during a refresh.

use super::{BUSY_TIMEOUT, Store};
use crate::clock::SystemClock;
use crate::error::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Read-write connections opened by this process ([`Store::open`]); tests check that the TUI
/// opens exactly one.
static WRITE_CONNECTIONS: AtomicUsize = AtomicUsize::new(0);

pub(super) fn count_write_connection() {
    WRITE_CONNECTIONS.fetch_add(1, Ordering::SeqCst);
}

/// How many read-write connections this process has opened so far.
pub fn write_connections_opened() -> usize {
    WRITE_CONNECTIONS.load(Ordering::SeqCst)
}

/// A job for the writer thread: it gets the only write connection for its run.
pub type StoreJob = Box<dyn FnOnce(&mut Store) + Send>;

/// The handle of the writer thread; clones send to the same thread. The thread ends when
/// the last handle is dropped, after the jobs already sent.
#[derive(Clone)]
pub struct StoreWriter {
    jobs: std::sync::mpsc::Sender<StoreJob>,
    path: PathBuf,
}

fn stopped() -> StoreError {
    StoreError::WriterStopped
}

impl StoreWriter {
    /// Open the database at `path` (creating and migrating it) on this thread, then hand the
    /// connection to a new writer thread.
    pub fn start(path: &Path) -> Result<StoreWriter, StoreError> {
        let store = Store::open(path)?;
        StoreWriter::spawn(path, Some(store), |_| {})
    }

    /// A writer thread for `path` with `opened` as its connection, or one it opens itself
    /// (then `on_open_error` hears why it could not, and every job sent fails).
    pub fn spawn(
        path: &Path,
        opened: Option<Store>,
        on_open_error: impl FnOnce(StoreError) + Send + 'static,
    ) -> Result<StoreWriter, StoreError> {
        let (jobs, received) = std::sync::mpsc::channel::<StoreJob>();
        let own_path = path.to_path_buf();
        std::thread::Builder::new()
            .name("kiosque-store".into())
            .spawn(move || {
                let opened = match opened {
                    Some(store) => Ok(store),
                    None => Store::open(&own_path),
                };
                let mut store = match opened {
                    Ok(store) => store,
                    Err(e) => return on_open_error(e),
                };
                for job in received {
                    job(&mut store);
                }
            })
            .map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        Ok(StoreWriter {
            jobs,
            path: path.to_path_buf(),
        })
    }

    /// A handle whose thread never started: every job sent fails with
    /// [`StoreError::WriterStopped`].
    pub fn stopped(path: &Path) -> StoreWriter {
        let (jobs, _) = std::sync::mpsc::channel::<StoreJob>();
        StoreWriter {
            jobs,
            path: path.to_path_buf(),
        }
    }

    /// Where the database lives (readers open read-only connections there).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queue `job`; it runs after every job sent before it. Does not wait.
    pub fn send(&self, job: impl FnOnce(&mut Store) + Send + 'static) -> Result<(), StoreError> {
        self.jobs.send(Box::new(job)).map_err(|_| stopped())
    }

    /// Run `job` on the writer and wait for its answer (blocking: not on async threads).
    pub fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Result<R, StoreError> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.send(move |store| {
            let _ = reply.send(job(store));
        })?;
        answer.recv().map_err(|_| stopped())
    }

    /// [`StoreWriter::run`] for async code: the task waits, not the thread.
    pub async fn run_async<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Result<R, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.send(move |store| {
            let _ = reply.send(job(store));
        })?;
        answer.await.map_err(|_| stopped())
    }
}

/// Copies the WAL back into the database on a thread of its own while the writer goes on
/// writing: a passive checkpoint neither waits for the writer nor stops it. A cold refresh
/// writes every page to the WAL and then copies it into the database; on the writer's thread
/// that copy (8 % of a cold refresh's CPU) was time every feed waited for, here it runs on
/// another core after each commit. Its connection only copies committed pages, never writes
/// a transaction: the store keeps one writer. The writer still copies back every 32 MB of
/// WAL (then only what the copier has not copied yet), which lets the WAL start over
/// instead of growing for the whole refresh.
pub struct WalCopier {
    nudges: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The WAL size from which the copier copies it back (a small refresh never opens it).
const COPY_WAL_FROM_BYTES: u64 = 4 << 20;

impl WalCopier {
    /// A copier for the database at `path`; it opens its connection when there is first
    /// something to copy. `None` when no thread could be started.
    pub fn start(path: &Path) -> Option<WalCopier> {
        let (nudges, received) = std::sync::mpsc::channel::<()>();
        let database = path.to_path_buf();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let thread = std::thread::Builder::new()
            .name("kiosque-wal".into())
            .spawn(move || {
                let mut conn: Option<Connection> = None;
                while received.recv().is_ok() {
                    while received.try_recv().is_ok() {}
                    let grown =
                        std::fs::metadata(&wal).is_ok_and(|m| m.len() >= COPY_WAL_FROM_BYTES);
                    if !grown {
                        continue;
                    }
                    if conn.is_none() {
                        conn = Connection::open_with_flags(
                            &database,
                            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )
                        .inspect_err(|e| tracing::warn!("the WAL copier cannot open: {e}"))
                        .ok();
                    }
                    if let Some(conn) = &conn
                        && let Err(e) =
                            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!("copying the WAL back beside the writer: {e}");
                    }
                }
            })
            .ok()?;
        Some(WalCopier {
            nudges: Some(nudges),
            thread: Some(thread),
        })
    }

    /// The writer committed: copy the WAL back if it has grown enough. Does not wait.
    pub fn nudge(&self) {
        if let Some(nudges) = &self.nudges {
            let _ = nudges.send(());
        }
    }

    /// Stop once the copy under way (if any) is done.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        drop(self.nudges.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WalCopier {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Store {
    /// A read-only connection to a database a writer has already opened (and migrated): a
    /// stray write through it is an error, never a second writer.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| super::map_open_error(path, e))?;
        let configure = |conn: &Connection| -> Result<(), rusqlite::Error> {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            // Search queries call the folding functions too.
            crate::query::search_index::register_functions(conn)?;
            conn.execute_batch("PRAGMA temp_store = MEMORY;")
        };
        configure(&conn).map_err(|e| super::map_open_error(path, e))?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            clock: Arc::new(SystemClock),
            rules: Vec::new(),
            windows: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_and_a_read_only_store_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.db");
        let writer = StoreWriter::start(&db).unwrap();
        let feed = writer
            .run(|s| {
                s.add_feed(
                    &crate::store::NewFeed {
                        url: "https://example.org/feed".into(),
                        ..Default::default()
                    },
                    chrono::Utc::now(),
                )
            })
            .unwrap()
            .unwrap();
        writer
            .send(move |s| s.insert_test_items(feed, 3).unwrap())
            .unwrap();
        // Sent after the insert: sees its rows.
        let n = writer.run(|s| s.unread_total().unwrap()).unwrap();
        assert_eq!(n, 3);
        let mut reader = Store::open_read_only(&db).unwrap();
        assert_eq!(reader.unread_total().unwrap(), 3);
        assert!(reader.remove_feed(feed).is_err(), "a read-only store wrote");
    }
}
