//! What one poll costs `coctop wait`, a loop over the official Python SDK
//! (`huaweicloudsdkcoc`, one client reused, signing like coctop) and a `curl | jq` shell
//! loop, each fetching the same running tickets at the same pace against the simulator
//! in this process: `--rate` tickets (default 10), each fetched once a second (`wait`'s
//! shortest interval), so `--rate` GETs a second. The tickets are old enough that list
//! pages would cost `wait` more requests than one GET each: all three send the same
//! requests. They run one at a time, in an order that rotates from round to round; each
//! is measured over a window after its start-up. Beside them, for reference, the floor
//! of coctop's HTTP stack: this bench itself as a bare loop of reqwest GETs on one
//! thread, unsigned and undecoded (what any poller built on reqwest pays at the least),
//! the same loop one layer down, on hyper's own HTTP/1 connection (`hyper::client::conn`,
//! one kept-alive socket, its connection a task of its own: what a poller on tokio and
//! hyper without reqwest pays at the least), and the floor of any poller on this machine: a blocking loop that writes each GET by
//! hand on one kept-alive socket and reads its answer (the kernel's share of a poll:
//! loopback TCP and two wake-ups).
//! CPU comes from /proc: the process's own
//! utime + stime, and for the shell loop also its reaped children's (curl, jq and sleep
//! are new processes on every poll). Polls are the requests the simulator answered.
//!
//! Run: `nice cargo bench --bench wait_vs_sdk` (optional: `-- --rate 10 --seconds 20
//! --rounds 5`; each `--bin PATH` adds another coctop build to the rotation, e.g. main's,
//! to compare builds side by side). Needs python3 with huaweicloudsdkcoc, curl and jq;
//! a poller whose tool is missing is left out and says so. The `coctop wait` that
//! `cargo bench` builds carries the dev-dependencies' features (tokio's test-util): it
//! cost 596 µs a poll against 470 for `cargo build --release` of the same code, so
//! compare release builds, each given with `--bin`.

mod support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use coctop::coc::Status;
use coctop::sim::{self, SimHandle, SimOptions};
use support::{arg, listing, median, pick_tickets};

const AK: &str = "BENCHAK";
const SK: &str = "bench-secret";
/// Start-up (Python's imports, the first request) is left out of the window.
const WARM_UP: Duration = Duration::from_secs(3);

const SDK_LOOP: &str = r#"
import sys, time
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcoc.v1 import CocClient, GetExecutionRequest
url, ak, sk, rate, tickets = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:]
credentials = GlobalCredentials(ak, sk, domain_id="0123456789abcdef0123456789abcdef")
coc = CocClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()
next_poll = time.monotonic()
while True:
    for ticket in tickets:
        status = coc.get_execution(GetExecutionRequest(execution_id=ticket)).data["status"]
        next_poll += 1 / rate
        time.sleep(max(0.0, next_poll - time.monotonic()))
"#;

/// Paced like the others: each poll is due a period after the last one was due.
const CURL_LOOP: &str = r#"
url=$1; period_us=$2; shift 2
next=${EPOCHREALTIME/./}
while :; do
    for ticket in "$@"; do
        curl -s "$url/v1/executions/$ticket" | jq -r .data.status >/dev/null
        next=$((next + period_us))
        wait_us=$((next - ${EPOCHREALTIME/./}))
        if ((wait_us > 0)); then sleep "$(printf '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000)))"; fi
    done
done
"#;

enum Poller {
    /// `coctop wait` of this build (`None`: the one cargo just built).
    CoctopWait(Option<PathBuf>),
    PythonSdk,
    CurlJq,
    BareReqwest,
    BareHyperConn,
    RawSocket,
}

/// This bench run as the bare reqwest loop: `BARE_REQWEST URL RATE TICKET...`.
const BARE_REQWEST: &str = "--bare-reqwest-loop";

