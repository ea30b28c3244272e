//! The one gate server text passes before it reaches a terminal.
//!
//! A ticket's name, description, parameters or error message may carry terminal escape
//! sequences (which could retitle the window, move the cursor or fake output), control
//! characters, bidi overrides that reorder what the eye reads, or invisible characters
//! that make two different IDs look the same. `sanitize` removes them all and returns a
//! single line; `fit` truncates by display width so wide (CJK, emoji) text lines up.
//! `nearest` finds the known word a typo meant, for error messages.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// C1 "string terminator", the 8-bit form of `ESC \`.
const ST: char = '\u{9c}';

/// Makes server text safe to print on one line: escape sequences (CSI, OSC, DCS, ...)
/// and C0/C1 controls are removed, bidi controls and zero-width characters are removed,
/// and line breaks and tabs become a single space (none at either end). Clean text is returned borrowed.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    if input.chars().all(is_plain) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        if is_plain(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
            continue;
        }
        match c {
            ESC => skip_escape(&mut chars),
            // 8-bit introducers: CSI, then OSC/DCS/SOS/PM/APC strings.
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_break(c) => pending_space = true,
            _ => {} // other controls, bidi, invisible: dropped
        }
    }
    Cow::Owned(out)
}

/// Writes every character `sanitize` would drop as a visible `\u{…}` escape, for
/// values whose exact text decides something: a status that is not exactly a known one
/// must never look like one.
pub fn reveal(input: &str) -> Cow<'_, str> {
    if input.chars().all(is_plain) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if is_plain(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    Cow::Owned(out)
}

/// `reveal` for one line of a program's output printed as text: every character that
/// would act on a terminal is written out as `\u{…}`; tabs stay tabs.
pub fn reveal_output_line(line: &str) -> Cow<'_, str> {
    if line.chars().all(|c| c == '\t' || is_plain(c)) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if c == '\t' || is_plain(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    Cow::Owned(out)
}

/// Sanitises text that may span lines (a description): one sanitised entry per line.
pub fn lines(input: &str) -> impl Iterator<Item = Cow<'_, str>> {
    input
        .split(['\n', '\u{2028}', '\u{2029}'])
        .map(|line| sanitize(line.strip_suffix('\r').unwrap_or(line)))
}

/// Cuts `text` to at most `width` terminal columns, ending with `…` when cut. Wide
/// characters are never split.
pub fn fit(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let budget = width - 1; // room for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

/// Sanitises then fits: the usual way a server string becomes a table cell.
pub fn cell(input: &str, width: usize) -> Cow<'_, str> {
    match sanitize(input) {
        Cow::Borrowed(clean) => fit(clean, width),
        Cow::Owned(clean) => Cow::Owned(fit(&clean, width).into_owned()),
    }
}

/// Printable, visible and harmless on its own.
fn is_plain(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c) || is_invisible(c))
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Zero-width and other invisible characters that can disguise text.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'                      // soft hyphen
            | '\u{034f}'                // combining grapheme joiner
            | '\u{115f}' | '\u{1160}'   // Hangul fillers
            | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'   // Mongolian selectors and vowel separator
            | '\u{200b}'..='\u{200d}'   // zero-width space, non-joiner, joiner
            | '\u{2028}' | '\u{2029}'   // line and paragraph separators
            | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
            | '\u{206a}'..='\u{206f}'   // deprecated format characters
            | '\u{3164}' | '\u{ffa0}'   // Hangul fillers
            | '\u{feff}'                // byte order mark / zero-width no-break space
            | '\u{fff9}'..='\u{fffb}'   // interlinear annotations
            | '\u{e0000}'..='\u{e007f}' // tag characters
    )
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC: a CSI, a string (OSC, DCS, SOS, PM, APC) or a short escape.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi_body(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some(_) => {
            // nF escapes: intermediates 0x20–0x2F, then one final byte 0x30–0x7E.
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        None => {}
    }
}

