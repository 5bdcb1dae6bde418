//! Decisions: the decision's page (the council's workspace while in preparation, the public
//! record once published, with print styles), the list on a process's page, and every published
//! decision of the site.

use super::{load, param};
use crate::api;
use crate::api::decisions::{
    CONFIRMED, DecisionPage as PageData, REPLACE, ThreadRow, asks_confirmation,
};
use crate::components::form::{Checkbox, ErrorSummary, PostForm, Select, TextArea, TextField};
use crate::components::layout::{Page, SummaryShown, t};
use crate::domain::decision::{self, Choice, Disposition, FollowUpStatus};
use crate::domain::markdown;
use crate::domain::roles::{Action, Phase};
use crate::i18n::Msg;
use crate::ids::{DecisionId, ProcessId};
use crate::model::{CouncilDecision, Draft};
use crate::pages::process::format_time;
use crate::ssr::RequestContext;
use crate::ssr::context::Feedback;
use leptos::prelude::*;

/// The decision's address.
pub fn decision_path(process: ProcessId, id: DecisionId) -> String {
    format!("/processes/{process}/decisions/{id}")
}

/// A link to words of this page's adopted text (a URL text fragment: browsers scroll to the words
/// and highlight them). Every byte but letters and digits is escaped, since `-`, `,` and `&`
/// mean something inside a fragment.
fn text_fragment(words: &str) -> String {
    let mut out = String::from("#:~:text=");
    for b in words.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The refused submission of the form `intent` (with `key`, for a repeated form) being shown
/// again on this page, if any.
pub fn refused<'a>(
    cx: &'a RequestContext,
    intent: &str,
    key: Option<&str>,
) -> Option<&'a Feedback> {
    fn sent<'f>(f: &'f Feedback, name: &str) -> Option<&'f str> {
        f.values.get(name).map(String::as_str)
    }
    cx.feedback
        .as_ref()
        // A submission without a key (from another client than our pages) counts as every key's.
        .filter(|f| {
            sent(f, "intent") == Some(intent)
                && (key.is_none() || sent(f, "key").is_none_or(|sent| Some(sent) == key))
        })
}

