//! A sitting's live state and its rules: the agenda item under discussion, the speaking queue,
//! the floor, polls and outcomes. Pure: the server owns one state per sitting, applies each
//! participant's command with [`apply`], stores the result and pushes it to every viewer.
//!
//! ("Sitting", not "session": a session is a sign-in.)

use crate::domain::org::StakeholderKind;
use crate::i18n::Msg;
use crate::ids::{OrgId, PersonId};
use crate::model::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a sitting is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Scheduled,
    Open,
    Closed,
}

/// Someone who may speak: an invited representative who accepted the rules of engagement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    pub person: PersonId,
    pub name: String,
    /// The organisation they represent (`None`: themselves).
    pub org: Option<OrgId>,
    /// Their organisation's stakeholder group (`None`: an individual).
    pub kind: Option<StakeholderKind>,
}

/// Who is acting, as the server knows them.
#[derive(Clone, Debug)]
pub struct Actor {
    pub person: PersonId,
    /// The sitting's chair (a mediator of the process).
    pub chair: bool,
    /// Set when the person may speak in this sitting.
    pub speaker: Option<Speaker>,
    /// The person could speak once they accept the process's rules of engagement.
    pub needs_rules: bool,
}

/// Where someone sits in a sitting, which decides what their window offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    /// The mediator running it: the console.
    Chair,
    /// An invited participant who accepted the rules: hand, votes.
    Speaker,
    /// Everyone else: watches, cannot act.
    Observer,
}

/// A turn at speaking, finished or running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub speaker: Speaker,
    pub item: Option<usize>,
    pub started: Millis,
    /// `None` while the speaker has the floor.
    pub ended: Option<Millis>,
}

/// What a poll asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PollKind {
    /// Agree, stand aside, or object (with a reason).
    Consent,
    /// Five levels, from full support (1) to block (5).
    Gradient,
    /// One of the options.
    Choice { options: Vec<String> },
}

/// One answer to a poll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Agree,
    StandAside,
    Object { reason: String },
    Level { level: u8 },
    Option { index: usize },
}

impl Answer {
    /// Where the answer is counted among its poll's answers, in the order of
    /// [`PollKind::answers`] (an answer is checked against its poll when it is cast).
    pub fn slot(&self) -> usize {
        match self {
            Answer::Agree => 0,
            Answer::StandAside => 1,
            Answer::Object { .. } => 2,
            Answer::Level { level } => usize::from(*level).saturating_sub(1),
            Answer::Option { index } => *index,
        }
    }
}

impl Stage {
    /// The stage's name.
    pub fn label(self) -> Msg {
        match self {
            Stage::Scheduled => Msg::SittingStageScheduled,
            Stage::Open => Msg::SittingStageOpen,
            Stage::Closed => Msg::SittingStageClosed,
        }
    }
}

/// Who a vote counts for: a person, or the organisation they represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "for", content = "id", rename_all = "snake_case")]
pub enum Voter {
    Person(PersonId),
    Org(OrgId),
}

/// A cast vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub answer: Answer,
    /// Who cast it (shown only if the poll shows names).
    pub by: Speaker,
}

/// A poll: its question, kind, rules and votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub question: String,
    pub kind: PollKind,
    /// Votes count per organisation represented, not per person.
    pub per_organisation: bool,
    /// Whether results show who voted what.
    pub names_shown: bool,
    pub item: Option<usize>,
    pub votes: BTreeMap<String, Vote>,
    pub open: bool,
}

/// The longest poll question or objection reason, in characters.
pub const MAX_TEXT: usize = 500;
/// The most options a single-choice poll may offer.
pub const MAX_OPTIONS: usize = 12;

/// What the room agreed, left open, or set someone to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Agreement,
    Disagreement,
    Action,
}

/// An outcome recorded by the chair against an agenda item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub item: Option<usize>,
    pub text: String,
}

/// A sitting's live state: everything every viewer sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    pub stage: Stage,
    /// The number of agenda items (their texts live with the sitting's schedule).
    pub items: usize,
    pub current_item: Option<usize>,
    /// Raised hands, first come first.
    pub queue: Vec<Speaker>,
    pub turns: Vec<Turn>,
    pub polls: Vec<Poll>,
    pub outcomes: Vec<Outcome>,
    /// Who took part as a speaker (joined while open, raised a hand or voted), in order of arrival.
    #[serde(default)]
    pub present: Vec<Speaker>,
    /// Bumped by every change, so clients can tell a stale state from a fresh one.
    pub version: u64,
}

/// Why a command was refused (sent to the client by its code, e.g. `"chair_only"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    #[error("sign in to take part")]
    SignInFirst,
    #[error("the command could not be read")]
    Unreadable,
    #[error("the change could not be saved; try again")]
    NotSaved,
    #[error("only the chair may do this")]
    ChairOnly,
    #[error("only invited participants who accepted the rules may do this")]
    SpeakersOnly,
    #[error("the sitting is not open")]
    NotOpen,
    #[error("the sitting has already been opened")]
    AlreadyOpen,
    #[error("there is no such agenda item")]
    NoSuchItem,
    #[error("that person has not raised their hand")]
    NotInQueue,
    #[error("nobody has the floor")]
    NobodyHasTheFloor,
    #[error("a poll is already open")]
    PollOpen,
    #[error("no poll is open")]
    NoPoll,
    #[error("you have already voted in this poll")]
    AlreadyVoted,
    #[error("this poll counts organisations: speak for one to vote")]
    OrganisationsOnly,
    #[error("that answer does not fit this poll")]
    WrongAnswer,
    #[error("an objection needs a reason")]
    ReasonRequired,
    #[error("the text is empty or too long")]
    BadText,
    #[error("the text holds characters that cannot be stored")]
    Unstorable,
    #[error("closing a sitting cannot be undone: confirm it first")]
    Unconfirmed,
}

