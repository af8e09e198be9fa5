//! Arbitrary bytes through the matcher with the bundled rules: it must never panic, and every
//! match it reports must lie inside the buffer.
#![no_main]

use std::sync::OnceLock;

use keyward_secrets::{rules, Matcher};
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        Matcher::new(rules::bundled().expect("bundled rules load")).expect("matcher builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let report = matcher().scan(data);
    for m in &report.matches {
        assert!(m.start <= m.end && m.end <= data.len(), "match span out of the buffer");
        assert!(m.line >= 1 && m.column >= 1, "line and column are 1-based");
    }
});
