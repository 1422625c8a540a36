//! The `xuncha` binary: parse arguments, run, report the error, exit with the documented code.

use std::process::ExitCode;

/// mimalloc for Rust's allocations: converting each case to a rhai map and evaluating the
/// checks allocates many small values, and mimalloc's per-thread free lists take µs off every
/// case (issue #19). SQLite's C code still allocates with glibc's malloc, which keeps the arena
/// limit below.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    limit_malloc_arenas();
    xuncha::cli::main()
}

/// glibc gives each thread that allocates under contention an arena of its own, up to eight
/// per core, and keeps what they held: a full audit of 1M cases ended with seven 64 MB arenas
/// resident. One arena per core: 100k cases audited in 203 MB -> 161 MB, no slower (one arena
/// in all was 15% slower). `MALLOC_ARENA_MAX` in the environment still decides.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before
        // any other thread exists
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