/// Something a participant asks of the sitting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Command {
    Open,
    /// Marks a speaker present (the server sends it when they join an open sitting).
    Attend,
    SetItem {
        item: usize,
    },
    RaiseHand,
    LowerHand,
    GiveFloor {
        person: PersonId,
    },
    EndTurn,
    MoveUp {
        person: PersonId,
    },
    OpenPoll {
        question: String,
        kind: PollKind,
        per_organisation: bool,
        names_shown: bool,
    },
    Vote {
        answer: Answer,
    },
    ClosePoll,
    RecordOutcome {
        kind: OutcomeKind,
        text: String,
    },
    /// Ends the sitting for good. Irreversible, so it must say it was confirmed (`confirmed=yes`
    /// in a form, `"confirmed": true` on the live channel); [`apply`] refuses it otherwise.
    Close {
        #[serde(default)]
        confirmed: bool,
    },
}

/// Who may write a sitting's minutes: its chair and its note-takers, each as themselves (an
/// organisation does not keep the record), until the sitting closes.
pub fn may_write_minutes(
    stage: Stage,
    chair: bool,
    note_taker: bool,
    for_organisation: bool,
) -> Result<(), Msg> {
    if stage == Stage::Closed {
        Err(Msg::SittingMinutesClosed)
    } else if (chair || note_taker) && !for_organisation {
        Ok(())
    } else {
        Err(Msg::SittingMinutesReadOnly)
    }
}

impl Refusal {
    /// The refusal in the reader's language.
    pub fn message(self) -> Msg {
        match self {
            Refusal::SignInFirst => Msg::SittingRefusedSignIn,
            Refusal::Unreadable => Msg::SittingRefusedUnreadable,
            Refusal::NotSaved => Msg::SittingRefusedNotSaved,
            Refusal::ChairOnly => Msg::SittingRefusedChairOnly,
            Refusal::SpeakersOnly => Msg::SittingRefusedSpeakersOnly,
            Refusal::NotOpen => Msg::SittingRefusedNotOpen,
            Refusal::AlreadyOpen => Msg::SittingRefusedAlreadyOpen,
            Refusal::NoSuchItem => Msg::SittingRefusedNoSuchItem,
            Refusal::NotInQueue => Msg::SittingRefusedNotInQueue,
            Refusal::NobodyHasTheFloor => Msg::SittingRefusedNobodyHasTheFloor,
            Refusal::PollOpen => Msg::SittingRefusedPollOpen,
            Refusal::NoPoll => Msg::SittingRefusedNoPoll,
            Refusal::AlreadyVoted => Msg::SittingRefusedAlreadyVoted,
            Refusal::OrganisationsOnly => Msg::SittingRefusedOrganisationsOnly,
            Refusal::WrongAnswer => Msg::SittingRefusedWrongAnswer,
            Refusal::ReasonRequired => Msg::SittingRefusedReasonRequired,
            Refusal::BadText => Msg::SittingRefusedBadText,
            Refusal::Unstorable => Msg::SittingRefusedUnstorable,
            Refusal::Unconfirmed => Msg::SittingRefusedUnconfirmed,
        }
    }
}

