//! The y-protocols messages y-websocket exchanges: sync (step 1, step 2, update), awareness,
//! auth and query-awareness. Decoding checks the frame; encoding builds frames to send.

use super::lib0::{ReadError, Reader, write_var_bytes, write_var_u64};

/// Why a frame could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("malformed: {0}")]
    Read(#[from] ReadError),
    #[error("message kind {0} is not part of y-websocket's protocol")]
    Kind(u64),
    #[error("{0} unread bytes after the end of the message")]
    Trailing(usize),
}

const MESSAGE_SYNC: u64 = 0;
const MESSAGE_AWARENESS: u64 = 1;
const MESSAGE_AUTH: u64 = 2;
const MESSAGE_QUERY_AWARENESS: u64 = 3;
const SYNC_STEP_1: u64 = 0;
const SYNC_STEP_2: u64 = 1;
const SYNC_UPDATE: u64 = 2;

/// One message from a peer; the payloads still have to be validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// "Here is my state vector; send me what I lack."
    SyncStep1(&'a [u8]),
    /// "Here is what you lack" (an update).
    SyncStep2(&'a [u8]),
    /// A live change (an update).
    Update(&'a [u8]),
    /// Presence: who is here, where their cursor is.
    Awareness(&'a [u8]),
    /// "Send me everyone's presence."
    QueryAwareness,
    /// Permission denied, with the reason (servers send it; a client sending one is ignored).
    Auth(&'a str),
}

/// Decodes one frame. Anything unknown or left over is refused.
pub fn decode(frame: &[u8]) -> Result<Message<'_>, FrameError> {
    let mut reader = Reader::new(frame);
    let message = match reader.var_u64()? {
        MESSAGE_SYNC => match reader.var_u64()? {
            SYNC_STEP_1 => Message::SyncStep1(reader.var_bytes()?),
            SYNC_STEP_2 => Message::SyncStep2(reader.var_bytes()?),
            SYNC_UPDATE => Message::Update(reader.var_bytes()?),
            other => return Err(FrameError::Kind(other)),
        },
        MESSAGE_AWARENESS => Message::Awareness(reader.var_bytes()?),
        MESSAGE_QUERY_AWARENESS => Message::QueryAwareness,
        MESSAGE_AUTH => {
            // Permission denied (0), with a reason.
            reader.var_u64()?;
            Message::Auth(reader.var_str()?)
        }
        other => return Err(FrameError::Kind(other)),
    };
    match reader.remaining() {
        0 => Ok(message),
        n => Err(FrameError::Trailing(n)),
    }
}

fn sync(kind: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    write_var_u64(&mut out, MESSAGE_SYNC);
    write_var_u64(&mut out, kind);
    write_var_bytes(&mut out, payload);
    out
}

/// Sync step 1 carrying a state vector.
pub fn sync_step_1(state_vector: &[u8]) -> Vec<u8> {
    sync(SYNC_STEP_1, state_vector)
}

/// Sync step 2 carrying an update.
pub fn sync_step_2(update: &[u8]) -> Vec<u8> {
    sync(SYNC_STEP_2, update)
}

/// A live update.
pub fn update(update: &[u8]) -> Vec<u8> {
    sync(SYNC_UPDATE, update)
}

/// An awareness message carrying an encoded awareness update.
pub fn awareness(update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(update.len() + 4);
    write_var_u64(&mut out, MESSAGE_AWARENESS);
    write_var_bytes(&mut out, update);
    out
}

/// "Permission denied", with a reason y-websocket clients log.
pub fn permission_denied(reason: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_var_u64(&mut out, MESSAGE_AUTH);
    write_var_u64(&mut out, 0);
    write_var_bytes(&mut out, reason.as_bytes());
    out
}

/// "Send me everyone's presence."
pub fn query_awareness() -> Vec<u8> {
    vec![MESSAGE_QUERY_AWARENESS as u8]
}

/// Reads an awareness update's entries, `(client, clock, state JSON or "null")`, without
/// checking their states (the server's validator bounds them; a client reads what it is sent).
pub fn awareness_entries(update: &[u8]) -> Result<Vec<(u64, u64, &str)>, FrameError> {
    let mut reader = Reader::new(update);
    let count = reader.count(3)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let client = reader.var_u64()?;
        let clock = reader.var_u64()?;
        entries.push((client, clock, reader.var_str()?));
    }
    match reader.remaining() {
        0 => Ok(entries),
        n => Err(FrameError::Trailing(n)),
    }
}

/// Encodes awareness entries: `(client, clock, state JSON or "null")`.
pub fn encode_awareness<'a>(
    entries: impl ExactSizeIterator<Item = (u64, u64, &'a str)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    write_var_u64(&mut out, entries.len() as u64);
    for (client, clock, state) in entries {
        write_var_u64(&mut out, client);
        write_var_u64(&mut out, clock);
        write_var_bytes(&mut out, state.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        assert_eq!(decode(&sync_step_1(&[0])), Ok(Message::SyncStep1(&[0])));
        assert_eq!(
            decode(&sync_step_2(&[0, 0])),
            Ok(Message::SyncStep2(&[0, 0]))
        );
        assert_eq!(decode(&update(&[0, 0])), Ok(Message::Update(&[0, 0])));
        assert_eq!(decode(&awareness(&[0])), Ok(Message::Awareness(&[0])));
        assert_eq!(decode(&[3]), Ok(Message::QueryAwareness));
        assert_eq!(
            decode(&permission_denied("read-only")),
            Ok(Message::Auth("read-only"))
        );
        assert_eq!(decode(&query_awareness()), Ok(Message::QueryAwareness));
        let entries = [(7, 1, "{\"user\":{}}"), (9, 4, "null")];
        assert_eq!(
            awareness_entries(&encode_awareness(entries.into_iter())),
            Ok(entries.to_vec())
        );
    }

    #[test]
    fn malformed_frames_are_refused() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[9]).is_err());
        assert!(decode(&[0, 7, 0]).is_err());
        assert!(decode(&[0, 0, 5, 1]).is_err());
        assert_eq!(decode(&[3, 3]), Err(FrameError::Trailing(1)));
        assert_eq!(decode(&[7]), Err(FrameError::Kind(7)));
    }
}
