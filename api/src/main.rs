//! `madar`: the server and its administration commands.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = madar_api::cli::Cli::parse();
    match madar_api::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("madar: {e:#}");
            ExitCode::FAILURE
        }
    }
}