impl Command {
    /// Reads a command from a form's fields (`field(name)` gives a field's value, empty when
    /// absent): the same forms work posted without JavaScript and sent over the live channel.
    /// Fields: `do`, and as the command needs them `item`, `person`, `question`, `poll_kind`
    /// (`consent`, `gradient`, `choice`), `options` (one per line), `per_organisation` and
    /// `names_shown` (checkboxes), `answer` (`agree`, `stand_aside`, `object`, `level`, `option`),
    /// `reason`, `level`, `index`, `outcome` (`agreement`, `disagreement`, `action`), `text`,
    /// `confirmed` (`yes` on the confirmation step's form for closing).
    pub fn from_fields(field: impl Fn(&str) -> String) -> Result<Command, Refusal> {
        // A NUL byte or a control character in any text refuses the whole command.
        let texts = ["question", "options", "reason", "text"];
        if !texts
            .iter()
            .all(|name| crate::domain::input::is_storable_text(&field(name)))
        {
            return Err(Refusal::Unstorable);
        }
        let number = |name: &str| {
            field(name)
                .trim()
                .parse::<i64>()
                .map_err(|_| Refusal::Unreadable)
        };
        let index = |name: &str| {
            number(name).and_then(|n| usize::try_from(n).map_err(|_| Refusal::Unreadable))
        };
        let checked = |name: &str| !field(name).is_empty();
        Ok(match field("do").as_str() {
            "open" => Command::Open,
            "attend" => Command::Attend,
            "set_item" => Command::SetItem {
                item: index("item")?,
            },
            "raise_hand" => Command::RaiseHand,
            "lower_hand" => Command::LowerHand,
            "give_floor" => Command::GiveFloor {
                person: PersonId(number("person")?),
            },
            "end_turn" => Command::EndTurn,
            "move_up" => Command::MoveUp {
                person: PersonId(number("person")?),
            },
            "open_poll" => Command::OpenPoll {
                question: field("question"),
                kind: match field("poll_kind").as_str() {
                    "consent" => PollKind::Consent,
                    "gradient" => PollKind::Gradient,
                    "choice" => PollKind::Choice {
                        options: field("options")
                            .lines()
                            .map(str::trim)
                            .filter(|o| !o.is_empty())
                            .map(String::from)
                            .collect(),
                    },
                    _ => return Err(Refusal::Unreadable),
                },
                per_organisation: checked("per_organisation"),
                names_shown: checked("names_shown"),
            },
            "vote" => Command::Vote {
                answer: match field("answer").as_str() {
                    "agree" => Answer::Agree,
                    "stand_aside" => Answer::StandAside,
                    "object" => Answer::Object {
                        reason: field("reason"),
                    },
                    "level" => Answer::Level {
                        level: u8::try_from(number("level")?).map_err(|_| Refusal::WrongAnswer)?,
                    },
                    "option" => Answer::Option {
                        index: index("index")?,
                    },
                    _ => return Err(Refusal::Unreadable),
                },
            },
            "close_poll" => Command::ClosePoll,
            "record_outcome" => Command::RecordOutcome {
                kind: match field("outcome").as_str() {
                    "agreement" => OutcomeKind::Agreement,
                    "disagreement" => OutcomeKind::Disagreement,
                    "action" => OutcomeKind::Action,
                    _ => return Err(Refusal::Unreadable),
                },
                text: field("text"),
            },
            "close" => Command::Close {
                confirmed: field("confirmed") == "yes",
            },
            _ => return Err(Refusal::Unreadable),
        })
    }
}

impl OutcomeKind {
    /// Every kind, in the order the record lists them.
    pub const ALL: [OutcomeKind; 3] = [
        OutcomeKind::Agreement,
        OutcomeKind::Disagreement,
        OutcomeKind::Action,
    ];

    /// The form value.
    pub fn code(self) -> &'static str {
        match self {
            OutcomeKind::Agreement => "agreement",
            OutcomeKind::Disagreement => "disagreement",
            OutcomeKind::Action => "action",
        }
    }

    /// The kind's name.
    pub fn label(self) -> Msg {
        match self {
            OutcomeKind::Agreement => Msg::SittingOutcomeAgreement,
            OutcomeKind::Disagreement => Msg::SittingOutcomeDisagreement,
            OutcomeKind::Action => Msg::SittingOutcomeAction,
        }
    }
}

impl PollKind {
    /// The names of the answers, in the order [`tally`] counts them.
    pub fn answers(&self) -> Vec<AnswerLabel> {
        match self {
            PollKind::Consent => vec![
                AnswerLabel::Msg(Msg::SittingAnswerAgree),
                AnswerLabel::Msg(Msg::SittingAnswerStandAside),
                AnswerLabel::Msg(Msg::SittingAnswerObject),
            ],
            PollKind::Gradient => (1..=5u8).map(AnswerLabel::Level).collect(),
            PollKind::Choice { options } => {
                options.iter().cloned().map(AnswerLabel::Text).collect()
            }
        }
    }
}

/// How an answer is named: an interface message, a gradient level, or a choice poll's own text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerLabel {
    Msg(Msg),
    Level(u8),
    Text(String),
}

impl AnswerLabel {
    /// The name in the reader's language.
    pub fn render(&self, lang: crate::i18n::Lang) -> String {
        match self {
            AnswerLabel::Msg(msg) => msg.render(lang),
            AnswerLabel::Level(level) => gradient_label(*level).render(lang),
            AnswerLabel::Text(text) => text.clone(),
        }
    }
}

/// The name of a level of agreement, 1 (full support) to 5 (block).
pub fn gradient_label(level: u8) -> Msg {
    match level {
        1 => Msg::SittingLevel1,
        2 => Msg::SittingLevel2,
        3 => Msg::SittingLevel3,
        4 => Msg::SittingLevel4,
        _ => Msg::SittingLevel5,
    }
}

impl LiveState {
    /// A scheduled sitting with `items` agenda items.
    pub fn scheduled(items: usize) -> LiveState {
        LiveState {
            stage: Stage::Scheduled,
            items,
            current_item: None,
            queue: Vec::new(),
            turns: Vec::new(),
            polls: Vec::new(),
            outcomes: Vec::new(),
            present: Vec::new(),
            version: 0,
        }
    }

    /// The turn in progress, if someone has the floor.
    pub fn floor(&self) -> Option<&Turn> {
        self.turns.last().filter(|t| t.ended.is_none())
    }

    /// The open poll, if any.
    pub fn open_poll(&self) -> Option<&Poll> {
        self.polls.last().filter(|p| p.open)
    }

    /// The state as viewers may see it: in polls that do not show names, each vote keeps only
    /// its stakeholder group (for the results per group) and its answer (an objection's reason
    /// is for the room to hear), never who cast it.
    pub fn published(&self) -> LiveState {
        let mut state = self.clone();
        for poll in state.polls.iter_mut().filter(|p| !p.names_shown) {
            let votes = std::mem::take(&mut poll.votes);
            for (i, (_, mut vote)) in votes.into_iter().enumerate() {
                vote.by = Speaker {
                    person: PersonId(0),
                    name: String::new(),
                    org: None,
                    kind: vote.by.kind,
                };
                poll.votes.insert(format!("vote:{i}"), vote);
            }
        }
        state
    }

