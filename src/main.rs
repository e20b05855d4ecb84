fn main() -> std::process::ExitCode {
    reachmap::cli::main()
}
