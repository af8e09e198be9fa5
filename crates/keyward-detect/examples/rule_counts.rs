//! Per-rule match counts of a rule folder over CloudTrail files, as `count<TAB>rule id` lines:
//! the figures to compare with another Sigma engine (the differential check of
//! `tests/sigmahq.rs` uses the same numbers).
//!
//! usage: cargo run --release -p keyward-detect --example rule_counts -- RULES_DIR INPUT...

use std::collections::BTreeMap;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(rules) = args.next() else {
        eprintln!("usage: rule_counts RULES_DIR INPUT...");
        std::process::exit(2);
    };
    let (rules, errors) = keyward_detect::load_rules(std::path::Path::new(&rules));
    for e in &errors {
        eprintln!("rule error: {e}");
    }
    let (set, errors) = keyward_detect::RuleSet::new(rules);
    for e in &errors {
        eprintln!("rule error: {e}");
    }
    let paths: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let (mut skipped, mut errs) = (Vec::new(), Vec::new());
    let inputs = keyward_detect::source::expand(&paths, &mut skipped, &mut errs);
    let out = keyward_detect::run(&set, &inputs, &keyward_detect::Options::default(), &|_| {});
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &out.alerts {
        *counts.entry(a.rule_id.as_str()).or_default() += 1;
    }
    for (k, v) in counts {
        println!("{v}\t{k}");
    }
    eprintln!(
        "{} records, {} MB in {:.2}s ({:.0} MB/s), {} alerts, {} input errors",
        out.stats.records,
        out.stats.bytes / 1_000_000,
        out.stats.seconds,
        out.stats.bytes as f64 / 1e6 / out.stats.seconds,
        out.alerts.len(),
        out.errors.len() + errs.len()
    );
}