/// The confirmation step of an action that cannot be undone, inside the form that takes it: what
/// the action will do (in the server's words, from its refusal), the button that does it
/// (`confirmed=yes`) and the way back. It stands in for the form's error summary.
#[component]
pub fn ConfirmStep(
    /// The id the error summary would link to.
    id: String,
    heading: Msg,
    what_happens: String,
    confirm: Msg,
    /// Where "Cancel" leads (the page without the step).
    back: String,
    #[prop(optional)] note: Option<Msg>,
) -> impl IntoView {
    if let Some(shown) = use_context::<SummaryShown>() {
        shown.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let heading_id = format!("{id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <div class="confirm-step" id=id role="group" aria-labelledby=labelled_by>
            <div role="alert">
                <h3 id=heading_id>{t(heading)}</h3>
                <p>{what_happens}</p>
            </div>
            {note.map(|n| view! { <p class="hint">{t(n)}</p> })}
            <div class="confirm-actions">
                <button type="submit" class="danger" name=CONFIRMED value="yes">{t(confirm)}</button>
                <a class="button secondary" href=back>{t(Msg::DecisionConfirmCancel)}</a>
            </div>
        </div>
    }
}

/// `/processes/{id}/decisions/{decision}`
#[component]
pub fn DecisionPage() -> impl IntoView {
    let process = param::<ProcessId>("id");
    let id = param::<DecisionId>("decision");
    load(
        move |cx| async move {
            let page = api::decisions::page(&cx, id?).await?;
            if page.process.id != process? {
                return Err(crate::error::AppError::NotFound);
            }
            Ok((cx, page))
        },
        |(cx, page)| decision_view(cx, page),
    )
}

fn decision_view(cx: RequestContext, page: PageData) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let d = page.decision.clone();
    let process = page.process.clone();
    let process_title = process.fields.title.pick(&lang, &process.fields.languages);
    let title = cx.t(Msg::DecisionTitle {
        draft: d.draft_title.clone(),
    });
    let action = decision_path(process.id, d.id);
    let published = d.published_at.is_some();
    let status = match (d.published_at, &d.published_by) {
        (Some(at), Some(by)) => view! {
            <p class="decision-status published">
                <span class="badge">{t(Msg::DecisionPublishedBadge)}</span> " "
                {cx.t(Msg::DecisionPublishedOn { date: format_time(at), name: by.clone() })}
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="decision-status">
                <span class="badge warning">{t(Msg::DecisionInPreparation)}</span> " "
                {cx.t(Msg::DecisionFrozenOn { date: format_time(d.frozen_at), name: d.frozen_by.clone() })}
            </p>
        }
        .into_any(),
    };
    let overdue = page.overdue.then(|| {
        view! {
            <p class="overdue" role="note">
                <strong>{t(Msg::DecisionReviewOverdue)}</strong> " "
                {cx.t(Msg::DecisionReviewWasDue { date: d.review_on.map(|r| r.to_string()).unwrap_or_default() })}
            </p>
        }
    });
    let downloads = published.then(|| {
        view! {
            <nav class="downloads no-print" aria-label=t(Msg::DecisionDownloads)>
                <a href=format!("/api/v1/decisions/{}", d.id) download=format!("decision-{}.json", d.id)>{t(Msg::DecisionDownloadJson)}</a>
                <a href=format!("/api/v1/decisions/{}/dispositions.csv", d.id) download=format!("decision-{}-answers.csv", d.id)>{t(Msg::DecisionDownloadCsv)}</a>
                <a href=format!("/processes/{}/decisions.atom", process.id) type="application/atom+xml">{t(Msg::DecisionFollowFeed)}</a>
            </nav>
        }
    });
    let rationale = published.then(|| {
        view! {
            <section aria-labelledby="rationale">
                <h2 id="rationale">{t(Msg::DecisionRationale)}</h2>
                <div class="prose" lang=d.language.clone() inner_html=markdown::to_html(&d.rationale)></div>
            </section>
        }
    });
    let vote = vote_section(&cx, &page, &action);
    let answers = answers_section(&cx, &page, &action);
    let publish = publish_section(&cx, &page, &action);
    let text = text_section(&cx, &d);
    let shares = shares_section(&cx, &d);
    let sittings = sittings_section(&page);
    let follow_up = follow_up_section(&cx, &page, &action);
    view! {
        <Page title=title.clone() no_heading=true>
            <p class="no-print"><a href=format!("/processes/{}", process.id)>"← " <span lang=process_title.lang.clone()>{process_title.text.clone()}</span></a></p>
            <article class="decision">
                <header>
                    <p class="eyebrow" lang=process_title.lang.clone()>{process_title.text.clone()}</p>
                    <h1>{title}</h1>
                    {status}
                    {overdue}
                </header>
                {downloads}
                {rationale}
                {vote}
                {answers}
                {text}
                {shares}
                {sittings}
                {follow_up}
                {publish}
            </article>
        </Page>
    }
}

