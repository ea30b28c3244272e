//! Script tickets (脚本工单) in the simulator: seeded tickets over every status with
//! batches, hosts and their output, the lifecycle computed from the clock, the
//! operations and their rules, and scripts started through the API.
//!
//! Conventions beyond the published API: host IDs (the `marker` of a batch's hosts and
//! the `instance_id` of CANCEL_INSTANCE) are unique across tickets; the list is newest
//! first, by `order_id`, and `marker` asks for the rows with a smaller one; the first
//! parameter of a script is required; every ticket's second host prints escape sequences
//! and control characters among its lines, and the first FINISHED seeded ticket's first
//! host prints about 1 MB.

mod catalog;
mod generate;
mod life;
mod output;
pub(super) mod routes;
mod store;

pub(super) use store::ScriptStore;