    /// Records a speaker as present; false if they already were.
    fn attend(&mut self, speaker: &Speaker) -> bool {
        let known = self
            .present
            .iter()
            .any(|s| s.person == speaker.person && s.org == speaker.org);
        if !known {
            self.present.push(speaker.clone());
        }
        !known
    }

    fn end_turn(&mut self, now: Millis) {
        if let Some(turn) = self.turns.last_mut().filter(|t| t.ended.is_none()) {
            turn.ended = Some(now.max(turn.started));
        }
    }
}

fn text(raw: &str) -> Result<String, Refusal> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        Err(Refusal::BadText)
    } else {
        Ok(text.to_string())
    }
}

fn chair(actor: &Actor) -> Result<(), Refusal> {
    if actor.chair {
        Ok(())
    } else {
        Err(Refusal::ChairOnly)
    }
}

fn speaker(actor: &Actor) -> Result<&Speaker, Refusal> {
    actor.speaker.as_ref().ok_or(Refusal::SpeakersOnly)
}

fn voter_key(voter: Voter) -> String {
    match voter {
        Voter::Person(p) => format!("person:{p}"),
        Voter::Org(o) => format!("org:{o}"),
    }
}

/// Applies one command, as `actor`, at `now`. On refusal nothing changes.
pub fn apply(
    state: &mut LiveState,
    actor: &Actor,
    command: Command,
    now: Millis,
) -> Result<(), Refusal> {
    match (&state.stage, &command) {
        (Stage::Scheduled, Command::Open) => {}
        (Stage::Open, Command::Open) | (Stage::Closed, Command::Open) => {
            chair(actor)?;
            return Err(Refusal::AlreadyOpen);
        }
        (Stage::Open, _) => {}
        _ => return Err(Refusal::NotOpen),
    }
    match command {
        Command::Open => {
            chair(actor)?;
            state.stage = Stage::Open;
            state.current_item = (state.items > 0).then_some(0);
        }
        Command::SetItem { item } => {
            chair(actor)?;
            if item >= state.items {
                return Err(Refusal::NoSuchItem);
            }
            state.current_item = Some(item);
        }
        Command::Attend => {
            let me = speaker(actor)?.clone();
            if !state.attend(&me) {
                // Nothing changed: no new version for viewers to fetch.
                return Ok(());
            }
        }
        Command::RaiseHand => {
            let me = speaker(actor)?.clone();
            state.attend(&me);
            if !state.queue.iter().any(|s| s.person == me.person) {
                state.queue.push(me);
            }
        }
        Command::LowerHand => {
            let me = speaker(actor)?.person;
            state.queue.retain(|s| s.person != me);
        }
        Command::GiveFloor { person } => {
            chair(actor)?;
            let at = state
                .queue
                .iter()
                .position(|s| s.person == person)
                .ok_or(Refusal::NotInQueue)?;
            let next = state.queue.remove(at);
            state.end_turn(now);
            state.turns.push(Turn {
                speaker: next,
                item: state.current_item,
                started: now,
                ended: None,
            });
        }
        Command::EndTurn => {
            chair(actor)?;
            if state.floor().is_none() {
                return Err(Refusal::NobodyHasTheFloor);
            }
            state.end_turn(now);
        }
        Command::MoveUp { person } => {
            chair(actor)?;
            let at = state
                .queue
                .iter()
                .position(|s| s.person == person)
                .ok_or(Refusal::NotInQueue)?;
            let moved = state.queue.remove(at);
            state.queue.insert(0, moved);
        }
        Command::OpenPoll {
            question,
            kind,
            per_organisation,
            names_shown,
        } => {
            chair(actor)?;
            if state.open_poll().is_some() {
                return Err(Refusal::PollOpen);
            }
            let question = text(&question)?;
            let kind = match kind {
                PollKind::Choice { options } => {
                    let options = options
                        .iter()
                        .map(|o| text(o))
                        .collect::<Result<Vec<_>, _>>()?;
                    if options.len() < 2 || options.len() > MAX_OPTIONS {
                        return Err(Refusal::BadText);
                    }
                    PollKind::Choice { options }
                }
                other => other,
            };
            state.polls.push(Poll {
                question,
                kind,
                per_organisation,
                names_shown,
                item: state.current_item,
                votes: BTreeMap::new(),
                open: true,
            });
        }
        Command::Vote { answer } => {
            let me = speaker(actor)?.clone();
            let poll = state
                .polls
                .last_mut()
                .filter(|p| p.open)
                .ok_or(Refusal::NoPoll)?;
            let voter = if poll.per_organisation {
                Voter::Org(me.org.ok_or(Refusal::OrganisationsOnly)?)
            } else {
                Voter::Person(me.person)
            };
            let key = voter_key(voter);
            if poll.votes.contains_key(&key) {
                return Err(Refusal::AlreadyVoted);
            }
            let answer = match (&poll.kind, answer) {
                (PollKind::Consent, Answer::Object { reason }) => Answer::Object {
                    reason: text(&reason).map_err(|_| Refusal::ReasonRequired)?,
                },
                (PollKind::Consent, a @ (Answer::Agree | Answer::StandAside)) => a,
                (PollKind::Gradient, Answer::Level { level }) if (1..=5).contains(&level) => {
                    Answer::Level { level }
                }
                (PollKind::Choice { options }, Answer::Option { index })
                    if index < options.len() =>
                {
                    Answer::Option { index }
                }
                _ => return Err(Refusal::WrongAnswer),
            };
            poll.votes.insert(
                key,
                Vote {
                    answer,
                    by: me.clone(),
                },
            );
            state.attend(&me);
        }
        Command::ClosePoll => {
            chair(actor)?;
            let poll = state
                .polls
                .last_mut()
                .filter(|p| p.open)
                .ok_or(Refusal::NoPoll)?;
            poll.open = false;
        }
        Command::RecordOutcome { kind, text: raw } => {
            chair(actor)?;
            let text = text(&raw)?;
            state.outcomes.push(Outcome {
                kind,
                item: state.current_item,
                text,
            });
        }
        Command::Close { confirmed } => {
            chair(actor)?;
            // The one place the rule is kept: forms and the live channel both come here.
            if !confirmed {
                return Err(Refusal::Unconfirmed);
            }
            state.end_turn(now);
            state.queue.clear();
            if let Some(poll) = state.polls.last_mut() {
                poll.open = false;
            }
            state.stage = Stage::Closed;
        }
    }
    state.version += 1;
    Ok(())
}

