//! The `kiosque` binary: sets up the allocator, then hands off to the library's command line.

fn main() -> std::process::ExitCode {
    keep_freed_memory_returnable();
    kiosque::cli::main()
}

/// glibc's malloc, left to itself, kept a refresh's freed memory: 98 MB resident for a
/// 23 MB heap at 3,000 feeds (heaptrack), because feed bodies and parser buffers of a few
/// hundred KB land in the heaps of the runtime's, the parse threads' and the writer's arenas
/// once glibc raises its mmap threshold, and every thread gets an arena of its own. A fixed
/// 128 KiB threshold (large buffers are mapped and unmapped whole) and two arenas bring that
/// refresh to 59 MB (`benches/latency.py --sizes 3000 --hosts 50 --proto h1`, README).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory_returnable() {
    // SAFETY: mallopt only sets glibc's malloc parameters; it is called before any other
    // thread exists, with parameters and values glibc documents (mallopt(3)).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory_returnable() {}