/// This bench run as the bare hyper conn loop: `BARE_HYPER URL RATE TICKET...`.
const BARE_HYPER: &str = "--bare-hyper-loop";

/// This bench run as the raw socket loop: `RAW_SOCKET URL RATE TICKET...`.
const RAW_SOCKET: &str = "--raw-socket-loop";

/// GETs each ticket in turn, `rate` a second, on one socket with blocking calls: the
/// request written by hand, the answer read up to its `Content-Length`; never returns.
fn raw_socket_loop(args: &[String]) {
    use std::io::{Read, Write};
    let (url, rate, tickets) = (&args[0], args[1].parse::<u32>().unwrap(), &args[2..]);
    let address = url.trim_start_matches("http://");
    let mut socket = std::net::TcpStream::connect(address).unwrap();
    socket.set_nodelay(true).unwrap();
    let mut answer = vec![0u8; 1 << 20];
    let mut next_poll = std::time::Instant::now();
    for ticket in tickets.iter().cycle() {
        let request = format!("GET /v1/executions/{ticket} HTTP/1.1\r\nHost: {address}\r\n\r\n");
        socket.write_all(request.as_bytes()).unwrap();
        let mut read = 0;
        loop {
            let n = socket.read(&mut answer[read..]).unwrap();
            assert!(n > 0, "the simulator closed the connection");
            read += n;
            if answer_complete(&answer[..read]) {
                break;
            }
        }
        next_poll += Duration::from_secs(1) / rate;
        std::thread::sleep(next_poll.saturating_duration_since(std::time::Instant::now()));
    }
}

/// Whether `bytes` hold a whole answer: its head and `Content-Length` bytes of body.
fn answer_complete(bytes: &[u8]) -> bool {
    let Some(head_end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .expect("the simulator sends Content-Length");
    bytes.len() >= head_end + 4 + length
}

/// GETs each ticket in turn, `rate` a second, reading each body whole; never returns.
fn bare_reqwest_loop(args: &[String]) {
    let (url, rate, tickets) = (&args[0], args[1].parse::<u32>().unwrap(), &args[2..]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().http1_only().build().unwrap();
        let mut next_poll = tokio::time::Instant::now();
        for ticket in tickets.iter().cycle() {
            let body = client
                .get(format!("{url}/v1/executions/{ticket}"))
                .send()
                .await
                .and_then(|r| r.error_for_status());
            std::hint::black_box(body.unwrap().bytes().await.unwrap());
            next_poll += Duration::from_secs(1) / rate;
            tokio::time::sleep_until(next_poll).await;
        }
    });
}

/// GETs each ticket in turn, `rate` a second, over `hyper::client::conn::http1` on one
/// kept-alive socket in a current-thread runtime, its connection future spawned as a
/// task of its own, reading each body whole; never returns.
fn bare_hyper_loop(args: &[String]) {
    use http_body_util::BodyExt;
    let (url, rate, tickets) = (&args[0], args[1].parse::<u32>().unwrap(), &args[2..]);
    let address = url.trim_start_matches("http://");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let socket = tokio::net::TcpStream::connect(address).await.unwrap();
        socket.set_nodelay(true).unwrap();
        let io = hyper_util::rt::TokioIo::new(socket);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(connection);
        let mut next_poll = tokio::time::Instant::now();
        for ticket in tickets.iter().cycle() {
            let request = hyper::Request::get(format!("/v1/executions/{ticket}"))
                .header(hyper::header::HOST, address)
                .body(String::new())
                .unwrap();
            let response = sender.send_request(request).await.unwrap();
            assert!(response.status().is_success());
            let body = response.into_body().collect().await.unwrap().to_bytes();
            std::hint::black_box(body);
            next_poll += Duration::from_secs(1) / rate;
            tokio::time::sleep_until(next_poll).await;
        }
    });
}

