//! Comments on a draft or a budget project (the discussion under it, and each thread's own
//! page), the moderation queue, and the public moderation log.

use super::{load, param};
use crate::api;
use crate::api::comments::{Discussion, Queue, Thread};
use crate::components::form::{
    ActingAsField, ErrorSummary, PostForm, RadioGroup, Select, TextArea, TextField,
};
use crate::components::layout::{Page, notice_at, t};
use crate::domain::comments::*;
use crate::domain::markdown;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::ids::{CommentId, DraftId, ProcessId};
use crate::model::{Comment, ModerationEntry, Revision, Subject};
use crate::pages::process::format_time;
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> Msg,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), t(label(*v))))
        .collect()
}

fn stance_options() -> Vec<(String, String)> {
    options(Stance::ALL, Stance::code, Stance::label)
}

/// The discussion under a draft or a project: how to comment, the new-comment form, and every
/// thread. A draft's comments may quote a passage; a project's are about the whole proposal.
pub fn discussion_view(cx: &RequestContext, d: &Discussion) -> impl IntoView + use<> {
    let pid = d.process.id;
    let action = d.subject.page(pid);
    let (language, acting) = (d.language.clone(), d.acting_options.clone());
    let on_draft = d.subject.draft().is_some();
    let default_acting_for = d.default_acting_for;
    let typed = |name: &str| cx.typed(name).unwrap_or_default();
    let (anchor_start, anchor_end, near) =
        (typed("anchor_start"), typed("anchor_end"), typed("near"));
    let form = match &d.may_comment {
        Ok(()) => view! {
            <section aria-labelledby="new-comment" class="new-comment">
                <h3 id="new-comment">{t(Msg::CommentNewHeading)}</h3>
                <ErrorSummary intent="comment" />
                <PostForm action=action.clone() intent="comment">
                    {on_draft.then(|| view! {
                        <p id="comment-selected" class="hint" hidden=true>{t(Msg::CommentSelected)}</p>
                        <TextArea name="quote".into() label=t(Msg::CommentQuote) hint=t(Msg::CommentQuoteHint) rows=2 lang=language.unwrap_or_default() />
                        <input type="hidden" name="anchor_start" id="comment-anchor_start" value=anchor_start />
                        <input type="hidden" name="anchor_end" id="comment-anchor_end" value=anchor_end />
                        <input type="hidden" name="near" id="comment-near" value=near />
                    })}
                    <Select name="stance".into() label=t(Msg::CommentStance) options=stance_options() />
                    <TextArea name="body".into() label=t(Msg::CommentBody) hint=t(Msg::CommentBodyHint { max: MAX_BODY.to_string() }) required=true />
                    <ActingAsField organisations=acting selected=default_acting_for />
                    <TextField name="pseudonym".into() label=t(Msg::CommentPseudonym) hint=t(Msg::CommentPseudonymHint) />
                    <button type="submit">{t(Msg::CommentPost)}</button>
                </PostForm>
            </section>
        }
        .into_any(),
        Err(reason) => {
            let text = cx.t(reason.clone());
            let offer_sign_in = matches!(reason, Msg::CommentSignInToComment);
            let sign_in = (cx.viewer.is_none() && offer_sign_in).then(|| {
                view! { " " <a href=format!("/auth/login?next={}", crate::components::layout::encode_path(&cx.path))>{t(Msg::NavSignIn)}</a> }
            });
            view! { <p class="your-part">{text}{sign_in}</p> }.into_any()
        }
    };
    // A discussion closed for good (a project once the vote is over) invites no more words.
    let closed = matches!(d.may_comment, Err(Msg::CommentProjectClosed));
    let threads = d
        .threads
        .iter()
        .map(|thread| thread_view(cx, d, thread))
        .collect_view();
    let moderation = view! {
        <p>
            <a href=format!("/processes/{pid}/moderation-log")>{t(Msg::CommentModerationLog)}</a>
            {d.moderator.then(|| view! { " · " <a href=format!("/processes/{pid}/moderation")>{t(Msg::CommentModerationQueue)}</a> })}
        </p>
    };
    view! {
        <section aria-labelledby="comments" class="comments">
            <h2 id="comments">{t(Msg::CommentHeading)}</h2>
            {(!closed).then(|| view! { <p>{t(if on_draft { Msg::CommentIntro } else { Msg::CommentProjectIntro })}</p> })}
            {moderation}
            {form}
            <p class="hint" id="comments-count">{t(Msg::CommentThreads { count: d.threads.len().to_string() })}</p>
            // Only a draft's comments arrive live, so only its page needs the announcer.
            {on_draft.then(|| view! { <p class="visually-hidden" role="status" id="comments-live"></p> })}
            {d.threads.is_empty().then(|| view! { <p id="comments-none">{t(Msg::CommentNoneYet)}</p> })}
            <ol class="threads" id="threads" aria-describedby="comments-count">{threads}</ol>
        </section>
    }
}

