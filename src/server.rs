//! The HTTP server loop of `coctop sim` and `coctop serve`: manners of a server that
//! strangers may reach.
//!
//! At most `max_connections` connections are served at once (the rest wait in the
//! kernel's backlog); a request's headers must arrive within `header_read` (which is
//! also how long an idle keep-alive connection stays open: hyper starts that timer when
//! it waits for the next request), and a connection where no byte moves either way for
//! `stall` is closed (a client that stops reading its answer). So a burst of clients
//! can neither hold unbounded memory nor keep sockets open for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

/// The bounds a server keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// A request's headers must be in within this; an idle keep-alive connection is
    /// closed after it.
    pub header_read: Duration,
    /// A connection where no byte moves either way for this long is closed.
    pub stall: Duration,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_connections: 256,
        header_read: Duration::from_secs(30),
        stall: Duration::from_secs(60),
    };
}

/// Connections the kernel holds for us while every slot is taken (Linux caps it at
/// `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

/// A listener with a backlog deep enough for a burst.
pub fn bind(addr: std::net::SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// On shutdown, requests in flight get this long to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight
/// finish (for at most `DRAIN_TIMEOUT`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let open = Arc::new(AtomicUsize::new(0));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(StallTimeout::new(stream, limits.stall));
        let connection = http.serve_connection(io, TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        let open = open.clone();
        open.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
            if open.fetch_sub(1, Ordering::SeqCst) == 1 {
                release_memory_when_idle(open);
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

/// Once no connection has been open for a second, hands the memory freed since back to
/// the system: glibc keeps freed heap in its per-thread arenas, so without this a
/// burst of requests leaves the resident size near its peak long after it ended.
fn release_memory_when_idle(open: Arc<AtomicUsize>) {
    static PENDING: AtomicBool = AtomicBool::new(false);
    if PENDING.swap(true, Ordering::SeqCst) {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        PENDING.store(false, Ordering::SeqCst);
        if open.load(Ordering::SeqCst) == 0 {
            crate::heap::trim();
        }
    });
}

/// A stream that fails with `TimedOut` once no byte has moved either way for `idle`.
struct StallTimeout<S> {
    inner: S,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<S> StallTimeout<S> {
    fn new(inner: S, idle: Duration) -> StallTimeout<S> {
        StallTimeout {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// What the inner stream answered, with the clock restarted when it moved; while
    /// it is pending, `Pending` (woken at the deadline) until the deadline passes.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        inner: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if inner.is_ready() {
            self.deadline.as_mut().reset(Instant::now() + self.idle);
            return inner;
        }
        ready!(self.deadline.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "no byte moved on the connection for too long",
        )))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let inner = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.watch(cx, inner)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let inner = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, inner)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant as StdInstant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    async fn start(limits: Limits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let app = Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, limits, async {
            let _ = stopped.await;
        }));
        (addr, stop)
    }

    /// Reads until the server closes the connection; what it sent.
    async fn read_to_close(stream: &mut TcpStream) -> String {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    const GET: &[u8] = b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

    #[tokio::test]
    async fn a_client_that_never_finishes_its_headers_is_closed_after_the_header_time() {
        let limits = Limits {
            header_read: Duration::from_millis(300),
            ..Limits::DEFAULT
        };
        let (addr, _stop) = start(limits).await;
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        let started = StdInstant::now();
        let answer = tokio::time::timeout(Duration::from_secs(10), read_to_close(&mut slow))
            .await
            .expect("the server closes the connection");
        assert!(
            started.elapsed() >= Duration::from_millis(250),
            "{:?}",
            started.elapsed()
        );
        assert!(!answer.contains("200 OK"), "{answer}");
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_wait_for_a_free_slot() {
        let limits = Limits {
            max_connections: 2,
            header_read: Duration::from_millis(800),
            ..Limits::DEFAULT
        };
        let (addr, _stop) = start(limits).await;
        // Two silent clients take both slots until the header time closes them.
        let mut holders = Vec::new();
        for _ in 0..2 {
            holders.push(TcpStream::connect(addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = StdInstant::now();
        let mut third = TcpStream::connect(addr).await.unwrap();
        third.write_all(GET).await.unwrap();
        let answer = read_to_close(&mut third).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(500),
            "served at once: {waited:?}"
        );
    }
}
