//! The interactive reader.
