//! The browser side of a live sitting: one websocket to `/live/sittings/{id}` that receives the
//! published state and sends commands as JSON. Commands come from the same `<form>`s that work
//! without JavaScript: while the socket is open a submit is sent over it instead of posted, and
//! when it is not the form posts as usual, so nothing typed is lost to a dropped connection.

use crate::collab::reconnect::{self, Backoff};
use crate::collab::view::Status;
use crate::domain::sitting::{Command, Mine, Refusal};
use crate::model::Sitting;
use leptos::prelude::*;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, FormData, HtmlFormElement, MessageEvent, WebSocket};

/// Where the island wants what the server says.
#[derive(Clone, Copy)]
pub struct RoomOutputs {
    pub sitting: WriteSignal<Sitting>,
    pub mine: WriteSignal<Mine>,
    /// The server's clock minus this browser's, in milliseconds (for the turn timer).
    pub skew: WriteSignal<f64>,
    pub status: WriteSignal<Status>,
    pub refusal: WriteSignal<Option<Refusal>>,
}

struct Room {
    sitting: i64,
    acting_for: Option<i64>,
    out: RoomOutputs,
    socket: Option<WebSocket>,
    backoff: Backoff,
    /// Forms whose commands were sent and not yet answered, oldest first: each is cleared when
    /// its command is done, and keeps what was typed when it is refused.
    pending: VecDeque<HtmlFormElement>,
}

thread_local! {
    // One sitting per page.
    static ROOM: RefCell<Option<Room>> = const { RefCell::new(None) };
}

/// What the server sends.
#[derive(Deserialize)]
struct Incoming {
    sitting: Option<Sitting>,
    #[serde(default)]
    mine: Mine,
    now: Option<f64>,
    refused: Option<Refusal>,
    #[serde(default)]
    done: bool,
}

/// Connects to the sitting's live channel, speaking for `acting_for`.
pub fn start(sitting: i64, acting_for: Option<i64>, out: RoomOutputs) {
    ROOM.with(|room| {
        *room.borrow_mut() = Some(Room {
            sitting,
            acting_for,
            out,
            socket: None,
            backoff: Backoff::default(),
            pending: VecDeque::new(),
        })
    });
    connect();
}

fn connect() {
    let Some((sitting, acting_for, status)) = ROOM.with(|room| {
        room.borrow()
            .as_ref()
            .map(|r| (r.sitting, r.acting_for, r.out.status))
    }) else {
        return;
    };
    status.set(Status::Connecting);
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    let query = acting_for.map(|o| format!("?as={o}")).unwrap_or_default();
    let Ok(socket) = WebSocket::new(&format!("{scheme}://{host}/live/sittings/{sitting}{query}"))
    else {
        retry();
        return;
    };
    let on_open = Closure::<dyn FnMut()>::new(move || {
        ROOM.with(|room| {
            if let Some(room) = room.borrow_mut().as_mut() {
                room.backoff.reset();
                room.out.status.set(Status::Connected);
            }
        })
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(text) = event.data().as_string() {
            receive(&text);
        }
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        ROOM.with(|room| {
            if let Some(room) = room.borrow_mut().as_mut() {
                room.socket = None;
                room.out.status.set(Status::Offline);
                // Unanswered: their commands may or may not have been saved; what was typed stays.
                room.pending.clear();
            }
        });
        retry();
    });
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();
    ROOM.with(|room| {
        if let Some(room) = room.borrow_mut().as_mut() {
            room.socket = Some(socket);
        }
    });
}

fn retry() {
    ROOM.with(|room| {
        if let Some(room) = room.borrow_mut().as_mut() {
            reconnect::after(&mut room.backoff, connect);
        }
    });
}

fn receive(text: &str) {
    let Ok(incoming) = serde_json::from_str::<Incoming>(text) else {
        return;
    };
    let answered = incoming.done || incoming.refused.is_some();
    let Some((out, form)) = ROOM.with(|room| {
        let mut room = room.borrow_mut();
        let room = room.as_mut()?;
        let form = if answered {
            room.pending.pop_front()
        } else {
            None
        };
        Some((room.out, form))
    }) else {
        return;
    };
    if let Some(refusal) = incoming.refused {
        out.refusal.set(Some(refusal));
        return;
    }
    if incoming.done {
        if let Some(form) = form {
            form.reset();
        }
        out.refusal.set(None);
        return;
    }
    if let Some(sitting) = incoming.sitting {
        if let Some(now) = incoming.now {
            out.skew.set(now - js_sys::Date::now());
        }
        out.sitting.set(sitting);
        out.mine.set(incoming.mine);
    }
}

/// Sends a submitted command form over the live channel, if it is open; otherwise lets the
/// browser post it.
pub fn send_form(event: web_sys::Event) {
    let Some(form) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Ok(data) = FormData::new_with_form(&form) else {
        return;
    };
    let field = |name: &str| data.get(name).as_string().unwrap_or_default();
    let command = match Command::from_fields(field) {
        Ok(command) => command,
        Err(refusal) => {
            event.prevent_default();
            ROOM.with(|room| {
                if let Some(room) = room.borrow().as_ref() {
                    room.out.refusal.set(Some(refusal));
                }
            });
            return;
        }
    };
    let Ok(json) = serde_json::to_string(&command) else {
        return;
    };
    let sent = ROOM.with(|room| {
        let mut room = room.borrow_mut();
        let Some(room) = room.as_mut() else {
            return false;
        };
        let sent = room
            .socket
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
            .is_some_and(|s| s.send_with_str(&json).is_ok());
        if sent {
            room.pending.push_back(form.clone());
        }
        sent
    });
    if sent {
        event.prevent_default();
    }
}
