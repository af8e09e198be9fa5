//! Keyward's shared model: what every capability produces and every renderer consumes.
//!
//! Scanners, checks and detection rules all report [`Finding`]s graded by [`Severity`] and
//! described by [`RuleMeta`]. A secret's value travels only inside a [`Secret`], which redacts
//! itself everywhere (Debug, Display) and can be read in full only through [`Secret::expose`],
//! so that no code path prints a credential by accident.

mod finding;
mod meta;
pub mod policy;
mod secret;
mod severity;

pub use finding::{CommitInfo, Finding, GitStatus, Location};
pub use meta::{Lang, RuleMeta, Text};
pub use policy::PolicyDocument;
pub use secret::{fingerprint, Secret};
pub use severity::{ParseSeverityError, Severity};