fn vote_section(cx: &RequestContext, page: &PageData, action: &str) -> impl IntoView + use<> {
    let d = &page.decision;
    let r = page.result;
    let tally = d.tally();
    let rule = cx.t(Msg::DecisionRule {
        quorum: t(d.rule.quorum.label()),
        majority: t(d.rule.majority.label()),
    });
    let outcome = if r.passed {
        Msg::DecisionCarried
    } else if d.published_at.is_some() || r.quorate {
        Msg::DecisionNotCarried
    } else {
        Msg::DecisionNoQuorumYet
    };
    let rows = page.votes_shown().then(|| {
        d.votes
            .iter()
            .map(|v| {
                view! {
                    <tr>
                        <th scope="row">{v.name.clone()}</th>
                        <td><span class=format!("vote vote-{}", v.choice.code())>{t(v.choice.label())}</span></td>
                        <td>{v.statement.clone()}</td>
                    </tr>
                }
            })
            .collect_view()
    });
    let table = rows.map(|rows| {
        view! {
            <table class="votes">
                <caption class="visually-hidden">{t(Msg::DecisionVotes)}</caption>
                <thead><tr><th scope="col">{t(Msg::DecisionVoter)}</th><th scope="col">{t(Msg::DecisionChoice)}</th><th scope="col">{t(Msg::DecisionStatement)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let may_vote =
        d.published_at.is_none() && d.version.is_some() && page.may(Action::VoteOnDecision);
    let form = may_vote.then(|| {
        let choices: Vec<(String, String)> = std::iter::once((String::new(), t(Msg::DecisionChooseVote)))
            .chain(Choice::ALL.iter().map(|c| (c.code().to_string(), t(c.label()))))
            .collect();
        let mine = page.my_vote.clone();
        view! {
            <div class="vote-form no-print">
                <h3>{t(if mine.is_some() { Msg::DecisionChangeVote } else { Msg::DecisionCastVote })}</h3>
                <ErrorSummary intent="vote" />
                <PostForm action=action.to_string() intent="vote" class="narrow">
                    <Select name="choice".into() label=t(Msg::DecisionChoice) options=choices selected=mine.as_ref().map(|v| v.choice.code().to_string()).unwrap_or_default() />
                    <TextArea name="statement".into() label=t(Msg::DecisionStatementLabel) hint=t(Msg::DecisionStatementHint) rows=3 value=mine.map(|v| v.statement).unwrap_or_default() />
                    <button type="submit">{t(Msg::DecisionVoteButton)}</button>
                </PostForm>
            </div>
        }
    });
    view! {
        <section aria-labelledby="vote">
            <h2 id="vote">{t(Msg::DecisionVote)}</h2>
            <p>{rule}</p>
            <p class="tally">
                {cx.t(Msg::DecisionTally {
                    yes: tally.for_.to_string(),
                    no: tally.against.to_string(),
                    abstain: tally.abstain.to_string(),
                })}
                " · "
                {cx.t(Msg::DecisionTurnout { cast: r.cast.to_string(), council: tally.council.to_string(), needed: r.quorum_needed.to_string() })}
            </p>
            <p class="vote-outcome" class:passed=r.passed><strong>{t(outcome)}</strong></p>
            {table}
            {form}
        </section>
    }
}

fn thread_item(
    cx: &RequestContext,
    page: &PageData,
    thread: &ThreadRow,
    selectable: bool,
) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let d = &page.decision;
    let link = format!(
        "/processes/{}/drafts/{}/threads/{}",
        d.process, d.draft, thread.id
    );
    let by = match &thread.org_name {
        Some(org) => cx.t(Msg::EventByFor {
            name: thread.author.clone(),
            org: org.pick(&lang, &[]).text,
        }),
        None => thread.author.clone(),
    };
    let current = d.answer_for(thread.id);
    let answer = current.map(|a| {
        let together = (a.threads.len() > 1).then(|| {
            let others: Vec<String> = a.threads.iter().filter(|t| **t != thread.id).map(|t| format!("#{t}")).collect();
            view! { <p class="together">{cx.t(Msg::DecisionAnsweredTogether { threads: others.join(", ") })}</p> }
        });
        let change = a.change.clone().map(|words| {
            let fragment = text_fragment(&words);
            view! {
                <p class="change">
                    {t(Msg::DecisionChangeIn)} " "
                    <a href=fragment>"“" {words.clone()} "”"</a>
                </p>
            }
        });
        view! {
            <div class=format!("answer disposition-{}", a.disposition.code())>
                <p><strong class="badge">{t(a.disposition.label())}</strong> " " <span class="meta">{cx.t(Msg::EventBy { name: a.by.clone() })}</span></p>
                <p lang=d.language.clone()>{a.reason.clone()}</p>
                {change}
                {together}
            </div>
        }
    });
    // Where the thread stands, in words beside its number: answered (and how) or not yet.
    let label = if thread.awaiting_moderation {
        view! { <span class="answer-state waiting">{t(Msg::DecisionAwaitsModerationLabel)}</span> }
            .into_any()
    } else if let Some(a) = current {
        view! { <span class="answer-state answered">{cx.t(Msg::DecisionAnsweredLabel { disposition: t(a.disposition.label()) })}</span> }.into_any()
    } else {
        view! { <span class="answer-state unanswered">{t(Msg::DecisionNoAnswerYet)}</span> }
            .into_any()
    };
    let waiting = thread
        .awaiting_moderation
        .then(|| view! { <p class="unanswered">{t(Msg::DecisionAwaitsModeration)}</p> });
    let pick = (selectable && !thread.awaiting_moderation).then(|| {
        let n = thread.id.to_string();
        let label = if current.is_some() {
            cx.t(Msg::DecisionPickAnsweredThread { n })
        } else {
            cx.t(Msg::DecisionPickThread { n })
        };
        view! { <Checkbox name=format!("thread.{}", thread.id) label=label /> }
    });
    let excerpt: String = {
        let mut s: String = thread.body.chars().take(400).collect();
        if thread.body.chars().count() > 400 {
            s.push('…');
        }
        s
    };
    let state = if thread.awaiting_moderation {
        "waiting"
    } else if current.is_some() {
        "answered"
    } else {
        "open"
    };
    view! {
        <li class=format!("thread-answer thread-{state}") id=format!("thread-{}", thread.id)>
            <h3><a href=link>{format!("#{}", thread.id)}</a> " " {label} " " <span class="meta">{by} " · " {t(thread.stance.label())}</span></h3>
            {thread.quote.clone().map(|q| view! { <blockquote lang=d.language.clone()>{q}</blockquote> })}
            {(!excerpt.is_empty()).then(|| view! { <p class="comment-excerpt">{excerpt}</p> })}
            {(thread.replies > 0).then(|| view! { <p class="meta">{cx.t(Msg::DecisionReplies { count: thread.replies.to_string() })}</p> })}
            {answer}
            {waiting}
            {pick}
        </li>
    }
}

/// When a refused answer would have replaced answers: which ticked threads have one, what it
/// says, and which other threads share it (they keep it).
fn replacement_warning(cx: &RequestContext, page: &PageData) -> Option<impl IntoView + use<>> {
    let refusal = refused(cx, "answer", None)?;
    let message = refusal
        .error
        .fields()
        .iter()
        .find(|e| e.field == REPLACE)?
        .msg
        .clone();
    let d = &page.decision;
    let ticked: Vec<crate::ids::CommentId> = refusal
        .values
        .iter()
        .filter(|(name, value)| name.starts_with("thread.") && value.as_str() == "on")
        .filter_map(|(name, _)| name["thread.".len()..].parse().ok())
        .collect();
    let mut ticked = ticked;
    ticked.sort();
    let items = ticked
        .iter()
        .filter_map(|thread| d.answer_for(*thread).map(|a| (*thread, a)))
        .map(|(thread, a)| {
            let keep: Vec<String> = a
                .threads
                .iter()
                .filter(|t| !ticked.contains(t))
                .map(|t| format!("#{t}"))
                .collect();
            let shared = (!keep.is_empty()).then(|| {
                view! { " " {cx.t(Msg::DecisionReplaceShared { threads: keep.join(&t(Msg::LayoutListSeparator)) })} }
            });
            view! {
                <li>
                    <a href=format!("#thread-{thread}")>{format!("#{thread}")}</a> ": "
                    <strong>{t(a.disposition.label())}</strong> " — "
                    <span lang=d.language.clone()>{a.reason.clone()}</span>
                    {shared}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        // Not an alert of its own: the form's error summary above announces the refusal once and
        // links here (to the replace button).
        <div class="replace-warning">
            <h3>{t(Msg::DecisionReplaceHeading)}</h3>
            <p>{cx.t(message)}</p>
            <ul>{items}</ul>
            <p class="hint">{t(Msg::DecisionReplaceHint)}</p>
        </div>
    })
}

fn answers_section(cx: &RequestContext, page: &PageData, action: &str) -> impl IntoView + use<> {
    let (answered, needing) = page.coverage();
    let selectable = page.decision.published_at.is_none() && page.may(Action::AnswerComments);
    // Built where it is shown: inside the answer form, its checkboxes take the form's ids.
    let items = {
        let (cx, page) = (cx.clone(), page.clone());
        move || {
            page.threads
                .iter()
                .map(|thread| thread_item(&cx, &page, thread, selectable))
                .collect_view()
        }
    };
    let coverage = view! {
        <p class="coverage">
            <meter min="0" max=needing.max(1).to_string() value=answered.to_string()></meter> " "
            {cx.t(Msg::DecisionCoverage { answered: answered.to_string(), total: needing.to_string() })}
        </p>
    };
    let none = page
        .threads
        .is_empty()
        .then(|| view! { <p>{t(Msg::DecisionNoThreads)}</p> });
    let list = move || view! { <ol class="thread-answers">{items()}</ol> };
    let body = if selectable {
        let dispositions: Vec<(String, String)> =
            std::iter::once((String::new(), t(Msg::DecisionChooseDisposition)))
                .chain(
                    Disposition::ALL
                        .iter()
                        .map(|d| (d.code().to_string(), t(d.label()))),
                )
                .collect();
        let warning = replacement_warning(cx, page);
        let replacing = warning.is_some();
        // The bar stays a single line until opened, and opens by itself to show what a refused
        // answer needs.
        let open = refused(cx, "answer", None).is_some();
        view! {
            <ErrorSummary intent="answer" />
            <PostForm action=format!("{action}#answers") intent="answer">
                <fieldset id="answer-threads">
                    <legend>{t(Msg::DecisionPickThreads)}</legend>
                    {list()}
                </fieldset>
                <details class="answer-bar" open=open>
                    <summary>{t(Msg::DecisionAnswerBar)}</summary>
                    <div class="answer-fields">
                        {warning}
                        <Select name="disposition".into() label=t(Msg::DecisionDisposition) options=dispositions />
                        <TextArea name="reason".into() label=t(Msg::DecisionReason) hint=t(Msg::DecisionReasonHint) rows=3 required=true />
                        <TextField name="change".into() label=t(Msg::DecisionChangeLabel) hint=t(Msg::DecisionChangeHint) />
                        <div class="answer-actions">
                            <button type="submit">{t(Msg::DecisionAnswerButton)}</button>
                            {replacing.then(|| view! {
                                <button type="submit" class="danger" id="answer-replace" name=REPLACE value="yes">{t(Msg::DecisionReplaceButton)}</button>
                            })}
                        </div>
                    </div>
                </details>
            </PostForm>
        }
        .into_any()
    } else {
        list().into_any()
    };
    view! {
        <section aria-labelledby="answers" class="answers">
            <h2 id="answers">{t(Msg::DecisionAnswers)}</h2>
            <p class="hint">{t(Msg::DecisionAnswersAbout)}</p>
            {coverage}
            {none}
            {body}
        </section>
    }
}

fn publish_section(cx: &RequestContext, page: &PageData, action: &str) -> impl IntoView + use<> {
    let d = &page.decision;
    let show = d.published_at.is_none() && page.may(Action::PublishDecision);
    show.then(|| {
        // The rationale is written in this form, so only the other conditions are listed ahead.
        let missing: Vec<Msg> = decision::missing(page.unanswered(), page.awaiting_moderation(), page.result, "-")
            .iter()
            .map(|m| m.message())
            .collect();
        let ready = missing.is_empty();
        // Publishing cannot be undone: the first press leads to this step, which says so.
        let confirm = refused(cx, "publish", None)
            .filter(|f| asks_confirmation(&f.error))
            .and_then(|_| cx.field_error(CONFIRMED))
            .map(|what| {
                view! {
                    <ConfirmStep
                        id=format!("publish-{CONFIRMED}")
                        heading=Msg::DecisionConfirmPublishHeading
                        what_happens=cx.t(what)
                        confirm=Msg::DecisionConfirmPublishButton
                        back=format!("{action}#publish")
                        note=Msg::DecisionConfirmPublishNote
                    />
                }
            });
        let confirming = confirm.is_some();
        view! {
            <section aria-labelledby="publish" class="publish no-print">
                <h2 id="publish">{t(Msg::DecisionPublish)}</h2>
                {if ready {
                    view! { <p class="ready">{t(Msg::DecisionReady)}</p> }.into_any()
                } else {
                    view! {
                        <div class="remaining">
                            <p>{t(Msg::DecisionRemaining)}</p>
                            <ul>{missing.into_iter().map(|m| view! { <li>{cx.t(m)}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any()
                }}
                {(!confirming).then(|| view! { <ErrorSummary intent="publish" /> })}
                // The step comes first, where the page lands (`#publish`), above what it publishes.
                <PostForm action=format!("{action}#publish") intent="publish">
                    {confirm}
                    <TextArea name="rationale".into() label=t(Msg::DecisionRationaleLabel) hint=t(Msg::DecisionRationaleHint) rows=8 required=true />
                    <TextField name="review_on".into() label=t(Msg::DecisionReviewOn) hint=t(Msg::DecisionReviewOnHint) kind="date" />
                    {(!confirming).then(|| view! {
                        <p class="hint">{t(Msg::DecisionPublishHint)}</p>
                        <button type="submit" class="secondary">{t(Msg::DecisionPublishButton)}</button>
                    })}
                </PostForm>
            </section>
        }
    })
}

fn text_section(cx: &RequestContext, d: &CouncilDecision) -> impl IntoView + use<> {
    let heading = if d.published_at.is_some() {
        Msg::DecisionAdoptedText
    } else {
        Msg::DecisionTextDecided
    };
    let paragraphs = d
        .text
        .clone()
        .unwrap_or_default()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| view! { <p>{p.to_string()}</p> })
        .collect_view();
    let version = d.version.map(|n| {
        view! {
            <p class="meta">
                <a href=format!("/api/v1/drafts/{}/versions/{n}", d.draft)>{cx.t(Msg::DecisionVersion { n: n.to_string() })}</a>
                " · SHA-256 " <code class="hash">{d.text_hash.clone().unwrap_or_default()}</code>
            </p>
        }
    });
    view! {
        <section aria-labelledby="adopted">
            <h2 id="adopted">{t(heading)}</h2>
            {version}
            <div class="adopted-text prose" lang=d.language.clone()>{paragraphs}</div>
        </section>
    }
}

fn shares_section(cx: &RequestContext, d: &CouncilDecision) -> impl IntoView + use<> {
    let lang = cx.lang.code().to_string();
    let total = d.shares.iter().map(|s| s.characters).sum::<usize>().max(1);
    let rows = d
        .shares
        .iter()
        .map(|s| {
            let name = s
                .org_name
                .as_ref()
                .map(|n| n.pick(&lang, &[]).text)
                .unwrap_or_else(|| t(Msg::DraftIndividuals));
            let percent = (s.characters * 1000 / total) as f64 / 10.0;
            view! { <li>{name} ": " {format!("{percent}%")} " " <span class="meta">{cx.t(Msg::DecisionCharacters { count: s.characters.to_string() })}</span></li> }
        })
        .collect_view();
    (!d.shares.is_empty()).then(|| {
        view! {
            <section aria-labelledby="drafted-by">
                <h2 id="drafted-by">{t(Msg::DecisionDraftedBy)}</h2>
                <ul>{rows}</ul>
            </section>
        }
    })
}

fn sittings_section(page: &PageData) -> impl IntoView + use<> {
    let items = page
        .sittings
        .iter()
        .map(|s| {
            view! {
                <li>
                    <a href=format!("/processes/{}/sittings/{}", s.process, s.id)>{s.title.clone()}</a>
                    " · " <time>{format_time(s.starts_at)}</time>
                    " · " {t(s.state.stage.label())}
                </li>
            }
        })
        .collect_view();
    (!page.sittings.is_empty()).then(|| {
        view! {
            <section aria-labelledby="decision-sittings">
                <h2 id="decision-sittings">{t(Msg::DecisionSittings)}</h2>
                <p class="hint">{t(Msg::DecisionSittingsHint)}</p>
                <ul>{items}</ul>
            </section>
        }
    })
}

fn follow_up_section(cx: &RequestContext, page: &PageData, action: &str) -> impl IntoView + use<> {
    let d = &page.decision;
    (d.published_at.is_some()).then(|| {
        let review = match d.review_on {
            Some(day) => cx.t(Msg::DecisionReviewDate { date: day.to_string() }),
            None => t(Msg::DecisionNoReviewDate),
        };
        let updates = d
            .updates
            .iter()
            .map(|u| {
                view! {
                    <li>
                        <p>
                            <time datetime=u.on.to_string()>{u.on.to_string()}</time> " · "
                            <strong>{t(u.status.label())}</strong> " · "
                            <progress max="100" value=u.progress.to_string()>{format!("{}%", u.progress)}</progress>
                            " " {format!("{}%", u.progress)}
                        </p>
                        <p lang=d.language.clone()>{u.note.clone()}</p>
                        <p class="meta">{cx.t(Msg::EventBy { name: u.by.clone() })}</p>
                    </li>
                }
            })
            .collect_view();
        let none = d.updates.is_empty().then(|| view! { <p>{t(Msg::DecisionNoUpdates)}</p> });
        let may = page.may(Action::PostFollowUp);
        let today = cx.today().to_string();
        let form = may.then(|| {
            let statuses: Vec<(String, String)> = FollowUpStatus::ALL
                .iter()
                .map(|s| (s.code().to_string(), t(s.label())))
                .collect();
            view! {
                <div class="no-print">
                    <h3>{t(Msg::DecisionPostUpdate)}</h3>
                    <ErrorSummary intent="follow_up" />
                    <PostForm action=action.to_string() intent="follow_up" class="narrow">
                        <Select name="status".into() label=t(Msg::DecisionUpdateStatus) options=statuses />
                        <TextField name="progress".into() label=t(Msg::DecisionUpdateProgress) kind="number" value="0".into() required=true />
                        <TextField name="on".into() label=t(Msg::DecisionUpdateOn) kind="date" value=today required=true />
                        <TextArea name="note".into() label=t(Msg::DecisionUpdateNote) rows=4 required=true />
                        <TextField name="review_on".into() label=t(Msg::DecisionNewReviewOn) hint=t(Msg::DecisionReviewOnHint) kind="date" />
                        <button type="submit">{t(Msg::DecisionPostUpdateButton)}</button>
                    </PostForm>
                </div>
            }
        });
        let later = (!may && page.process.phase == Phase::Decision && page.may(Action::PublishDecision))
            .then(|| view! { <p class="hint no-print">{t(Msg::DecisionUpdatesInFollowUp)}</p> });
        view! {
            <section aria-labelledby="follow-up">
                <h2 id="follow-up">{t(Msg::DecisionFollowUp)}</h2>
                <p class:overdue=page.overdue>{review}</p>
                {none}
                <ol class="updates">{updates}</ol>
                {form}
                {later}
            </section>
        }
    })
}

/// A process's decisions, for its page; in the decision phase, the drafts that may be frozen.
#[component]
pub fn DecisionList(
    process: ProcessId,
    decisions: Vec<CouncilDecision>,
    drafts: Vec<Draft>,
    may_freeze: bool,
    today: crate::domain::process::Day,
) -> impl IntoView {
    let items = decisions
        .iter()
        .map(|d| {
            let overdue = d.published_at.is_some() && decision::review_overdue(d.review_on, d.last_update_on(), today);
            view! {
                <li>
                    <a href=decision_path(process, d.id)>{d.draft_title.clone()}</a> " "
                    {match d.published_at {
                        Some(at) => view! { <span class="badge">{t(Msg::DecisionPublishedBadge)}</span> " " <time>{format_time(at)}</time> }.into_any(),
                        None => view! { <span class="badge warning">{t(Msg::DecisionInPreparation)}</span> }.into_any(),
                    }}
                    {overdue.then(|| view! { " " <strong class="badge danger">{t(Msg::DecisionReviewOverdue)}</strong> })}
                </li>
            }
        })
        .collect_view();
    let freezable: Vec<Draft> = drafts
        .into_iter()
        .filter(|dr| !decisions.iter().any(|d| d.draft == dr.id))
        .collect();
    let freeze = (may_freeze && !freezable.is_empty()).then(|| {
        let cx = crate::ssr::cx();
        let forms = freezable
            .into_iter()
            .map(|dr| {
                let key = dr.id.to_string();
                let id = format!("freeze-{key}");
                // Freezing cannot be undone: the first press leads to this step, which says so.
                let confirm = refused(&cx, "freeze", Some(&key))
                    .filter(|f| asks_confirmation(&f.error))
                    .and_then(|_| cx.field_error(CONFIRMED))
                    .map(|what| {
                        view! {
                            <ConfirmStep
                                id=format!("freeze-{key}-{CONFIRMED}")
                                heading=Msg::DecisionConfirmFreezeHeading
                                what_happens=cx.t(what)
                                confirm=Msg::DecisionConfirmFreezeButton
                                back=format!("/processes/{process}#decisions")
                            />
                        }
                    });
                let confirming = confirm.is_some();
                view! {
                    <li id=id.clone()>
                        {(!confirming).then(|| view! { <ErrorSummary intent="freeze" key=key.clone() /> })}
                        <PostForm action=format!("/processes/{process}/manage#{id}") intent="freeze" key=key.clone()>
                            <input type="hidden" name="draft" value=key.clone() />
                            {if confirming {
                                confirm.into_any()
                            } else {
                                view! { <button type="submit" class="secondary">{t(Msg::DecisionFreezeButton)} " " <span lang=dr.language.clone()>{dr.title.clone()}</span></button> }.into_any()
                            }}
                        </PostForm>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="freeze">
                <p class="hint">{t(Msg::DecisionFreezeHint)}</p>
                <ul class="plain">{forms}</ul>
            </div>
        }
    });
    let none = decisions.is_empty();
    view! {
        <section aria-labelledby="decisions">
            <h2 id="decisions">{t(Msg::DecisionsTitle)}</h2>
            {if none { view! { <p>{t(Msg::DecisionsNone)}</p> }.into_any() } else { view! { <ul class="decisions">{items}</ul> }.into_any() }}
            {freeze}
            <p><a href=format!("/processes/{process}/decisions.atom") type="application/atom+xml">{t(Msg::DecisionFollowFeed)}</a></p>
        </section>
    }
}

/// `/decisions`: every published decision, newest first, with the site's feed.
#[component]
pub fn DecisionsPage() -> impl IntoView {
    load(
        |cx| async move {
            let decisions = cx.store.decisions(None).await?;
            let mut rows = Vec::new();
            for d in decisions.into_iter().filter(|d| d.published_at.is_some()) {
                if let Some(p) = cx.store.process(d.process).await? {
                    rows.push((p, d));
                }
            }
            Ok((cx, rows))
        },
        |(cx, rows)| {
            let lang = cx.lang.code().to_string();
            let today = cx.today();
            let none = rows.is_empty();
            let items = rows
                .into_iter()
                .map(|(p, d)| {
                    let title = p.fields.title.pick(&lang, &p.fields.languages);
                    let overdue = decision::review_overdue(d.review_on, d.last_update_on(), today);
                    view! {
                        <li>
                            <a href=decision_path(p.id, d.id)>{d.draft_title.clone()}</a>
                            " · " <span lang=title.lang>{title.text}</span>
                            " · " <time>{d.published_at.map(format_time).unwrap_or_default()}</time>
                            {overdue.then(|| view! { " " <strong class="badge danger">{t(Msg::DecisionReviewOverdue)}</strong> })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <Page title=t(Msg::DecisionsAll)>
                    <p>{t(Msg::DecisionsAllAbout)}</p>
                    <p><a href="/decisions.atom" type="application/atom+xml">{t(Msg::DecisionFollowFeed)}</a> " · " <a href="/api/v1/record">{t(Msg::DecisionRecordLink)}</a></p>
                    {if none { view! { <p>{t(Msg::DecisionsNone)}</p> }.into_any() } else { view! { <ul class="decisions">{items}</ul> }.into_any() }}
                </Page>
            }
        },
    )
}
