//! The loopback HTTP server behind `--demo`.