/// What one viewer needs to know about their own place in the sitting, which the published state
/// may not tell them (a poll that hides names hides theirs too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mine {
    pub hand_raised: bool,
    pub has_floor: bool,
    /// They (or, in a poll that counts organisations, their organisation) voted in the open poll.
    pub voted: bool,
}

/// Works out [`Mine`] for `speaker` from the full (unpublished) state.
pub fn mine(state: &LiveState, speaker: Option<&Speaker>) -> Mine {
    let Some(me) = speaker else {
        return Mine::default();
    };
    let voted = state.open_poll().is_some_and(|poll| {
        let voter = match (poll.per_organisation, me.org) {
            (true, Some(org)) => Voter::Org(org),
            _ => Voter::Person(me.person),
        };
        poll.votes.contains_key(&voter_key(voter))
    });
    Mine {
        hand_raised: state.queue.iter().any(|s| s.person == me.person),
        has_floor: state.floor().is_some_and(|t| t.speaker.person == me.person),
        voted,
    }
}

/// Speaking time and turns for one stakeholder group (`None`: people speaking for themselves).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub kind: Option<StakeholderKind>,
    pub turns: usize,
    pub speaking_ms: Millis,
}

/// Speaking time and turns per stakeholder group, every group listed (so the silent ones show).
pub fn balance(state: &LiveState, now: Millis) -> Vec<Balance> {
    let groups = StakeholderKind::ALL.into_iter().map(Some).chain([None]);
    groups
        .map(|kind| {
            let turns: Vec<&Turn> = state
                .turns
                .iter()
                .filter(|t| t.speaker.kind == kind)
                .collect();
            Balance {
                kind,
                turns: turns.len(),
                speaking_ms: turns
                    .iter()
                    .map(|t| t.ended.unwrap_or(now) - t.started)
                    .sum(),
            }
        })
        .collect()
}