/// Parameters 0x30–0x3F, intermediates 0x20–0x2F, then a final byte 0x40–0x7E.
fn skip_csi_body(chars: &mut Chars<'_>) {
    while chars.next_if(|c| matches!(c, '0'..='?')).is_some() {}
    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// A control string runs to BEL, `ESC \` or ST; an unterminated one to the end.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// The known name closest to a misspelt one, when it is close enough to be a typo.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2 && *distance * 2 < candidate.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_suggests_only_close_names() {
        let known = ["interval", "concurrency", "max_rps"];
        assert_eq!(nearest("intervall", &known), Some("interval"));
        assert_eq!(nearest("max_rsp", &known), Some("max_rps"));
        assert_eq!(nearest("colour", &known), None);
        assert_eq!(nearest("x", &["id"]), None);
    }

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        let s = "DB failover drill · 数据库切换 ✔";
        assert!(matches!(sanitize(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn csi_sequences_are_removed() {
        assert_eq!(sanitize("\x1b[31mred\x1b[0m plain"), "red plain");
        assert_eq!(sanitize("a\x1b[2J\x1b[1;1Hb"), "ab");
        assert_eq!(sanitize("x\x1b[?1049hy"), "xy");
        // 8-bit CSI
        assert_eq!(sanitize("x\u{9b}31my"), "xy");
    }

    #[test]
    fn osc_and_other_strings_are_removed_with_their_payload() {
        assert_eq!(sanitize("a\x1b]0;evil title\x07b"), "ab");
        assert_eq!(
            sanitize("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"),
            "link"
        );
        assert_eq!(sanitize("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab");
        assert_eq!(sanitize("a\x1b_apc payload\u{9c}b"), "ab");
        assert_eq!(sanitize("a\u{9d}0;title\u{7}b"), "ab");
        // unterminated: everything after the introducer is dropped
        assert_eq!(sanitize("ok\x1b]0;never ends"), "ok");
    }

    #[test]
    fn short_escapes_and_lone_esc_are_removed() {
        assert_eq!(sanitize("a\x1bcb"), "ab"); // RIS: full reset
        assert_eq!(sanitize("a\x1b(Bb"), "ab"); // charset designation
        assert_eq!(sanitize("a\x1b"), "a");
    }

    #[test]
    fn c0_and_c1_controls_are_removed() {
        assert_eq!(sanitize("a\x00b\x07c\x08d\x7fe"), "abcde");
        assert_eq!(sanitize("a\u{80}b\u{8d}c\u{9f}"), "abc");
    }

    #[test]
    fn line_breaks_and_tabs_become_one_space() {
        assert_eq!(sanitize("one\ntwo"), "one two");
        assert_eq!(sanitize("one\r\n\ttwo"), "one two");
        assert_eq!(sanitize("a\u{2028}b"), "a b");
        assert_eq!(sanitize("\nlead"), "lead");
        assert_eq!(sanitize("trail\n"), "trail");
    }

    #[test]
    fn bidi_controls_are_removed() {
        // "Trojan source": an RLO would show "exe.txt" as "txt.exe".
        assert_eq!(sanitize("invoice\u{202e}txt.exe"), "invoicetxt.exe");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert_eq!(sanitize(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn zero_width_tricks_are_removed() {
        assert_eq!(sanitize("EX\u{200b}123"), "EX123");
        assert_eq!(sanitize("\u{feff}id\u{2060}x\u{200d}y"), "idxy");
        assert_eq!(sanitize("tag\u{e0041}\u{e007f}"), "tag");
    }

    #[test]
    fn multi_line_text_is_split_then_sanitized() {
        let got: Vec<_> = lines("first\r\nsecond\x1b[1m!\n\tthird").collect();
        assert_eq!(got, ["first", "second!", "third"]);
    }

    #[test]
    fn fit_truncates_by_display_width() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcdef", 0), "");
        // Each CJK character is two columns wide: never split one.
        assert_eq!(fit("数据库切换", 10), "数据库切换");
        assert_eq!(fit("数据库切换", 6), "数据…");
        assert_eq!(fit("数据库切换", 5), "数据…");
        assert_eq!(fit("数据库切换", 4), "数…");
        assert_eq!(fit("数据库切换", 1), "…");
        for w in 0..12 {
            assert!(fit("数据库切换ab", w).width() <= w, "width {w}");
        }
    }

    #[test]
    fn reveal_writes_out_what_sanitize_would_hide() {
        assert_eq!(reveal("Succeed"), "Succeed");
        assert_eq!(reveal("Succeed\u{1b}"), "Succeed\\u{1b}");
        assert_eq!(reveal("Fai\u{200b}led"), "Fai\\u{200b}led");
        assert_eq!(sanitize(&reveal("a\u{202e}\n")), reveal("a\u{202e}\n"));
    }

    #[test]
    fn output_lines_keep_their_tabs_and_write_out_the_rest() {
        assert_eq!(reveal_output_line("a\tb"), "a\tb");
        assert_eq!(
            reveal_output_line("\u{1b}[31mred\r\u{7}"),
            "\\u{1b}[31mred\\u{d}\\u{7}"
        );
        assert_eq!(reveal_output_line("日志 ✔"), "日志 ✔");
    }

    #[test]
    fn cell_sanitizes_before_measuring() {
        assert_eq!(cell("\x1b[31mabcdef\x1b[0m", 4), "abc…");
        assert_eq!(cell("a\u{202e}b", 5), "ab");
    }
}
