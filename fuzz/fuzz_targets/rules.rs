//! Arbitrary text as a rule file: loading must return a rule set or an error, never panic
//! (nor hang on a pathological pattern). A rule set that loads must also build a matcher.
#![no_main]

use keyward_secrets::{rules, Matcher};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(loaded) = rules::load(&[("fuzz.toml", text)]) {
        if let Ok(matcher) = Matcher::new(loaded) {
            // Scan the rule file itself: it holds the rules' own keywords.
            let _ = matcher.scan(data);
        }
    }
});