impl Poller {
    fn name(&self) -> String {
        match self {
            Poller::CoctopWait(None) => "coctop wait".into(),
            Poller::CoctopWait(Some(bin)) => format!("wait of {}", bin.display()),
            Poller::PythonSdk => "Python SDK loop".into(),
            Poller::CurlJq => "curl | jq loop".into(),
            Poller::BareReqwest => "bare reqwest loop".into(),
            Poller::BareHyperConn => "hyper conn loop".into(),
            Poller::RawSocket => "raw socket loop".into(),
        }
    }

    /// Why this poller cannot run here, if it cannot.
    fn missing(&self) -> Option<String> {
        let works = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        match self {
            Poller::CoctopWait(_)
            | Poller::BareReqwest
            | Poller::BareHyperConn
            | Poller::RawSocket => None,
            Poller::PythonSdk => (!works("python3", &["-c", "import huaweicloudsdkcoc"]))
                .then(|| "python3 with huaweicloudsdkcoc".into()),
            Poller::CurlJq => (!(works("curl", &["--version"]) && works("jq", &["--version"])))
                .then(|| "curl and jq".into()),
        }
    }

    /// Fetches each of `tickets` once a second, one after the other.
    fn start(&self, sim: &SimHandle, tickets: &[String], home: &std::path::Path) -> Child {
        let url = sim.base_url();
        let rate = tickets.len() as u64;
        let mut command = match self {
            Poller::CoctopWait(bin) => {
                let built = PathBuf::from(env!("CARGO_BIN_EXE_coctop"));
                let mut c = Command::new(bin.as_ref().unwrap_or(&built));
                c.args(["wait", "--endpoint", &url, "--interval", "1s"]);
                c.args(tickets);
                c.env("HUAWEICLOUD_SDK_AK", AK)
                    .env("HUAWEICLOUD_SDK_SK", SK);
                c
            }
            Poller::PythonSdk => {
                let mut c = Command::new("python3");
                c.args(["-c", SDK_LOOP, &url, AK, SK, &rate.to_string()]);
                c.args(tickets);
                c
            }
            Poller::CurlJq => {
                let mut c = Command::new("bash");
                let period_us = (1_000_000 / rate).to_string();
                c.args(["-c", CURL_LOOP, "curl-loop", &url, &period_us]);
                c.args(tickets);
                c
            }
            Poller::BareReqwest | Poller::BareHyperConn | Poller::RawSocket => {
                let mode = match self {
                    Poller::BareReqwest => BARE_REQWEST,
                    Poller::BareHyperConn => BARE_HYPER,
                    _ => RAW_SOCKET,
                };
                let mut c = Command::new(std::env::current_exe().unwrap());
                c.args([mode, &url, &rate.to_string()]);
                c.args(tickets);
                c
            }
        };
        command
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the poller")
    }
}

/// CPU time of a process's threads (nanoseconds from each one's schedstat: utime and
/// stime count in 10 ms ticks, as much as a poll costs `wait` 50 times over), and of the
/// children it has reaped (in ticks: a shell loop's curl and jq cost milliseconds).
fn cpu_with_children(pid: u32) -> f64 {
    let threads: u64 = std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the process's threads")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process stat");
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let children: u64 = rest
        .split_whitespace()
        .skip(13)
        .take(2)
        .map(|f| f.parse::<u64>().unwrap())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    threads as f64 / 1e9 + children as f64 / ticks_per_second
}

struct Window {
    cpu_seconds: f64,
    polls: u64,
    seconds: f64,
}

impl Window {
    fn micros_per_poll(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.polls.max(1) as f64
    }
}

fn measure(poller: &Poller, sim: &SimHandle, tickets: &[String], window: Duration) -> Window {
    let home = tempfile::tempdir().unwrap();
    let mut child = poller.start(sim, tickets, home.path());
    std::thread::sleep(WARM_UP);
    let pid = child.id();
    let (cpu, polls) = (cpu_with_children(pid), sim.requests_served());
    std::thread::sleep(window);
    let measured = Window {
        cpu_seconds: cpu_with_children(pid) - cpu,
        polls: sim.requests_served() - polls,
        seconds: window.as_secs_f64(),
    };
    let _ = child.kill();
    let _ = child.wait();
    measured
}

