//! `keyward`: the command line. Parses flags, loads configuration, wires the capability crates
//! together and maps outcomes to exit codes. No capability logic lives here.

mod audit;
mod baseline;
mod cli;
mod config;
mod detect;
mod exit;
mod hook;
mod notify;
mod output;
mod rotate;
mod rules_cmd;
mod scan;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.global.verbose);
    let result = match cli.command {
        cli::Command::Scan(args) => scan::run(&cli.global, *args),
        cli::Command::Detect(args) => detect::run(&cli.global, *args),
        cli::Command::Audit(args) => audit::run(&cli.global, *args),
        cli::Command::Rotate(cmd) => rotate::run(&cli.global, cmd),
        cli::Command::Rules(cmd) => rules_cmd::run(&cli.global, cmd),
        cli::Command::Hook(cmd) => hook::run(cmd),
    };
    match result {
        Ok(code) => code.into(),
        Err(err) => {
            // A closed pipe (`keyward scan | head`) is the reader's choice, not an error.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return exit::Code::Clean.into();
            }
            eprintln!("keyward: error: {err:#}");
            exit::Code::Usage.into()
        }
    }
}

/// The async runtime the commands that talk to AWS run their calls on.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEYWARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