/// One thread: its passage (or "the whole draft"), then its comments in reading order.
pub fn thread_view(cx: &RequestContext, d: &Discussion, thread: &Thread) -> impl IntoView + use<> {
    let root = &thread.comments[0];
    let passage = root.passage.as_ref();
    let (start, end) = thread
        .highlight(d)
        .map(|a| (a.start.clone(), a.end.clone()))
        .unzip();
    let heading = match passage {
        Some(p) => view! {
            <blockquote class="quote" class:removed=thread.removed() lang=d.language.clone()>
                <span class="visually-hidden">{t(Msg::CommentOnPassage)}": "</span>
                {if thread.removed() { view! { <del>{p.quote.clone()}</del> }.into_any() } else { view! { <span>{p.quote.clone()}</span> }.into_any() }}
            </blockquote>
            {thread.removed().then(|| view! { <p class="hint removed-note">{t(Msg::CommentPassageRemoved)}</p> })}
        }
        .into_any(),
        None if d.subject.draft().is_some() => {
            view! { <p class="quote whole">{t(Msg::CommentWholeDraft)}</p> }.into_any()
        }
        // A project's threads are all about the whole proposal.
        None => ().into_any(),
    };
    let comments = thread
        .comments
        .iter()
        .map(|c| comment_view(cx, d, c))
        .collect_view();
    view! {
        <li
            class="thread"
            id=format!("thread-{}", thread.id)
            data-thread=thread.id.to_string()
            data-anchor-start=start
            data-anchor-end=end
            tabindex="-1"
        >
            <p class="thread-number"><a href=d.subject.thread_page(d.process.id, thread.id)>{format!("#{}", thread.id)}</a></p>
            {heading}
            <ol class="comments-in-thread">{comments}</ol>
        </li>
    }
}

/// Who wrote a comment, for whom, and whether readers can trust the organisation named: every
/// reader sees whether it is verified, and "official" only where it still holds.
fn byline(cx: &RequestContext, c: &Comment) -> impl IntoView + use<> {
    let org = c.org_name.as_ref().map(|name| {
        let org = name.pick(cx.lang.code(), &[]).text;
        let verification = if c.org_verified {
            view! { <span class="badge verified">{t(Msg::CommentOrgVerified)}</span> }.into_any()
        } else {
            view! { <span class="badge warning unverified">{t(Msg::CommentOrgUnverified)}</span> }
                .into_any()
        };
        view! { " " <span class="org">{t(Msg::CommentForOrg { org })}</span> " " {verification} }
    });
    let stance = (c.stance != Stance::None)
        .then(|| view! { " " <span class=format!("badge stance-{}", c.stance.code())>{t(c.stance.label())}</span> });
    view! {
        <p class="byline">
            <strong>{c.display_name.clone()}</strong>
            {org}
            {c.shows_official().then(|| view! { " " <span class="badge official">{t(Msg::CommentOfficial)}</span> })}
            {stance}
            " · "
            <time datetime=format_time(c.created_at)>{format_time(c.created_at)}</time>
            {c.edited_at.map(|at| view! { " · " <span class="edited" title=format_time(at)>{t(Msg::CommentEdited)}</span> })}
        </p>
    }
}

