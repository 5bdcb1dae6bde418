//! The y-protocols framing y-websocket speaks (message kinds, sync steps, awareness, auth) and
//! lib0's binary encoding under it, free of yrs, so that the server, both browser clients, the
//! integration tests and the benchmarks read and write frames with one piece of code.

pub mod frames;
pub mod lib0;
