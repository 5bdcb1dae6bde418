//! The live endpoints: the draft websocket (y-websocket's protocol), a draft's comment event
//! stream and a sitting's live channel. Each checks who is asking and what they may see, holds a
//! place under the per-client cap (`limits`), and hands the connection to `collab`, which knows
//! nothing of HTTP, sessions or the server's state.

pub mod comments;
pub mod drafts;
pub mod sittings;
