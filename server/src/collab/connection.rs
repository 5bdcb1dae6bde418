//! One draft websocket's connection loop, written against any stream and sink of websocket
//! messages (the endpoint is `live::drafts`; unit tests drive it over in-memory channels). One
//! task per connection reads the peer's messages, writes what the room queued (all of it, then
//! one flush), pings a quiet peer and lets go of one that stops reading.
//!
//! Long messages go out in frames of [`FRAGMENT`] bytes: tungstenite writes a message through a
//! buffer that keeps its largest size, so every reader once sent a whole draft (the first sync)
//! would hold a buffer that size for as long as it stays.

use super::hub::{Hub, Out, Peer, close};
use app::ids::DraftId;
use axum::body::Bytes;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The largest message a peer may send (a whole book pasted at once is well under it).
pub const MAX_MESSAGE: usize = 8 * 1024 * 1024;
/// Messages up to this size are read whole and refused with a clear close code; beyond it the
/// websocket layer drops the connection outright.
pub const MAX_READ: usize = 2 * MAX_MESSAGE;
/// The read buffer a connection starts with.
pub const READ_BUFFER: usize = 4 * 1024;
/// Messages longer than this are sent as several frames of this size (see the module's notes).
pub const FRAGMENT: usize = 16 * 1024;
/// How long writing to a peer may be stuck before the connection is dropped (it stopped reading;
/// reconnecting resyncs).
pub const WRITE_STALL: Duration = Duration::from_secs(5);
/// How often the server pings a quiet connection.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// How long a connection may stay silent (no message, no pong) before it is closed.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(90);

