//! Configuration file and paths.
