//! `coctop sim`: a faithful COC server on loopback (axum).

use crate::cli::SimArgs;
use crate::exit::Exit;

pub fn run(args: &SimArgs) -> Exit {
    let _ = args;
    todo!("sim helper")
}