/// A poll's results: votes per answer (consent: agree, stand aside, object; gradient: levels 1 to
/// 5; choice: each option), overall and per stakeholder group.
pub fn tally(poll: &Poll) -> (Vec<usize>, BTreeMap<Option<StakeholderKind>, Vec<usize>>) {
    let width = match &poll.kind {
        PollKind::Consent => 3,
        PollKind::Gradient => 5,
        PollKind::Choice { options } => options.len(),
    };
    let mut overall = vec![0; width];
    let mut by_kind: BTreeMap<Option<StakeholderKind>, Vec<usize>> = BTreeMap::new();
    for vote in poll.votes.values() {
        let at = vote.answer.slot();
        overall[at] += 1;
        by_kind
            .entry(vote.by.kind)
            .or_insert_with(|| vec![0; width])[at] += 1;
    }
    (overall, by_kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, org: Option<i64>, kind: Option<StakeholderKind>) -> Actor {
        Actor {
            person: PersonId(id),
            chair: false,
            speaker: Some(Speaker {
                person: PersonId(id),
                name: format!("P{id}"),
                org: org.map(OrgId),
                kind,
            }),
            needs_rules: false,
        }
    }

    fn chair() -> Actor {
        Actor {
            person: PersonId(1),
            chair: true,
            speaker: None,
            needs_rules: false,
        }
    }

    fn observer() -> Actor {
        Actor {
            person: PersonId(99),
            chair: false,
            speaker: None,
            needs_rules: false,
        }
    }

    fn open() -> LiveState {
        let mut state = LiveState::scheduled(3);
        apply(&mut state, &chair(), Command::Open, 0).unwrap();
        state
    }

    #[test]
    fn only_the_chair_opens_and_runs_the_agenda() {
        let mut state = LiveState::scheduled(2);
        let gov = person(2, Some(10), Some(StakeholderKind::Government));
        assert_eq!(
            apply(&mut state, &gov, Command::Open, 0),
            Err(Refusal::ChairOnly)
        );
        assert_eq!(
            apply(&mut state, &gov, Command::RaiseHand, 0),
            Err(Refusal::NotOpen)
        );
        apply(&mut state, &chair(), Command::Open, 0).unwrap();
        assert_eq!(state.current_item, Some(0));
        assert_eq!(
            apply(&mut state, &gov, Command::SetItem { item: 1 }, 0),
            Err(Refusal::ChairOnly)
        );
        assert_eq!(
            apply(&mut state, &chair(), Command::SetItem { item: 2 }, 0),
            Err(Refusal::NoSuchItem)
        );
        apply(&mut state, &chair(), Command::SetItem { item: 1 }, 0).unwrap();
        assert_eq!(state.current_item, Some(1));
        assert_eq!(
            apply(&mut state, &chair(), Command::Open, 0),
            Err(Refusal::AlreadyOpen)
        );
    }

    #[test]
    fn the_queue_the_floor_and_the_balance() {
        let mut state = open();
        let gov = person(2, Some(10), Some(StakeholderKind::Government));
        let elder = person(3, Some(11), Some(StakeholderKind::Informal));
        assert_eq!(
            apply(&mut state, &observer(), Command::RaiseHand, 0),
            Err(Refusal::SpeakersOnly)
        );
        apply(&mut state, &gov, Command::RaiseHand, 0).unwrap();
        apply(&mut state, &gov, Command::RaiseHand, 0).unwrap();
        apply(&mut state, &elder, Command::RaiseHand, 0).unwrap();
        assert_eq!(state.queue.len(), 2, "a raised hand is raised once");
        // The chair moves the informal institution up: their voice is missing.
        apply(
            &mut state,
            &chair(),
            Command::MoveUp {
                person: PersonId(3),
            },
            0,
        )
        .unwrap();
        assert_eq!(state.queue[0].person, PersonId(3));
        assert_eq!(
            apply(
                &mut state,
                &chair(),
                Command::GiveFloor {
                    person: PersonId(7)
                },
                0
            ),
            Err(Refusal::NotInQueue)
        );
        apply(
            &mut state,
            &chair(),
            Command::GiveFloor {
                person: PersonId(3),
            },
            1_000,
        )
        .unwrap();
        assert_eq!(state.floor().unwrap().speaker.person, PersonId(3));
        // Giving the floor to the next ends the running turn.
        apply(
            &mut state,
            &chair(),
            Command::GiveFloor {
                person: PersonId(2),
            },
            61_000,
        )
        .unwrap();
        apply(&mut state, &chair(), Command::EndTurn, 91_000).unwrap();
        assert_eq!(
            apply(&mut state, &chair(), Command::EndTurn, 92_000),
            Err(Refusal::NobodyHasTheFloor)
        );
        let balance = balance(&state, 100_000);
        let of = |kind| balance.iter().find(|b| b.kind == kind).unwrap().clone();
        assert_eq!(of(Some(StakeholderKind::Informal)).speaking_ms, 60_000);
        assert_eq!(of(Some(StakeholderKind::Government)).speaking_ms, 30_000);
        assert_eq!(
            of(Some(StakeholderKind::Academia)).turns,
            0,
            "silent groups are listed"
        );
        assert_eq!(balance.len(), 6);
    }

    #[test]
    fn lowering_a_hand_leaves_the_queue() {
        let mut state = open();
        let gov = person(2, Some(10), Some(StakeholderKind::Government));
        apply(&mut state, &gov, Command::RaiseHand, 0).unwrap();
        apply(&mut state, &gov, Command::LowerHand, 0).unwrap();
        assert!(state.queue.is_empty());
    }

    #[test]
    fn polls_count_each_voter_once_and_tally_by_group() {
        let mut state = open();
        let gov = person(2, Some(10), Some(StakeholderKind::Government));
        let gov2 = person(4, Some(10), Some(StakeholderKind::Government));
        let citizen = person(5, None, None);
        let consent = Command::OpenPoll {
            question: "Adopt article 3?".into(),
            kind: PollKind::Consent,
            per_organisation: true,
            names_shown: false,
        };
        assert_eq!(
            apply(&mut state, &gov, consent.clone(), 0),
            Err(Refusal::ChairOnly)
        );
        apply(&mut state, &chair(), consent.clone(), 0).unwrap();
        assert_eq!(
            apply(&mut state, &chair(), consent, 0),
            Err(Refusal::PollOpen)
        );
        apply(
            &mut state,
            &gov,
            Command::Vote {
                answer: Answer::Agree,
            },
            0,
        )
        .unwrap();
        // Per organisation: a colleague of the same organisation cannot vote again for it.
        assert_eq!(
            apply(
                &mut state,
                &gov2,
                Command::Vote {
                    answer: Answer::Agree
                },
                0
            ),
            Err(Refusal::AlreadyVoted)
        );
        assert_eq!(
            apply(
                &mut state,
                &citizen,
                Command::Vote {
                    answer: Answer::Agree
                },
                0
            ),
            Err(Refusal::OrganisationsOnly)
        );
        let elder = person(3, Some(11), Some(StakeholderKind::Informal));
        assert_eq!(
            apply(
                &mut state,
                &elder,
                Command::Vote {
                    answer: Answer::Object { reason: " ".into() }
                },
                0
            ),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            apply(
                &mut state,
                &elder,
                Command::Vote {
                    answer: Answer::Level { level: 2 }
                },
                0
            ),
            Err(Refusal::WrongAnswer)
        );
        apply(
            &mut state,
            &elder,
            Command::Vote {
                answer: Answer::Object {
                    reason: "The elders were not asked.".into(),
                },
            },
            0,
        )
        .unwrap();
        let (overall, by_kind) = tally(state.open_poll().unwrap());
        assert_eq!(overall, vec![1, 0, 1]);
        assert_eq!(by_kind[&Some(StakeholderKind::Informal)], vec![0, 0, 1]);
        apply(&mut state, &chair(), Command::ClosePoll, 0).unwrap();
        assert_eq!(
            apply(
                &mut state,
                &gov,
                Command::Vote {
                    answer: Answer::Agree
                },
                0
            ),
            Err(Refusal::NoPoll)
        );

        // A person's gradient vote; levels outside 1..=5 are refused.
        let gradient = Command::OpenPoll {
            question: "How far do you support the budget share?".into(),
            kind: PollKind::Gradient,
            per_organisation: false,
            names_shown: true,
        };
        apply(&mut state, &chair(), gradient, 0).unwrap();
        assert_eq!(
            apply(
                &mut state,
                &citizen,
                Command::Vote {
                    answer: Answer::Level { level: 6 }
                },
                0
            ),
            Err(Refusal::WrongAnswer)
        );
        apply(
            &mut state,
            &citizen,
            Command::Vote {
                answer: Answer::Level { level: 2 },
            },
            0,
        )
        .unwrap();
        apply(
            &mut state,
            &gov2,
            Command::Vote {
                answer: Answer::Level { level: 1 },
            },
            0,
        )
        .unwrap();
        assert_eq!(tally(state.open_poll().unwrap()).0, vec![1, 1, 0, 0, 0]);
        // The consent poll hid names: published, its votes keep only their group.
        let published = state.published();
        let consent = &published.polls[0];
        assert!(
            consent
                .votes
                .values()
                .all(|v| v.by.name.is_empty() && v.by.org.is_none())
        );
        assert_eq!(
            tally(consent),
            tally(&state.polls[0]),
            "the results are the same"
        );
        assert!(
            published.polls[1].votes.values().any(|v| v.by.name == "P5"),
            "this one shows names"
        );
    }

    #[test]
    fn choice_polls_need_real_options() {
        let mut state = open();
        let poll = |options: Vec<&str>| Command::OpenPoll {
            question: "Where next?".into(),
            kind: PollKind::Choice {
                options: options.into_iter().map(String::from).collect(),
            },
            per_organisation: false,
            names_shown: false,
        };
        assert_eq!(
            apply(&mut state, &chair(), poll(vec!["only"]), 0),
            Err(Refusal::BadText)
        );
        assert_eq!(
            apply(&mut state, &chair(), poll(vec!["a", " "]), 0),
            Err(Refusal::BadText)
        );
        apply(
            &mut state,
            &chair(),
            poll(vec!["Library", "Market hall"]),
            0,
        )
        .unwrap();
        let citizen = person(5, None, None);
        assert_eq!(
            apply(
                &mut state,
                &citizen,
                Command::Vote {
                    answer: Answer::Option { index: 2 }
                },
                0
            ),
            Err(Refusal::WrongAnswer)
        );
        apply(
            &mut state,
            &citizen,
            Command::Vote {
                answer: Answer::Option { index: 1 },
            },
            0,
        )
        .unwrap();
    }

    #[test]
    fn closing_ends_everything_and_nothing_changes_afterwards() {
        let mut state = open();
        let gov = person(2, Some(10), Some(StakeholderKind::Government));
        apply(&mut state, &gov, Command::RaiseHand, 0).unwrap();
        apply(
            &mut state,
            &chair(),
            Command::GiveFloor {
                person: PersonId(2),
            },
            0,
        )
        .unwrap();
        apply(
            &mut state,
            &chair(),
            Command::RecordOutcome {
                kind: OutcomeKind::Agreement,
                text: "Article 3 stays.".into(),
            },
            5,
        )
        .unwrap();
        assert_eq!(
            apply(
                &mut state,
                &gov,
                Command::RecordOutcome {
                    kind: OutcomeKind::Action,
                    text: "x".into()
                },
                5
            ),
            Err(Refusal::ChairOnly)
        );
        // Closing is irreversible: unconfirmed it is refused, and changes nothing; a speaker may
        // not close it even confirmed.
        let open = state.clone();
        let unconfirmed = Command::Close { confirmed: false };
        let confirmed = Command::Close { confirmed: true };
        assert_eq!(
            apply(&mut state, &chair(), unconfirmed, 10),
            Err(Refusal::Unconfirmed)
        );
        assert_eq!(
            apply(&mut state, &gov, confirmed.clone(), 10),
            Err(Refusal::ChairOnly)
        );
        assert_eq!(state, open, "an unconfirmed close changes nothing");
        apply(&mut state, &chair(), confirmed.clone(), 10).unwrap();
        assert_eq!(state.stage, Stage::Closed);
        assert_eq!(state.turns[0].ended, Some(10));
        let before = state.clone();
        for command in [
            Command::RaiseHand,
            confirmed,
            Command::SetItem { item: 0 },
            Command::EndTurn,
        ] {
            assert!(apply(&mut state, &chair(), command.clone(), 20).is_err());
            assert!(apply(&mut state, &gov, command, 20).is_err());
        }
        assert_eq!(state, before, "refusals change nothing");
    }

    #[test]
    fn forms_read_as_commands_and_nonsense_is_refused() {
        let form = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Command::from_fields(|name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
        };
        assert_eq!(form(&[("do", "raise_hand")]), Ok(Command::RaiseHand));
        assert_eq!(
            form(&[("do", "give_floor"), ("person", "7")]),
            Ok(Command::GiveFloor {
                person: PersonId(7)
            })
        );
        assert_eq!(
            form(&[
                ("do", "open_poll"),
                ("question", "Which day?"),
                ("poll_kind", "choice"),
                ("options", "Monday\n\n Friday \n"),
                ("names_shown", "on")
            ]),
            Ok(Command::OpenPoll {
                question: "Which day?".into(),
                kind: PollKind::Choice {
                    options: vec!["Monday".into(), "Friday".into()]
                },
                per_organisation: false,
                names_shown: true,
            })
        );
        assert_eq!(
            form(&[("do", "vote"), ("answer", "level"), ("level", "4")]),
            Ok(Command::Vote {
                answer: Answer::Level { level: 4 }
            })
        );
        assert_eq!(
            form(&[("do", "vote"), ("answer", "level"), ("level", "900")]),
            Err(Refusal::WrongAnswer)
        );
        // Only the confirmation step's `confirmed=yes` confirms a close; the live channel's JSON
        // without the field reads as unconfirmed.
        assert_eq!(
            form(&[("do", "close"), ("confirmed", "yes")]),
            Ok(Command::Close { confirmed: true })
        );
        for unconfirmed in [
            &[("do", "close")][..],
            &[("do", "close"), ("confirmed", "on")],
        ] {
            assert_eq!(form(unconfirmed), Ok(Command::Close { confirmed: false }));
        }
        assert_eq!(
            serde_json::from_str::<Command>(r#"{"do":"close"}"#).ok(),
            Some(Command::Close { confirmed: false })
        );
        assert_eq!(
            serde_json::from_str::<Command>(r#"{"do":"close","confirmed":true}"#).ok(),
            Some(Command::Close { confirmed: true })
        );
        for bad in [
            &[("do", "dance")][..],
            &[("do", "give_floor"), ("person", "someone")],
            &[("do", "set_item"), ("item", "-1")],
            &[("do", "vote"), ("answer", "maybe")],
            &[
                ("do", "record_outcome"),
                ("outcome", "victory"),
                ("text", "x"),
            ],
            &[],
        ] {
            assert_eq!(form(bad), Err(Refusal::Unreadable), "{bad:?}");
        }
        assert_eq!(
            form(&[
                ("do", "record_outcome"),
                ("outcome", "agreement"),
                ("text", "agreed\u{0}")
            ]),
            Err(Refusal::Unstorable)
        );
    }

    #[test]
    fn the_chair_and_note_takers_write_the_minutes_until_the_sitting_closes() {
        assert_eq!(may_write_minutes(Stage::Open, true, false, false), Ok(()));
        assert_eq!(
            may_write_minutes(Stage::Scheduled, false, true, false),
            Ok(())
        );
        assert_eq!(
            may_write_minutes(Stage::Open, false, true, true),
            Err(Msg::SittingMinutesReadOnly)
        );
        assert_eq!(
            may_write_minutes(Stage::Open, false, false, false),
            Err(Msg::SittingMinutesReadOnly)
        );
        assert_eq!(
            may_write_minutes(Stage::Closed, true, true, false),
            Err(Msg::SittingMinutesClosed)
        );
    }

    #[test]
    fn attendance_and_each_viewers_own_place() {
        let mut state = open();
        let elder = person(3, Some(11), Some(StakeholderKind::Informal));
        let union = person(4, Some(12), Some(StakeholderKind::Informal));
        assert_eq!(
            apply(&mut state, &observer(), Command::Attend, 0),
            Err(Refusal::SpeakersOnly)
        );
        let version = state.version;
        apply(&mut state, &elder, Command::Attend, 0).unwrap();
        apply(&mut state, &elder, Command::Attend, 0).unwrap();
        assert_eq!(state.present.len(), 1, "present once");
        assert_eq!(
            state.version,
            version + 1,
            "a second arrival changes nothing"
        );
        // Voting or raising a hand also marks someone present.
        apply(&mut state, &union, Command::RaiseHand, 0).unwrap();
        assert_eq!(state.present.len(), 2);
        let me = elder.speaker.clone().unwrap();
        assert_eq!(mine(&state, Some(&me)), Mine::default());
        apply(&mut state, &elder, Command::RaiseHand, 0).unwrap();
        apply(
            &mut state,
            &chair(),
            Command::GiveFloor {
                person: PersonId(3),
            },
            5,
        )
        .unwrap();
        apply(
            &mut state,
            &chair(),
            Command::OpenPoll {
                question: "Agreed?".into(),
                kind: PollKind::Consent,
                per_organisation: true,
                names_shown: false,
            },
            6,
        )
        .unwrap();
        apply(
            &mut state,
            &elder,
            Command::Vote {
                answer: Answer::Agree,
            },
            7,
        )
        .unwrap();
        let place = mine(&state, Some(&me));
        assert!(place.has_floor && place.voted && !place.hand_raised);
        // The union voted for nobody: its own place says so, though the published poll hides names.
        assert!(!mine(&state.published(), union.speaker.as_ref()).voted);
        assert!(!mine(&state, union.speaker.as_ref()).voted);
    }
}
