//! The gate every request of one account passes: the pacer, the cap on requests in
//! flight, the pause after a 429, and the authentication state (after a 401/403 nothing
//! is sent until a probe succeeds). One `on_error` takes the answer to every kind of
//! request. A value: an engine serving several accounts holds one gate per account.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::rate::RateLimiter;
use super::{EngineConfig, HealthUpdate};
use crate::coc::{ApiError, ErrorKind};

/// How long the endpoint pauses after a 429 that names no `Retry-After`.
pub const DEFAULT_THROTTLE_PAUSE: Duration = Duration::from_secs(5);
/// A longer `Retry-After` is shortened to this, so a wild header cannot stall the
/// dashboard for days (or overflow the clock).
pub const MAX_THROTTLE_PAUSE: Duration = Duration::from_secs(600);
/// At most one authentication probe in this long: the gateway locks an AK after five
/// failed signatures in a row, and a user pressing `R` should not get there.
pub const PROBE_SPACING: Duration = Duration::from_secs(30);
/// After this many failed probes nothing more is sent until the engine is started
/// again with (presumably) other credentials or config.
pub const MAX_FAILED_PROBES: u32 = 3;

/// Whether the credentials may be used.
#[derive(Debug)]
enum AuthState {
    Ok,
    Blocked(ApiError),
    /// One request probes before the rest follow.
    Probing,
}

/// What a request was for, as far as its errors go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Reading or changing tickets: a 401/403 means the credentials are refused.
    Account,
    /// Listing: the account may be allowed to read tickets and not to list them (403),
    /// or the endpoint may not take the list's filters (400).
    Listing,
}

/// How the gate took a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 429: everything waits; the request may be asked again.
    Throttled,
    /// 401/403: nothing more is sent until a probe succeeds.
    AuthFailed,
    /// Listing is refused for good (403, 400): no more pages of this list.
    ListingRefused,
    /// Anything else: the request's own business (backoff, a message).
    Failed,
}

/// Identifies when a request was sent: answers from before a block change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    epoch: u64,
}

#[derive(Debug)]
pub struct Gate {
    limiter: RateLimiter,
    concurrency: usize,
    auth: AuthState,
    /// Bumped whenever a blocked gate is allowed to try again.
    epoch: u64,
    /// When the last probe was sent, and how many failed in a row.
    last_probe: Option<Instant>,
    failed_probes: u32,
    throttled_until: Option<Instant>,
}

impl Gate {
    pub fn new(config: &EngineConfig) -> Gate {
        Gate {
            limiter: RateLimiter::new(config.max_rps),
            concurrency: config.concurrency.max(1),
            auth: AuthState::Ok,
            epoch: 0,
            last_probe: None,
            failed_probes: 0,
            throttled_until: None,
        }
    }

    /// Requests that may be in flight now.
    pub fn capacity(&self) -> usize {
        match self.auth {
            AuthState::Ok => self.concurrency,
            AuthState::Probing => 1,
            AuthState::Blocked(_) => 0,
        }
    }

    /// Whether one more request may start now, with `in_flight` already out.
    pub fn may_start(&self, in_flight: usize, now: Instant) -> bool {
        in_flight < self.capacity() && self.limiter.is_ready(now)
    }

    /// The earliest instant at or after `now` when the pacer lets a request start.
    pub fn ready_at(&self, now: Instant) -> Instant {
        self.limiter.ready_at(now)
    }

    /// A request starts now: it takes the pacer's slot.
    pub fn start(&mut self, now: Instant) -> Pass {
        self.limiter.record_start(now);
        Pass { epoch: self.epoch }
    }

    /// Why nothing may be sent, while the credentials are refused.
    pub fn blocked(&self) -> Option<&ApiError> {
        match &self.auth {
            AuthState::Blocked(error) => Some(error),
            _ => None,
        }
    }

    /// A refresh asked for while blocked becomes a probe, unless one went out less
    /// than `PROBE_SPACING` ago or `MAX_FAILED_PROBES` have failed.
    pub fn allow_retry(&mut self, now: Instant) {
        if !matches!(self.auth, AuthState::Blocked(_)) {
            return;
        }
        let too_soon = self
            .last_probe
            .is_some_and(|at| now.saturating_duration_since(at) < PROBE_SPACING);
        if too_soon || self.failed_probes >= MAX_FAILED_PROBES {
            tracing::info!(
                failed_probes = self.failed_probes,
                "authentication probe held back (at most one per {PROBE_SPACING:?}, none after \
                 {MAX_FAILED_PROBES} failures)"
            );
            return;
        }
        self.auth = AuthState::Probing;
        self.epoch += 1;
        self.last_probe = Some(now);
    }

