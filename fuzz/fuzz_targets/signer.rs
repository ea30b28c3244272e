//! Any request (fields split from the input at NUL bytes): canonicalisation never
//! panics, its URI ends with `/`, its query is sorted, and the Authorization header it
//! builds parses back to the same access key and signed headers.
#![no_main]

use coctop::coc::Secret;
use coctop::coc::auth::{AuthorizationHeader, SigningRequest, canonical_query, canonical_uri, sign};
use libfuzzer_sys::fuzz_target;

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\0');
    let mut next = || fields.next().unwrap_or_default().to_string();
    let (method, host, path, ak) = (next(), next(), next(), next());
    let query: Vec<(String, String)> = next()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Header names as HTTP allows them (tokens: no comma, semicolon or space); the
    // client signs only fixed names, so anything else cannot reach the signer.
    let headers: Vec<(String, String)> = next()
        .split('\n')
        .filter_map(|line| line.split_once(':'))
        .filter(|(k, _)| !k.is_empty() && k.bytes().all(is_token_byte))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = next();

    assert!(canonical_uri(&path).ends_with('/'));
    // Encoded keys and values hold no `=` or `&`: the pairs split back, in order.
    let canonical = canonical_query(&query);
    let pairs: Vec<(&str, &str)> = canonical
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').expect("key=value"))
        .collect();
    assert_eq!(pairs.len(), query.len(), "{canonical}");
    assert!(pairs.windows(2).all(|w| w[0] <= w[1]), "{canonical}");

    let request = SigningRequest {
        method: &method,
        host: &host,
        path: &path,
        query: &query,
        headers: &headers,
        body: body.as_bytes(),
    };
    let signature = sign(&request, &ak, &Secret::new("fuzz-sk"), "20251201T080000Z");
    if ak.chars().all(|c| c.is_ascii_alphanumeric()) && !ak.is_empty() {
        let parsed = AuthorizationHeader::parse(&signature.authorization)
            .expect("our own header parses");
        assert_eq!(parsed.access, ak);
        assert_eq!(parsed.signed_headers.join(";"), signature.signed_headers);
    }
    let _ = AuthorizationHeader::parse(&text);
});
