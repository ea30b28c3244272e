//! `[ui] console_url`: a URL template with `{execution_id}` in it.

pub const PLACEHOLDER: &str = "{execution_id}";

/// Whether `template` can become a ticket's URL.
pub fn check(template: &str) -> Result<(), String> {
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return Err(format!(
            "must start with https:// or http://, got {template:?}"
        ));
    }
    if !template.contains(PLACEHOLDER) {
        return Err(format!("must contain {PLACEHOLDER}, got {template:?}"));
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("must not contain white space or control characters".into());
    }
    Ok(())
}

/// The ticket's URL. IDs are validated where they enter and hold no character that
/// needs escaping in a URL, but they are percent-encoded all the same.
pub fn expand(template: &str, execution_id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(execution_id.as_bytes()).collect();
    template.replace(PLACEHOLDER, &encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_a_scheme_and_the_placeholder() {
        assert!(check("https://console.example/coc/#/job/{execution_id}").is_ok());
        assert!(check("ftp://x/{execution_id}").is_err());
        assert!(check("https://console.example/coc").is_err());
        assert!(check("https://x/{execution_id} y").is_err());
    }

    #[test]
    fn expands_every_placeholder() {
        assert_eq!(
            expand("https://c/{execution_id}?id={execution_id}", "EX1"),
            "https://c/EX1?id=EX1"
        );
    }
}