/// A comment as this reader may see it: its content, or a placeholder that keeps the thread's
/// shape; with the actions open to them.
fn comment_view(cx: &RequestContext, d: &Discussion, c: &Comment) -> impl IntoView + use<> {
    // Forms post to the thread's page, so a failed submission comes back with them.
    let action = d.subject.thread_page(d.process.id, c.thread);
    let own = Some(c.author) == d.viewer;
    let key = c.id.to_string();
    // Which of this comment's forms to open: the one that failed, or the one asked for.
    let failed = |intent: &str| {
        let asked = d.open.as_deref() == Some(format!("{intent}-{key}").as_str());
        let failed = cx.typed("intent").as_deref() == Some(intent)
            && cx.typed("key").as_deref() == Some(key.as_str());
        asked || failed
    };
    // On the draft page, each action is a link to the form on the thread's page.
    let link = |intent: &str, label: Msg| {
        let href = format!("{action}?open={intent}-{key}#comment-{key}");
        view! { <a class="action-link" href=href>{t(label)}</a> }
    };
    let (open_appeal, open_reply, open_edit, open_report) = (
        failed("appeal"),
        failed("reply"),
        failed("edit"),
        failed("report"),
    );
    let placeholder = match c.status {
        Status::Visible => None,
        Status::Withdrawn => Some(t(Msg::CommentWithdrawn)),
        Status::Held => Some(t(Msg::CommentHeld)),
        Status::Pending => Some(t(Msg::CommentPending)),
        Status::Hidden => {
            let reason = c
                .decision
                .as_ref()
                .map(|x| t(x.reason.label()))
                .unwrap_or_default();
            Some(if own {
                t(Msg::CommentYoursHidden { reason })
            } else {
                t(Msg::CommentHidden { reason })
            })
        }
    };
    let content = d.shows_content(c).then(|| {
        let html = markdown::to_html(&c.body);
        let history = (!c.revisions.is_empty() && c.status == Status::Visible).then(|| {
            let items = c
                .revisions
                .iter()
                .map(|r| revision_view(d, c, r, own, &action))
                .collect_view();
            view! { <details class="history" open=failed("remove_request")><summary>{t(Msg::CommentEarlierVersions)}</summary><ol>{items}</ol></details> }
        });
        // The author and moderators see an edit that waits for approval; readers see the
        // approved text only.
        let pending = c
            .pending_edit
            .as_ref()
            .filter(|_| own || d.moderator)
            .map(|edit| {
                view! {
                    <div class="pending-edit">
                        <p class="hint">{t(Msg::CommentEditWaiting)}</p>
                        <div class="comment-body" inner_html=markdown::to_html(&edit.body)></div>
                    </div>
                }
            });
        view! { <div class="comment-body" inner_html=html></div> {pending} {history} }
    });
    // The author sees the moderator's note and may appeal once.
    let appeal = (own && c.status == Status::Hidden).then(|| {
        let note = c
            .decision
            .as_ref()
            .filter(|x| !x.note.is_empty())
            .map(|x| view! { <p>{t(Msg::CommentModeratorNote { note: x.note.clone() })}</p> });
        let state = match c.appeal.as_ref().map(|a| a.upheld) {
            Some(None) => Some(t(Msg::CommentAppealWaiting)),
            Some(Some(true)) => Some(t(Msg::CommentAppealUpheld)),
            Some(Some(false)) => Some(t(Msg::CommentAppealRejected)),
            None => None,
        };
        let key = key.clone();
        let action = action.clone();
        let appealable = c.appeal.is_none();
        let form = (appealable && !d.with_forms).then(|| link("appeal", Msg::CommentAppeal));
        let form = form.map(IntoAny::into_any).or_else(|| (appealable && d.with_forms).then(|| {
            view! {
                <details class="action" open=open_appeal>
                    <summary>{t(Msg::CommentAppeal)}</summary>
                    <ErrorSummary intent="appeal" key=key.clone() />
                    <PostForm action=action.clone() intent="appeal" key=key.clone()>
                        <input type="hidden" name="comment" value=key.clone() />
                        <TextArea name="statement".into() label=t(Msg::CommentAppealStatement) hint=t(Msg::CommentAppealHint) rows=3 required=true />
                        <button type="submit">{t(Msg::CommentSendAppeal)}</button>
                    </PostForm>
                </details>
            }.into_any()
        }));
        view! { <div class="appeal">{note}{state.map(|s| view! { <p>{s}</p> })}{form}</div> }
    });
    let reports = (d.moderator && c.reports > 0).then(|| reports_line(c));
    let can_reply = d.may_comment.is_ok() && c.status == Status::Visible;
    let (acting, default_acting_for) = (d.acting_options.clone(), d.default_acting_for);
    let reply = (can_reply && !d.with_forms).then(|| link("reply", Msg::CommentReply).into_any());
    let reply = reply.or_else(|| (can_reply && d.with_forms).then(|| {
        let (key, action) = (key.clone(), action.clone());
        view! {
            <details class="action" open=open_reply>
                <summary>{t(Msg::CommentReply)}</summary>
                <ErrorSummary intent="reply" key=key.clone() />
                <PostForm action=action.clone() intent="reply" key=key.clone()>
                    <input type="hidden" name="parent" value=key.clone() />
                    <Select name="stance".into() label=t(Msg::CommentStance) options=stance_options() />
                    <TextArea name="body".into() label=t(Msg::CommentBody) hint=t(Msg::CommentBodyHint { max: MAX_BODY.to_string() }) rows=3 required=true />
                    <ActingAsField organisations=acting selected=default_acting_for />
                    <TextField name="pseudonym".into() label=t(Msg::CommentPseudonym) />
                    <button type="submit">{t(Msg::CommentPostReply)}</button>
                </PostForm>
            </details>
        }.into_any()
    }));
    let editable =
        own && d.may_comment.is_ok() && matches!(c.status, Status::Visible | Status::Pending);
    let (stance_code, body) = (c.stance.code().to_string(), c.body.clone());
    let edit = (editable && !d.with_forms).then(|| link("edit", Msg::CommentEdit).into_any());
    let edit = edit.or_else(|| (editable && d.with_forms).then(|| {
        let (key, action) = (key.clone(), action.clone());
        view! {
            <details class="action" open=open_edit>
                <summary>{t(Msg::CommentEdit)}</summary>
                <ErrorSummary intent="edit" key=key.clone() />
                <PostForm action=action.clone() intent="edit" key=key.clone()>
                    <input type="hidden" name="comment" value=key.clone() />
                    <Select name="stance".into() label=t(Msg::CommentStance) options=stance_options() selected=stance_code />
                    <TextArea name="body".into() label=t(Msg::CommentBody) value=body rows=4 required=true />
                    <button type="submit">{t(Msg::CommentSaveEdit)}</button>
                </PostForm>
            </details>
        }.into_any()
    }));
    let withdraw = (own && c.status != Status::Withdrawn).then(|| {
        let (key, action) = (key.clone(), action.clone());
        view! {
            <PostForm action=action.clone() intent="withdraw" key=key.clone() class="inline">
                <input type="hidden" name="comment" value=key.clone() />
                <button type="submit" class="secondary" aria-describedby=format!("withdraw-hint-{key}")>{t(Msg::CommentWithdraw)}</button>
                <span class="visually-hidden" id=format!("withdraw-hint-{key}")>{t(Msg::CommentWithdrawHint)}</span>
            </PostForm>
        }
    });
    let reported = d.reported.contains(&c.id);
    let reportable = d.may_report && !own && c.status == Status::Visible && !reported;
    let reported = reported.then(|| {
        view! { <p class="hint you-reported">{t(Msg::CommentYouReported)}</p> }.into_any()
    });
    let report =
        (reportable && !d.with_forms).then(|| link("report", Msg::CommentReport).into_any());
    let report = report.or_else(|| (reportable && d.with_forms).then(|| {
        let reasons = options(ReportReason::ALL, ReportReason::code, ReportReason::label);
        let (key, action) = (key.clone(), action.clone());
        view! {
            <details class="action" open=open_report>
                <summary>{t(Msg::CommentReport)}</summary>
                <ErrorSummary intent="report" key=key.clone() />
                <PostForm action=action.clone() intent="report" key=key.clone()>
                    <input type="hidden" name="comment" value=key.clone() />
                    <Select name="reason".into() label=t(Msg::CommentReportReason) options=reasons />
                    <TextField name="note".into() label=t(Msg::CommentReportNote) />
                    <button type="submit">{t(Msg::CommentSendReport)}</button>
                </PostForm>
            </details>
        }.into_any()
    }));
    // Moderators decide from the thread too, not only on what reports brought to the queue; never
    // on their own comment, which another moderator or mediator decides.
    let moderate = (d.moderator && !own).then(|| {
        if d.with_forms {
            decision_forms(d.process.id, c).map(|form| {
                view! {
                    <details class="action" open=failed("moderate")>
                        <summary>{t(Msg::CommentModerate)}</summary>
                        {form}
                    </details>
                }
                .into_any()
            })
        } else {
            let decidable = ModerationAction::DECISIONS
                .iter()
                .any(|a| a.applies_to(c.status, c.reports))
                || c.pending_edit.is_some();
            decidable.then(|| link("moderate", Msg::CommentModerate).into_any())
        }
    });
    let own_decision = (d.moderator && own).then(|| {
        view! { <p class="hint">{t(Msg::ModerationOwnComment)}</p> }
    });
    let status_class = format!(
        "comment depth-{} status-{}",
        c.depth.min(MAX_DEPTH),
        c.status.code()
    );
    view! {
        <li class=status_class id=format!("comment-{}", c.id)>
            {notice_at(format!("comment-{}", c.id))}
            <article aria-label=c.display_name.clone()>
                {byline(cx, c)}
                {placeholder.map(|p| view! { <p class="placeholder">{p}</p> })}
                {content}
                {reports}
                {appeal}
                {own_decision}
                {reported}
                <div class="comment-actions">{reply}{edit}{report}{moderate}{withdraw}</div>
            </article>
        </li>
    }
}

