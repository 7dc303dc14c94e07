//! Refreshing feeds: which are due, bounded concurrency, one outcome per feed.