/// Serves one connection until either side closes it: one task reads the peer's messages, writes
/// what the room sends, pings a quiet peer and lets go of one that stops reading.
pub async fn run<S>(mut socket: S, hub: Hub, draft: DraftId, peer: Peer)
where
    S: Stream<Item = Result<Message, WsError>> + Sink<Message> + Send + Unpin + 'static,
{
    let joined = match hub.join(draft, peer).await {
        Ok(joined) => joined,
        Err(_) => {
            let reason = (
                close::SERVER_ERROR,
                "this draft cannot be opened".to_string(),
            );
            return say_goodbye(&mut socket, Some(reason)).await;
        }
    };
    let conn = joined.conn;
    let mut outgoing = joined.outgoing;
    let mut kicked = joined.kicked;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let silence = tokio::time::sleep(SILENCE_LIMIT);
    tokio::pin!(silence);
    // Why the connection ends, when the peer should be told.
    let reason: Option<(u16, String)> = loop {
        tokio::select! {
            // In this order, so that a wake-up for the room's message polls nothing else. Reading
            // cannot starve: each turn writes everything queued, so the queue is empty next turn
            // unless the room outpaces the peer, which the room answers by dropping the peer.
            biased;
            // The room let go: with a reason, or without one when it is unloading.
            kick = &mut kicked => break kick.ok(),
            out = outgoing.recv() => match out {
                Some(Out::Frame(bytes)) => {
                    // A peer that stopped reading is let go, not waited for.
                    match tokio::time::timeout(WRITE_STALL, write_queued(&mut socket, bytes, &mut outgoing)).await {
                        Ok(Ok(None)) => {}
                        Ok(Ok(Some(close))) => break Some(close),
                        Ok(Err(())) | Err(_) => break None,
                    }
                }
                Some(Out::Close(code, reason)) => break Some((code, reason)),
                // A room that kicks drops the queue too: the reason may be waiting.
                None => break kicked.try_recv().ok(),
            },
            next = socket.next() => {
                silence.as_mut().reset(tokio::time::Instant::now() + SILENCE_LIMIT);
                match next {
                    Some(Ok(Message::Binary(bytes))) => {
                        if bytes.len() > MAX_MESSAGE {
                            let reason = format!(
                                "message of {} bytes is over the limit of {MAX_MESSAGE}",
                                bytes.len()
                            );
                            break Some((close::TOO_BIG, reason));
                        }
                        if hub.frame(draft, conn, bytes).await.is_err() {
                            break Some((close::SERVER_ERROR, "the draft is unavailable".into()));
                        }
                    }
                    Some(Ok(Message::Text(_))) => {
                        break Some((1003, "this endpoint speaks binary y-websocket messages".into()));
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                }
            }
            () = &mut silence => break Some((1001, "no answer for too long".into())),
            _ = ping.tick() => {
                let pinged = tokio::time::timeout(WRITE_STALL, socket.send(Message::Ping(Bytes::new()))).await;
                if !matches!(pinged, Ok(Ok(()))) {
                    break None;
                }
            }
        }
    };
    hub.leave(draft, conn).await;
    say_goodbye(&mut socket, reason).await;
}

/// Writes `first` and whatever else is already queued, then flushes once. Stops at a queued
/// close and returns its reason; `Err` if the peer cannot be written to.
async fn write_queued<S>(
    socket: &mut S,
    first: Bytes,
    outgoing: &mut mpsc::Receiver<Out>,
) -> Result<Option<(u16, String)>, ()>
where
    S: Sink<Message> + Unpin,
{
    let mut next = Some(first);
    let mut closing = None;
    while let Some(bytes) = next.take() {
        feed_binary(socket, bytes).await?;
        match outgoing.try_recv() {
            Ok(Out::Frame(more)) => next = Some(more),
            Ok(Out::Close(code, reason)) => closing = Some((code, reason)),
            Err(_) => {}
        }
    }
    socket.flush().await.map_err(drop)?;
    Ok(closing)
}

/// Queues one binary message: whole, or in frames of [`FRAGMENT`] bytes if longer.
async fn feed_binary<S>(socket: &mut S, bytes: Bytes) -> Result<(), ()>
where
    S: Sink<Message> + Unpin,
{
    if bytes.len() <= FRAGMENT {
        return socket.feed(Message::Binary(bytes)).await.map_err(drop);
    }
    let count = bytes.len().div_ceil(FRAGMENT);
    for i in 0..count {
        let part = bytes.slice(i * FRAGMENT..((i + 1) * FRAGMENT).min(bytes.len()));
        let opcode = if i == 0 { Data::Binary } else { Data::Continue };
        let frame = Frame::message(part, OpCode::Data(opcode), i + 1 == count);
        socket.feed(Message::Frame(frame)).await.map_err(drop)?;
    }
    Ok(())
}

/// Tells the peer why the connection ends (if it should be told) and closes it, waiting no
/// longer than a stuck peer deserves.
async fn say_goodbye<S>(socket: &mut S, reason: Option<(u16, String)>)
where
    S: Sink<Message> + Unpin,
{
    if let Some((code, reason)) = reason {
        let _ = tokio::time::timeout(WRITE_STALL, socket.send(close_message(code, &reason))).await;
    }
    let _ = tokio::time::timeout(WRITE_STALL, socket.close()).await;
}

fn close_message(code: u16, reason: &str) -> Message {
    // A close reason must fit a control frame (123 bytes).
    let mut reason = reason.to_string();
    while reason.len() > 120 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame {
        code: code.into(),
        reason: reason.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collab::protocol;
    use app::ssr::Store;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use yrs::updates::decoder::Decode;
    use yrs::{GetString, Transact};

    /// One end of an in-memory websocket: what the test sends arrives as the stream, what the
    /// connection sends goes to the test.
    struct Duplex {
        incoming: mpsc::UnboundedReceiver<Result<Message, WsError>>,
        outgoing: mpsc::UnboundedSender<Message>,
    }

    impl Stream for Duplex {
        type Item = Result<Message, WsError>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.incoming.poll_recv(cx)
        }
    }

    impl Sink<Message> for Duplex {
        type Error = WsError;
        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
            Poll::Ready(Ok(()))
        }
        fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
            self.outgoing
                .send(message)
                .map_err(|_| WsError::ConnectionClosed)
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
            Poll::Ready(Ok(()))
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
            Poll::Ready(Ok(()))
        }
    }

    /// The other end of a connection served by `run`: the test.
    struct Other {
        send: mpsc::UnboundedSender<Result<Message, WsError>>,
        received: mpsc::UnboundedReceiver<Message>,
        served: tokio::task::JoinHandle<()>,
    }

    impl Other {
        async fn next(&mut self) -> Message {
            tokio::time::timeout(Duration::from_secs(5), self.received.recv())
                .await
                .expect("the connection answers")
                .expect("still open")
        }

        async fn close_code(&mut self) -> u16 {
            loop {
                if let Message::Close(Some(frame)) = self.next().await {
                    return frame.code.into();
                }
            }
        }
    }

    /// A demo database, its hub, and the first draft.
    async fn hub() -> (Hub, DraftId, Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::connect(&format!("sqlite://{}/t.db", dir.path().display()))
            .await
            .unwrap();
        crate::db::migrate(&db).await.unwrap();
        let store: Arc<dyn Store> = Arc::new(crate::store::SqlStore::new(&db));
        crate::demo::load(store.as_ref(), crate::clock::now_millis())
            .await
            .unwrap();
        let process = store.processes().await.unwrap()[0].id;
        let draft = store.drafts(process).await.unwrap()[0].id;
        (Hub::new(store.clone()), draft, store, dir)
    }

    fn serve(hub: &Hub, draft: DraftId) -> Other {
        let (send, incoming) = mpsc::unbounded_channel();
        let (outgoing, received) = mpsc::unbounded_channel();
        let socket = Duplex { incoming, outgoing };
        let reader = Peer {
            actor: None,
            presence: serde_json::Value::Null,
        };
        let served = tokio::spawn(run(socket, hub.clone(), draft, reader));
        Other {
            send,
            received,
            served,
        }
    }

    #[tokio::test]
    async fn a_reader_gets_the_servers_state_vector_then_the_whole_text() {
        let (hub, draft, _store, _dir) = hub().await;
        let mut peer = serve(&hub, draft);
        let Message::Binary(first) = peer.next().await else {
            panic!("a binary frame first");
        };
        assert!(matches!(
            protocol::decode(&first),
            Ok(protocol::Message::SyncStep1(_))
        ));
        // Asking with an empty state vector brings everything.
        let empty = protocol::sync_step_1(&[0]);
        peer.send.send(Ok(Message::Binary(empty.into()))).unwrap();
        let update = loop {
            if let Message::Binary(bytes) = peer.next().await
                && let Ok(protocol::Message::SyncStep2(update)) = protocol::decode(&bytes)
            {
                break update.to_vec();
            }
        };
        let doc = yrs::Doc::new();
        let text = doc.get_or_insert_text("body");
        doc.transact_mut()
            .apply_update(yrs::Update::decode_v1(&update).unwrap())
            .unwrap();
        let live = app::ssr::Live::text(&hub, draft).await.unwrap();
        assert!(!live.text.is_empty());
        assert_eq!(text.get_string(&doc.transact()), live.text);
    }

    #[tokio::test]
    async fn text_and_oversized_messages_close_with_their_codes() {
        let (hub, draft, _store, _dir) = hub().await;
        let mut peer = serve(&hub, draft);
        peer.send.send(Ok(Message::Text("hello".into()))).unwrap();
        assert_eq!(peer.close_code().await, 1003);

        let mut peer = serve(&hub, draft);
        let huge = vec![0u8; MAX_MESSAGE + 1];
        peer.send.send(Ok(Message::Binary(huge.into()))).unwrap();
        assert_eq!(peer.close_code().await, close::TOO_BIG);
    }

    #[tokio::test]
    async fn a_peer_that_goes_away_ends_its_connection() {
        let (hub, draft, _store, _dir) = hub().await;
        let mut peer = serve(&hub, draft);
        peer.next().await;
        drop(peer.send);
        tokio::time::timeout(Duration::from_secs(5), peer.served)
            .await
            .expect("the loop ends")
            .unwrap();
    }
}
