//! One shared HTTP client: timeouts, size caps, redirects, charset, conditional GET.
