//! `keyward audit`'s core: the account snapshot (AWS's own formats) and the checks over it.
//!
//! Nothing here talks to AWS. `keyward-aws` fills a [`Snapshot`] through the SDK, or
//! [`Snapshot::load`] reads a folder saved by `keyward audit --save` or made by hand with the
//! AWS CLI; [`audit`] runs every check over it and returns outcomes per resource (passed,
//! failed, not evaluated with the reason) and a Security Hub-style score.

pub mod check;
pub mod checks;
pub mod docs;
pub mod model;
pub mod snapshot;

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use check::{finding, score, CheckMeta, Ctx, Outcome, Score, Settings, Status};
pub use snapshot::{Answer, ApiError, FileProblem, Snapshot};

/// The check metadata files (`checks/*.yml`, one per module of `checks`), compiled in.
const CATALOG: &[(&str, &str)] = &[
    ("checks/iam.yml", include_str!("../checks/iam.yml")),
    (
        "checks/privilege.yml",
        include_str!("../checks/privilege.yml"),
    ),
    (
        "checks/services.yml",
        include_str!("../checks/services.yml"),
    ),
    (
        "checks/resources.yml",
        include_str!("../checks/resources.yml"),
    ),
    ("checks/fsbp.yml", include_str!("../checks/fsbp.yml")),
];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0}")]
    Yaml(String),
    #[error("check metadata names {0}, which has no function")]
    NoFunction(String),
    #[error("check {0} has no metadata in checks/*.yml")]
    NoMeta(String),
    #[error("check metadata: {0} appears twice")]
    Duplicate(String),
}

/// Every check's metadata, in the order of [`checks::CHECKS`]. Checked when loaded: one entry
/// per function and one function per entry.
pub fn catalog() -> Result<&'static [CheckMeta], &'static CatalogError> {
    static CELL: OnceLock<Result<Vec<CheckMeta>, CatalogError>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut list: Vec<CheckMeta> = Vec::new();
        for (name, text) in CATALOG {
            let part: Vec<CheckMeta> = yaml_serde::from_str(text)
                .map_err(|e| CatalogError::Yaml(format!("{name}: {e}")))?;
            list.extend(part);
        }
        let mut by_id: BTreeMap<String, CheckMeta> = BTreeMap::new();
        for m in list {
            if checks::CHECKS.iter().all(|c| c.id != m.id) {
                return Err(CatalogError::NoFunction(m.id));
            }
            if by_id.contains_key(&m.id) {
                return Err(CatalogError::Duplicate(m.id));
            }
            by_id.insert(m.id.clone(), m);
        }
        checks::CHECKS
            .iter()
            .map(|c| {
                by_id
                    .remove(c.id)
                    .ok_or_else(|| CatalogError::NoMeta(c.id.into()))
            })
            .collect()
    })
    .as_deref()
}

/// Runs every check (or those `select` keeps) over `snap`, measuring ages at `now`.
pub fn audit(
    snap: &Snapshot,
    settings: &Settings,
    now: jiff::Timestamp,
    select: impl Fn(&str) -> bool,
) -> Vec<Outcome> {
    let matcher = secret_matcher();
    let ctx = Ctx {
        snap,
        now,
        settings,
        account: snap.account_id().unwrap_or_else(|| "account".into()),
        secrets: matcher,
    };
    let mut all = Vec::new();
    for c in checks::CHECKS.iter().filter(|c| select(c.id)) {
        let mut out = check::Out::new(c.id);
        (c.run)(&ctx, &mut out);
        all.extend(out.outcomes);
    }
    all
}

/// `keyward scan`'s bundled secret rules, built once.
fn secret_matcher() -> Option<&'static keyward_secrets::Matcher> {
    static CELL: OnceLock<Option<keyward_secrets::Matcher>> = OnceLock::new();
    CELL.get_or_init(|| {
        keyward_secrets::rules::bundled()
            .ok()
            .and_then(|r| keyward_secrets::Matcher::new(r).ok())
    })
    .as_ref()
}