/// `/processes/{id}/drafts/{draft}/threads/{thread}`: one thread on a draft, on its own page.
#[component]
pub fn ThreadPage() -> impl IntoView {
    let (process, draft, thread) = (
        param::<ProcessId>("id"),
        param::<DraftId>("draft"),
        param::<CommentId>("thread"),
    );
    let subject = move || -> AppResult<(Option<ProcessId>, Subject)> {
        Ok((Some(process.clone()?), Subject::Draft(draft.clone()?)))
    };
    one_thread(subject(), thread)
}

/// `/budgets/{id}/projects/{project}/threads/{thread}`: one thread on a budget project.
#[component]
pub fn ProjectThreadPage() -> impl IntoView {
    let (budget, project, thread) = (
        param::<i64>("id"),
        param::<i64>("project"),
        param::<CommentId>("thread"),
    );
    let subject = move || -> AppResult<(Option<ProcessId>, Subject)> {
        Ok((
            None,
            Subject::Project {
                budget: budget.clone()?,
                project: project.clone()?,
            },
        ))
    };
    one_thread(subject(), thread)
}

/// One thread on its own page, with the forms open (`?open=reply-12` opens one). `?as_listed`
/// renders it as its subject's page lists it (links, not forms): what a draft page fetches to
/// update a thread live.
fn one_thread(
    subject: AppResult<(Option<ProcessId>, Subject)>,
    thread: AppResult<CommentId>,
) -> impl IntoView {
    let query = use_query_map().read_untracked().clone();
    let open = query.get("open");
    let as_listed = query.get("as_listed").is_some();
    load(
        move |cx| async move {
            let (process, subject) = subject?;
            let process = api::comments::process_of(&cx, process, subject).await?;
            let mut d = api::comments::thread_page(&cx, process, subject, thread?).await?;
            d.open = open;
            d.with_forms = !as_listed;
            Ok((cx, d))
        },
        |(cx, d)| {
            let title = format!("#{} · {}", d.threads[0].id, d.title);
            let back = format!(
                "{}#thread-{}",
                d.subject.page(d.process.id),
                d.threads[0].id
            );
            let thread = thread_view(&cx, &d, &d.threads[0]);
            let thread_id = d.threads[0].id.0;
            view! {
                <Page title=title>
                    <p><a href=back>{"← "}{d.title.clone()}</a></p>
                    <crate::components::follow::FollowControl subject=crate::domain::notice::FollowSubject::Thread id=thread_id />
                    <ol class="threads" id="threads">{thread}</ol>
                </Page>
            }
        },
    )
}