/// The watched tickets have this many newer ones: their window's list pages would cost
/// `wait` more requests than one GET per ticket, so it sends GETs like the others.
const OLDER_THAN: usize = 2000;

/// `n` running tickets among those with at least `newer` tickets listed before them.
async fn running_behind(sim: &SimHandle, n: usize, newer: usize) -> Vec<String> {
    let listed = pick_tickets(sim, newer + 1000, |_| true).await;
    let running: HashSet<String> =
        pick_tickets(sim, usize::MAX, |t| t.status == Some(Status::Running))
            .await
            .into_iter()
            .collect();
    listed[newer..]
        .iter()
        .filter(|id| running.contains(id.as_str()))
        .take(n)
        .cloned()
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == BARE_REQWEST) {
        return bare_reqwest_loop(&args[at + 1..]);
    }
    if let Some(at) = args.iter().position(|a| a == BARE_HYPER) {
        return bare_hyper_loop(&args[at + 1..]);
    }
    if let Some(at) = args.iter().position(|a| a == RAW_SOCKET) {
        return raw_socket_loop(&args[at + 1..]);
    }
    if listing() {
        return;
    }
    let rate = arg("--rate", 10);
    let seconds = arg("--seconds", 20);
    let rounds = arg("--rounds", 5) as usize;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Tickets that stay running for the whole run: ticket time almost stands still.
    let options = SimOptions {
        tickets: 5000,
        speed: 1e-4,
        ..SimOptions::default()
    };
    let sim = runtime
        .block_on(sim::start(([127, 0, 0, 1], 0).into(), options))
        .unwrap();
    let tickets = runtime.block_on(running_behind(&sim, rate as usize, OLDER_THAN));
    assert_eq!(tickets.len(), rate as usize, "enough running tickets");

    let other_builds = args
        .windows(2)
        .filter(|pair| pair[0] == "--bin")
        .map(|pair| Poller::CoctopWait(Some(pair[1].clone().into())));
    let mut pollers = Vec::new();
    let candidates = [
        Poller::CoctopWait(None),
        Poller::PythonSdk,
        Poller::CurlJq,
        Poller::BareReqwest,
        Poller::BareHyperConn,
        Poller::RawSocket,
    ];
    for poller in candidates.into_iter().chain(other_builds) {
        match poller.missing() {
            None => pollers.push(poller),
            Some(what) => println!("  {}: left out, needs {what}", poller.name()),
        }
    }
    println!(
        "{rate} running tickets, each fetched once a second; {rounds} rounds of {seconds} s windows; release binary"
    );
    let window = Duration::from_secs(seconds);
    let mut per_poll: Vec<Vec<f64>> = vec![Vec::new(); pollers.len()];
    for round in 0..rounds {
        for turn in 0..pollers.len() {
            let which = (round + turn) % pollers.len();
            let measured = measure(&pollers[which], &sim, &tickets, window);
            println!(
                "  round {}: {:<16} {:5.1} polls/s, {:7.0} µs CPU/poll",
                round + 1,
                pollers[which].name(),
                measured.polls as f64 / measured.seconds,
                measured.micros_per_poll()
            );
            per_poll[which].push(measured.micros_per_poll());
        }
    }
    let medians: Vec<f64> = per_poll.into_iter().map(median).collect();
    let coctop = medians[0];
    for (poller, median) in pollers.iter().zip(&medians) {
        println!(
            "{:<16} median {:7.0} µs CPU/poll ({:.1}x coctop wait)",
            poller.name(),
            median,
            median / coctop
        );
    }
    let _guard = runtime.enter();
    sim.shutdown();
}
