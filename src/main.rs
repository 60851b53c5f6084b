// jemalloc rather than glibc's malloc for the program: a List answered
// over HTTPS makes many small allocations (JSON values, keys, SQL text),
// and glibc spent about 3.5 µs of a 41 µs List in `_int_malloc`,
// `_int_free` and `malloc_consolidate`; with jemalloc serve needs 10-15%
// less CPU per List and `serve` RSS with 100k resources stays where it
// was (mimalloc saved as much CPU but doubled RSS: 67 MiB after listing
// everything). docs/benchmarks.md has the runs. The library leaves the
// allocator to the program that embeds it.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    mock_hmc::cli::run()
}