/// A moderator's decisions on a comment: approve, hide or restore (as its status allows), with
/// a reason and a note to its author, and on an edit waiting for approval; `None` when no
/// decision applies. The queue and each thread's page offer the same forms.
fn decision_forms(process: ProcessId, c: &Comment) -> Option<impl IntoView + use<>> {
    let key = c.id.to_string();
    let action = format!("/processes/{process}/moderation");
    // One form per decision, each with only the reasons that fit it (ModerationAction::fits),
    // nothing chosen in advance, and the line the public log will show.
    let decisions: Vec<ModerationAction> = ModerationAction::DECISIONS
        .into_iter()
        .filter(|a| a.applies_to(c.status, c.reports))
        .collect();
    let status = (!decisions.is_empty()).then(|| {
        decisions
            .into_iter()
            .map(|decision| {
                let (action, comment) = (action.clone(), key.clone());
                let code = decision.code();
                if decision == ModerationAction::Hidden {
                    let breaches = reason_options();
                    view! {
                        <ErrorSummary intent="moderate" key=comment.clone() />
                        <PostForm action=action intent="moderate" key=comment.clone() class="decision">
                            <input type="hidden" name="comment" value=comment />
                            <input type="hidden" name="action" value=code />
                            <RadioGroup name="reason".into() legend=t(Msg::ModerationHideWhy) options=breaches />
                            <TextField name="note".into() label=t(Msg::ModerationNote) hint=t(Msg::ModerationNoteHint) />
                            <p class="log-preview">{t(Msg::ModerationLogPreviewHide)}</p>
                            <button type="submit">{t(Msg::ModerationHide)}</button>
                        </PostForm>
                    }
                    .into_any()
                } else {
                    let line = format!(
                        "{} — {}",
                        t(decision.label()),
                        t(Reason::WithinRules.label())
                    );
                    let button = if decision == ModerationAction::Approved {
                        Msg::ModerationApprove
                    } else {
                        Msg::ModerationRestore
                    };
                    let form_key = format!("{comment}-{code}");
                    view! {
                        <ErrorSummary intent="moderate" key=form_key.clone() />
                        <PostForm action=action intent="moderate" key=form_key class="decision">
                            <input type="hidden" name="comment" value=comment />
                            <input type="hidden" name="action" value=code />
                            <input type="hidden" name="reason" value=Reason::WithinRules.code() />
                            <TextField name="note".into() label=t(Msg::ModerationNote) hint=t(Msg::ModerationNoteHint) />
                            <p class="log-preview">{t(Msg::ModerationLogPreview { line })}</p>
                            <button type="submit">{t(button)}</button>
                        </PostForm>
                    }
                    .into_any()
                }
            })
            .collect_view()
    });
    let edit = c.pending_edit.as_ref().map(|_| {
        let outcomes = vec![
            ("approve".to_string(), t(Msg::ModerationApproveEdit)),
            ("decline".to_string(), t(Msg::ModerationDeclineEdit)),
        ];
        view! {
            <h3 class="decision-heading">{t(Msg::ModerationEditHeading)}</h3>
            <ErrorSummary intent="edit_decision" key=key.clone() />
            <PostForm action=action intent="edit_decision" key=key.clone()>
                <input type="hidden" name="comment" value=key.clone() />
                <Select name="outcome".into() label=t(Msg::ModerationDecision) options=outcomes />
                <Select name="reason".into() label=t(Msg::ModerationDeclineWhy) options=reason_options() />
                <TextField name="note".into() label=t(Msg::ModerationNote) hint=t(Msg::ModerationNoteHint) />
                <button type="submit">{t(Msg::ModerationRecord)}</button>
            </PostForm>
        }
    });
    (status.is_some() || edit.is_some()).then(|| view! { {status} {edit} })
}

