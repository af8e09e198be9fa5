//! Keyward's secret scanner: rules as data, a keyword-prefiltered matcher, and the sources it
//! reads (files, stdin, git history, the git index).
//!
//! Every source turns its input into byte buffers for [`Matcher::scan`] and its matches into
//! [`keyward_core::Finding`]s; what could not be read is kept as an [`InputError`] with its path
//! and reason, and the scan goes on.

pub mod git;
pub mod matcher;
pub mod rules;
pub mod validators;
pub mod walk;

mod outcome;

pub use matcher::{BufferReport, Match, Matcher, ALLOW_MARKER};
pub use outcome::{finding_from_match, InputError, Outcome, SkipReason, Stats};
pub use rules::{Rule, RuleDef, RuleError};

/// What every source needs to know.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files (and blobs) larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Follow symbolic links (then broken links and loops are reported as errors).
    pub follow_links: bool,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Paths (relative to the scanned root, or as stored in git) never scanned.
    pub exclude: Option<globset::GlobSet>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: 50 * 1024 * 1024,
            follow_links: false,
            threads: 0,
            exclude: None,
        }
    }
}

impl ScanOptions {
    pub fn thread_count(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }

    pub fn excluded(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }
}

/// A progress callback: called with the number of bytes just scanned.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);
