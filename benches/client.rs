//! Client costs: decoding one realistic ticket, and one `get_execution` round trip to a
//! loopback server, measured both as wall time and as the CLIENT thread's CPU time
//! (the server runs on its own thread and runtime, so its work is not counted).

use std::hint::black_box;
use std::sync::mpsc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use coctop::coc::model::Envelope;
use coctop::coc::{Auth, Client, ClientConfig, Endpoint, Interner, RetryPolicy, Secret, Ticket};
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TICKET: &str = include_str!("../tests/fixtures/execution-realistic.json");
const TICKET_ID: &str = "EX2025070121014501a7c3f2";

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`), in ns.
struct ThreadCpuTime;

fn thread_cpu_nanos() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_nanos()
    }
    fn end(&self, started: u64) -> u64 {
        thread_cpu_nanos().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuNanos
    }
}

/// Formats nanoseconds of CPU time as ns / µs / ms "cpu".
struct CpuNanos;

impl ValueFormatter for CpuNanos {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (divisor, unit) = match typical {
            t if t < 1e3 => (1.0, "ns cpu"),
            t if t < 1e6 => (1e3, "µs cpu"),
            _ => (1e6, "ms cpu"),
        };
        values.iter_mut().for_each(|v| *v /= divisor);
        unit
    }

    /// Throughput is not set on the CPU group: values stay as they are.
    fn scale_throughputs(&self, _: f64, _: &Throughput, _: &mut [f64]) -> &'static str {
        "ns cpu"
    }

    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// A COC stand-in on its own thread and runtime, answering every detail request with
/// the realistic ticket. Returns its base URL.
fn start_server() -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Router::new().route(
                "/v1/executions/{id}",
                get(|| async { ([("content-type", "application/json")], TICKET) }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// A signing client on a current-thread runtime: all client work (signing, HTTP,
/// decoding) happens on the thread that calls `block_on`.
fn client_and_runtime() -> (Client, tokio::runtime::Runtime) {
    let endpoint = Endpoint::from_url(&start_server()).unwrap();
    let mut config = ClientConfig::new(
        endpoint,
        Auth::AkSk {
            ak: "AKBENCH0000000001".into(),
            sk: Secret::new("bench-secret-key"),
            security_token: None,
        },
    );
    config.retry = RetryPolicy::none();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    // Warm the connection pool so every measured call reuses one keep-alive connection.
    runtime.block_on(client.get_execution(TICKET_ID)).unwrap();
    (client, runtime)
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(TICKET.len() as u64));
    group.bench_function("ticket", |b| {
        b.iter(|| decode_ticket(black_box(TICKET.as_bytes())))
    });
    // A poll that changes nothing: the answer decoded, then compared with the copy the
    // engine holds (its targets deflated) and dropped.
    let mut held = decode_ticket(TICKET.as_bytes());
    held.pack(&mut Interner::new());
    group.bench_function("unchanged_against_held", |b| {
        b.iter(|| decode_ticket(black_box(TICKET.as_bytes())) == held)
    });
    group.finish();
}

fn decode_ticket(body: &[u8]) -> Ticket {
    let envelope: Envelope<Ticket> = serde_json::from_slice(body).unwrap();
    envelope.data.unwrap()
}

fn get_execution_wall(c: &mut Criterion) {
    get_execution(c, "get_execution_wall");
}

fn get_execution_cpu(c: &mut Criterion<ThreadCpuTime>) {
    get_execution(c, "get_execution_client_cpu");
}

/// `get_execution` on loopback, measured with `M` (wall time or client CPU time).
fn get_execution<M: Measurement>(c: &mut Criterion<M>, group_name: &str) {
    let (client, runtime) = client_and_runtime();
    let mut group = c.benchmark_group(group_name);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("loopback", |b| {
        b.iter(|| {
            runtime
                .block_on(client.get_execution(black_box(TICKET_ID)))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(wall, decode, get_execution_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = get_execution_cpu
}
criterion_main!(wall, cpu);