/// One earlier text of a comment in its public history: removed ones say only that they were;
/// the author may ask for one to be removed (personal data written by mistake).
fn revision_view(
    d: &Discussion,
    c: &Comment,
    r: &Revision,
    own: bool,
    action: &str,
) -> impl IntoView + use<> {
    let body = match r.removed_at {
        Some(at) => view! {
            <p class="placeholder">{t(Msg::CommentRevisionRemoved { date: format_time(at) })}</p>
        }
        .into_any(),
        None => view! { <div class="comment-body" inner_html=markdown::to_html(&r.body)></div> }
            .into_any(),
    };
    let request = (own && r.removed_at.is_none()).then(|| match &r.removal_requested {
        Some(_) => view! { <p class="hint">{t(Msg::CommentRemovalWaiting)}</p> }.into_any(),
        None if d.with_forms => {
            let (key, comment) = (r.id.to_string(), c.id.to_string());
            view! {
                <details class="action">
                    <summary>{t(Msg::CommentAskRemoval)}</summary>
                    <ErrorSummary intent="remove_request" key=key.clone() />
                    <PostForm action=action.to_string() intent="remove_request" key=key.clone()>
                        <input type="hidden" name="comment" value=comment />
                        <input type="hidden" name="revision" value=key.clone() />
                        <TextField name="note".into() label=t(Msg::CommentRemovalNote) hint=t(Msg::CommentRemovalHint) />
                        <button type="submit" class="secondary">{t(Msg::CommentSendRemoval)}</button>
                    </PostForm>
                </details>
            }
            .into_any()
        }
        None => ().into_any(),
    });
    view! {
        <li id=format!("revision-{}", r.id)>
            <time>{format_time(r.replaced_at)}</time>
            {body}
            {request}
        </li>
    }
}

/// A moderator's decision on a request to remove an earlier text.
fn removal_forms(process: ProcessId, c: &Comment) -> impl IntoView + use<> {
    let action = format!("/processes/{process}/moderation");
    c.revisions
        .iter()
        .filter(|r| r.removal_requested.is_some() && r.removed_at.is_none())
        .map(|r| {
            let key = r.id.to_string();
            let note = r
                .removal_requested
                .as_ref()
                .map(|(_, note)| note.clone())
                .filter(|n| !n.is_empty());
            let outcomes = vec![
                ("remove".to_string(), t(Msg::ModerationRemoveRevision)),
                ("keep".to_string(), t(Msg::ModerationKeepRevision)),
            ];
            view! {
                <div class="removal-request">
                    <h3 class="decision-heading">{t(Msg::ModerationRemovalHeading)}</h3>
                    <div class="comment-body" inner_html=markdown::to_html(&r.body)></div>
                    {note.map(|note| view! { <p>{t(Msg::ModerationRemovalReason { note })}</p> })}
                    <ErrorSummary intent="removal_decision" key=key.clone() />
                    <PostForm action=action.clone() intent="removal_decision" key=key.clone()>
                        <input type="hidden" name="revision" value=key.clone() />
                        <Select name="outcome".into() label=t(Msg::ModerationDecision) options=outcomes />
                        <TextField name="note".into() label=t(Msg::ModerationNote) hint=t(Msg::ModerationNoteHint) />
                        <button type="submit">{t(Msg::ModerationRecord)}</button>
                    </PostForm>
                </div>
            }
        })
        .collect_view()
}

/// How many reports a comment has had since it was last approved, and why (moderators only).
fn reports_line(c: &Comment) -> impl IntoView + use<> {
    let reasons = c
        .report_reasons
        .iter()
        .map(|r| t(r.label()))
        .collect::<Vec<_>>()
        .join(&t(Msg::LayoutListSeparator));
    view! { <p class="hint">{t(Msg::CommentReports { count: c.reports.to_string(), reasons })}</p> }
}

