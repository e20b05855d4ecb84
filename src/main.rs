// The loader and the checks allocate millions of small strings; mimalloc
// does that faster than the system allocator and returns memory in fewer,
// larger pieces (PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    reachmap::cli::main()
}