    /// A request sent in `pass` was answered (with `error`, if it failed); says how the
    /// gate took it, and what to report (a pause or a block, once each).
    pub fn on_answer(
        &mut self,
        pass: Pass,
        error: Option<&ApiError>,
        scope: Scope,
        now: Instant,
    ) -> (Option<Verdict>, Option<HealthUpdate>) {
        let Some(error) = error else {
            self.on_success(pass);
            return (None, None);
        };
        let (verdict, report) = self.on_error(pass, error, scope, now);
        if verdict != Verdict::AuthFailed {
            // The probe was answered, if not as hoped: the credentials work.
            self.on_success(pass);
        }
        (Some(verdict), report)
    }

    fn on_success(&mut self, pass: Pass) {
        if pass.epoch == self.epoch && matches!(self.auth, AuthState::Probing) {
            self.auth = AuthState::Ok;
            self.failed_probes = 0;
        }
    }

    /// The one place an error's class decides what happens to every request.
    fn on_error(
        &mut self,
        pass: Pass,
        error: &ApiError,
        scope: Scope,
        now: Instant,
    ) -> (Verdict, Option<HealthUpdate>) {
        match (error.kind(), error.http_status(), scope) {
            (ErrorKind::Throttled, ..) => (Verdict::Throttled, self.throttle(error, now)),
            (ErrorKind::Auth, Some(403), Scope::Listing) | (_, Some(400), Scope::Listing) => {
                (Verdict::ListingRefused, None)
            }
            (ErrorKind::Auth, ..) => (Verdict::AuthFailed, self.auth_failed(pass, error)),
            _ => (Verdict::Failed, None),
        }
    }

    /// Pauses every request until the 429's `Retry-After`, reporting once per pause.
    fn throttle(&mut self, error: &ApiError, now: Instant) -> Option<HealthUpdate> {
        let wait = error
            .retry_after()
            .unwrap_or(DEFAULT_THROTTLE_PAUSE)
            .min(MAX_THROTTLE_PAUSE);
        let until = now + wait;
        let already_paused = self.throttled_until.is_some_and(|t| now < t);
        self.throttled_until = Some(self.throttled_until.map_or(until, |t| t.max(until)));
        self.limiter.pause_until(until);
        (!already_paused).then(|| HealthUpdate::Throttled {
            until: SystemTime::now() + wait,
            error: error.clone(),
        })
    }

    /// Stops all requests after a 401/403, reporting once. Answers to requests sent
    /// before the block (an older epoch) change nothing.
    fn auth_failed(&mut self, pass: Pass, error: &ApiError) -> Option<HealthUpdate> {
        if pass.epoch != self.epoch || matches!(self.auth, AuthState::Blocked(_)) {
            return None;
        }
        if matches!(self.auth, AuthState::Probing) {
            self.failed_probes += 1;
        }
        self.auth = AuthState::Blocked(error.clone());
        Some(HealthUpdate::AuthFailed {
            error: error.clone(),
            at: SystemTime::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn every_kind_of_request_pauses_the_gate_on_a_429() {
        for scope in [Scope::Account, Scope::Listing] {
            let mut gate = Gate::new(&EngineConfig::default());
            let now = Instant::now();
            let pass = gate.start(now);
            let (verdict, report) =
                gate.on_answer(pass, Some(&ApiError::bare_http(429)), scope, now);
            assert_eq!(verdict, Some(Verdict::Throttled));
            assert!(matches!(report, Some(HealthUpdate::Throttled { .. })));
            assert_eq!(gate.ready_at(now), now + DEFAULT_THROTTLE_PAUSE);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn listing_refused_with_403_or_400_blocks_nothing_else() {
        for status in [400, 403] {
            let mut gate = Gate::new(&EngineConfig::default());
            let now = Instant::now();
            let pass = gate.start(now);
            let (verdict, report) = gate.on_answer(
                pass,
                Some(&ApiError::bare_http(status)),
                Scope::Listing,
                now,
            );
            assert_eq!(verdict, Some(Verdict::ListingRefused));
            assert!(report.is_none());
            assert!(gate.blocked().is_none());
        }
        let mut gate = Gate::new(&EngineConfig::default());
        let now = Instant::now();
        let pass = gate.start(now);
        let (verdict, _) =
            gate.on_answer(pass, Some(&ApiError::bare_http(401)), Scope::Listing, now);
        assert_eq!(verdict, Some(Verdict::AuthFailed));
        assert_eq!(gate.capacity(), 0);
    }
}