/// The reasons that name a broken rule (declining an edit, barring an author).
fn reason_options() -> Vec<(String, String)> {
    Reason::BREACHES
        .iter()
        .map(|r| (r.code().to_string(), t(r.label())))
        .collect()
}

/// `/processes/{id}/moderation`: what waits for moderators, bars, and the process's settings.
#[component]
pub fn ModerationPage() -> impl IntoView {
    let process = param::<ProcessId>("id");
    load(
        move |cx| async move {
            let queue = api::comments::queue(&cx, process?).await?;
            Ok((cx, queue))
        },
        |(cx, q)| queue_view(cx, q),
    )
}

fn queue_view(cx: RequestContext, q: Queue) -> impl IntoView {
    let pid = q.process.id;
    let action = format!("/processes/{pid}/moderation");
    let title = cx.t(Msg::ModerationQueueTitle);
    let subject_title = |subject: Subject| match subject {
        Subject::Draft(id) => q
            .drafts
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.title.clone())
            .unwrap_or_default(),
        Subject::Project { project, .. } => q
            .projects
            .iter()
            .find(|p| p.id == project)
            .map(|p| {
                p.title
                    .pick(cx.lang.code(), &q.process.fields.languages)
                    .text
            })
            .unwrap_or_default(),
    };
    let items = q
        .waiting
        .iter()
        .map(|c| {
            let key = c.id.to_string();
            let open_appeal = c.appeal.as_ref().filter(|a| a.upheld.is_none());
            let appeal = open_appeal.map(|a| {
                let (key, action) = (key.clone(), action.clone());
                let mine = a.hidden_by == Some(q.viewer);
                let theirs = c.author == q.viewer;
                view! {
                    <div class="appeal">
                        <p>{t(Msg::ModerationAppealByAuthor { statement: a.statement.clone() })}</p>
                        {if theirs {
                            ().into_any()
                        } else if mine {
                            view! { <p class="hint">{t(Msg::ErrorAppealSameModerator)}</p> }.into_any()
                        } else {
                            view! {
                                <ErrorSummary intent="appeal_decision" key=key.clone() />
                                <PostForm action=action.clone() intent="appeal_decision" key=key.clone()>
                                    <input type="hidden" name="comment" value=key.clone() />
                                    <Select name="outcome".into() label=t(Msg::ModerationDecision) options=vec![("upheld".into(), t(Msg::ModerationUphold)), ("rejected".into(), t(Msg::ModerationReject))] />
                                    <TextField name="note".into() label=t(Msg::ModerationNote) hint=t(Msg::ModerationNoteHint) />
                                    <button type="submit">{t(Msg::ModerationDecide)}</button>
                                </PostForm>
                            }.into_any()
                        }}
                    </div>
                }
            });
            // Nobody decides about themselves: their own comment, appeal or removal request goes
            // to another moderator or mediator.
            let own = c.author == q.viewer;
            let decide = (!own).then(|| decision_forms(pid, c)).flatten();
            let removals = (!own).then(|| removal_forms(pid, c));
            let own_note = own.then(|| view! { <p class="hint">{t(Msg::ModerationOwnComment)}</p> });
            let link = c.subject.thread_page(pid, c.thread);
            view! {
                <li class="queue-item" id=format!("queue-{}", c.id)>
                    <p class="byline">
                        <strong>{c.display_name.clone()}</strong> " · "
                        <span class="badge">{t(c.status.label())}</span> " · "
                        <a href=link>{t(Msg::ModerationOnDraft { draft: subject_title(c.subject) })}</a>
                    </p>
                    {c.passage.as_ref().map(|p| view! { <blockquote class="quote">{p.quote.clone()}</blockquote> })}
                    <div class="comment-body" inner_html=markdown::to_html(&c.body)></div>
                    {(c.reports > 0).then(|| reports_line(c))}
                    {c.pending_edit.as_ref().map(|edit| view! {
                        <div class="pending-edit">
                            <p class="hint">{t(Msg::ModerationEditProposed)}</p>
                            <div class="comment-body" inner_html=markdown::to_html(&edit.body)></div>
                        </div>
                    })}
                    {appeal}
                    {own_note}
                    {decide}
                    {removals}
                    {(!own).then(|| view! {
                    <details class="action">
                        <summary>{t(Msg::ModerationBarHeading)}</summary>
                        <ErrorSummary intent="bar" key=key.clone() />
                        <PostForm action=action.clone() intent="bar" key=key.clone()>
                            <input type="hidden" name="comment" value=key.clone() />
                            <Select name="reason".into() label=t(Msg::ModerationWhy) options=reason_options() />
                            <TextField name="note".into() label=t(Msg::ModerationNote) />
                            <TextField name="until".into() label=t(Msg::ModerationBarUntil) kind="date" required=true />
                            <button type="submit" class="secondary">{t(Msg::ModerationBar)}</button>
                        </PostForm>
                    </details>
                    })}
                </li>
            }
        })
        .collect_view();
    let bars = q
        .bars
        .iter()
        .map(|b| {
            let until = crate::domain::process::Day::from_unix_days((b.until - 1).div_euclid(86_400_000)).to_string();
            let (action, id) = (action.clone(), b.id.to_string());
            view! {
                <li>
                    {t(Msg::ModerationBarRow { name: b.person_name.clone(), until, reason: t(b.reason.label()) })}
                    <PostForm action=action intent="lift" key=id.clone() class="inline">
                        <input type="hidden" name="bar" value=id />
                        <button type="submit" class="secondary">{t(Msg::ModerationLift)}</button>
                    </PostForm>
                </li>
            }
        })
        .collect_view();
    let settings = q.may_edit_settings.then(|| {
        let modes = options(Moderation::ALL, Moderation::code, Moderation::label);
        view! {
            <section aria-labelledby="moderation-settings">
                <h2 id="moderation-settings">{t(Msg::ModerationSettings)}</h2>
                <ErrorSummary intent="settings" />
                <PostForm action=action.clone() intent="settings" class="narrow">
                    <Select name="mode".into() label=t(Msg::ModerationMode) options=modes selected=q.settings.mode.code().to_string() />
                    <TextField name="threshold".into() label=t(Msg::ModerationThreshold) kind="number" value=q.settings.report_threshold.to_string() required=true />
                    <button type="submit">{t(Msg::ModerationSaveSettings)}</button>
                </PostForm>
            </section>
        }
    });
    let empty = q.waiting.is_empty();
    let has_bars = !q.bars.is_empty();
    let back_title = q
        .process
        .fields
        .title
        .pick(cx.lang.code(), &q.process.fields.languages)
        .text;
    view! {
        <Page title=title>
            <p><a href=format!("/processes/{pid}")>{"← "}{back_title}</a>
               " · " <a href=format!("/processes/{pid}/moderation-log")>{t(Msg::ModerationLogTitle)}</a></p>
            <p>{t(Msg::ModerationQueueIntro)}</p>
            {if empty { view! { <p>{t(Msg::ModerationEmpty)}</p> }.into_any() } else { view! { <ol class="queue">{items}</ol> }.into_any() }}
            {has_bars.then(|| view! {
                <section aria-labelledby="bars"><h2 id="bars">{t(Msg::ModerationBars)}</h2><ul>{bars}</ul></section>
            })}
            {settings}
        </Page>
    }
}

