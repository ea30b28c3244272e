//! Any config text: parsing never panics, and every problem names a line and column
//! inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(problems) = coctop::config::parse_text(text) {
        assert!(!problems.is_empty());
        let lines = text.split('\n').count();
        for problem in problems {
            let at = problem.position.expect("every problem has a position");
            assert!(at.line >= 1 && at.line <= lines, "{at:?} of {lines} lines");
            assert!(at.column >= 1);
        }
    }
});
