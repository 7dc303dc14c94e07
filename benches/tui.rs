//! Placeholder until the store lands; see the real bench below.
fn main() {}
