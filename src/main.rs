//! The `xuncha` binary: parse arguments, run, report the error, exit with the documented code.

use std::process::ExitCode;

fn main() -> ExitCode {
    xuncha::cli::main()
}
