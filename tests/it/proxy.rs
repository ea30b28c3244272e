//! `HTTP_PROXY`/`HTTPS_PROXY` and `NO_PROXY` are honoured (reqwest reads them): a
//! loopback "proxy" that answers every request itself shows that requests go through
//! it, and `NO_PROXY` sends them straight to the simulator again.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::{Sim, coctop, stderr, stdout};
use coctop::sim::SimOptions;

/// Answers every request with a 502 naming itself, and counts the requests.
fn fake_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let body = "answered by the proxy";
            let _ = write!(
                stream,
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn requests_go_through_the_proxy_unless_no_proxy_names_the_host() {
    let sim = Sim::start(SimOptions::default());
    let id = sim.ids()[0].clone();
    let home = tempfile::tempdir().unwrap();
    let (proxy, seen) = fake_proxy();
    let url = sim.url();
    let args = ["--endpoint", url.as_str(), "get", id.as_str()];

    let through = coctop(home.path(), &args, &[("HTTP_PROXY", &proxy)]);
    assert_eq!(through.status.code(), Some(5), "{}", stderr(&through));
    assert!(
        stderr(&through).contains("answered by the proxy"),
        "{}",
        stderr(&through)
    );
    assert!(seen.load(Ordering::SeqCst) >= 1);

    let before = seen.load(Ordering::SeqCst);
    let direct = coctop(
        home.path(),
        &args,
        &[("HTTP_PROXY", &proxy), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(direct.status.code(), Some(0), "{}", stderr(&direct));
    assert!(stdout(&direct).contains(&id));
    assert_eq!(seen.load(Ordering::SeqCst), before, "NO_PROXY bypasses it");
}

#[test]
fn credentials_never_go_in_clear_through_a_proxy_off_loopback() {
    let sim = Sim::start(SimOptions::default());
    let id = sim.ids()[0].clone();
    let home = tempfile::tempdir().unwrap();
    let url = sim.url();
    let keys = [("HUAWEICLOUD_SDK_AK", "AK"), ("HUAWEICLOUD_SDK_SK", "SK")];
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let mut env = keys.to_vec();
        env.push((variable, "http://proxy.invalid:3128"));
        let got = coctop(home.path(), &["--endpoint", &url, "get", &id], &env);
        assert_eq!(got.status.code(), Some(2), "{variable}: {}", stderr(&got));
        assert!(
            stderr(&got).contains("through the proxy proxy.invalid:3128"),
            "{}",
            stderr(&got)
        );
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
}
