//! `coctop get` and `coctop wait`: output for scripts.

use crate::cli::{GetArgs, WaitArgs};
use crate::exit::Exit;

pub struct Globals<'a> {
    pub config: Option<&'a std::path::Path>,
    pub endpoint: Option<&'a str>,
    pub region: Option<&'a str>,
}

pub fn get(globals: &Globals<'_>, args: &GetArgs) -> Exit {
    let _ = (globals, args);
    todo!("get")
}

pub fn wait(globals: &Globals<'_>, args: &WaitArgs) -> Exit {
    let _ = (globals, args);
    todo!("wait")
}