/// `/processes/{id}/moderation-log`: every moderation decision, by role and reason.
#[component]
pub fn ModerationLogPage() -> impl IntoView {
    let process = param::<ProcessId>("id");
    load(
        move |cx| async move {
            let (process, entries) = api::comments::log(&cx, process?).await?;
            Ok((cx, process, entries))
        },
        |(cx, process, entries)| {
            let title = cx.t(Msg::ModerationLogTitle);
            let rows = entries
                .iter()
                .map(|e| log_row(&cx, process.id, e))
                .collect_view();
            let empty = entries.is_empty();
            view! {
                <Page title=title>
                    <p><a href=format!("/processes/{}", process.id)>{"← "}{process.fields.title.pick(cx.lang.code(), &process.fields.languages).text}</a></p>
                    <p>{t(Msg::ModerationLogIntro)}</p>
                    {if empty {
                        view! { <p>{t(Msg::ModerationLogEmpty)}</p> }.into_any()
                    } else {
                        view! {
                            <table class="moderation-log">
                                <thead><tr>
                                    <th scope="col">{t(Msg::ModerationWhen)}</th>
                                    <th scope="col">{t(Msg::ModerationWhat)}</th>
                                    <th scope="col">{t(Msg::ModerationSubject)}</th>
                                    <th scope="col">{t(Msg::ModerationBy)}</th>
                                    <th scope="col">{t(Msg::ModerationWhy)}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    }}
                </Page>
            }
        },
    )
}

fn log_row(_cx: &RequestContext, process: ProcessId, e: &ModerationEntry) -> impl IntoView + use<> {
    let subject = match (e.comment, e.subject) {
        (Some(comment), Some(subject)) => view! {
            <a href=format!("{}#comment-{comment}", subject.page(process))>{t(Msg::ModerationCommentRef { id: comment.to_string() })}</a>
        }
        .into_any(),
        _ => view! { <span>{t(Msg::ModerationAPerson)}</span> }.into_any(),
    };
    view! {
        <tr>
            <td><time datetime=format_time(e.at)>{format_time(e.at)}</time></td>
            <td>{t(e.action.label())}</td>
            <td>{subject}</td>
            <td>{t(e.actor_role.label())}</td>
            <td>{t(e.reason.label())}</td>
        </tr>
    }
}
