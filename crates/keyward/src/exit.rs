//! Exit codes, the same for every command (documented in README):
//! 0 nothing found, 1 findings at or above `--fail-on`, 2 usage or configuration error,
//! 3 some input could not be read (and no finding reached `--fail-on`).

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Clean = 0,
    Findings = 1,
    Usage = 2,
    Partial = 3,
}

impl From<Code> for ExitCode {
    fn from(c: Code) -> ExitCode {
        ExitCode::from(c as u8)
    }
}
