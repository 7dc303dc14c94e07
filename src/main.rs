//! The `kiosque` binary: hands off to the library's command line.

fn main() -> std::process::ExitCode {
    kiosque::cli::main()
}
