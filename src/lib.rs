//! coctop: a live terminal dashboard for Huawei Cloud COC job tickets.

pub mod app;
pub mod backoff;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod coc;
pub mod config;
pub mod effects;
pub mod exit;
pub mod files;
pub mod format;
pub mod hosts;
pub mod launch;
pub mod notify;
pub mod operate;
pub mod query;
pub mod runs;
pub mod sim;
pub mod text;
pub mod timer;
pub mod tui;
pub mod ui;
pub mod wait;
pub mod walk;
pub mod watch;
