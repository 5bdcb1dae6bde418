//! The `POST` handler of every form. Each is thin: read the form, run one use case from
//! `app::api`, and answer through [`crate::web::submit`].

use crate::form_body::Submitted;
use crate::limits::client_of;
use crate::state::AppState;
use crate::web::{
    Done, context, cookie, fail, local_path, render_once, sign_in_session, submit, succeed,
};
use app::api;
use app::domain::comments::Status;
use app::domain::throttle::DEVICE_COOKIE;
use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::ids::{OrgId, ProcessId};
use app::model::Subject;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tower_sessions::Session;

fn unknown_intent() -> AppError {
    AppError::invalid("intent", Msg::ErrorBadForm)
}

/// `POST /auth/login`: signs in, renewing the session id so a planted id cannot be reused.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    let form = match form.0 {
        Ok(form) => form,
        Err(refused) => return fail(&state, cx, refused.kept, refused.error, &parts).await,
    };
    let client = client_of(&state, &parts);
    let device = cookie(&parts.headers, DEVICE_COOKIE);
    match api::account::sign_in(&cx, &form, &client, device.as_deref()).await {
        Ok(signed_in) => {
            let person = signed_in.person;
            if let Err(error) = sign_in_session(&session, person).await {
                return fail(&state, cx, form, error, &parts).await;
            }
            tracing::info!(person = person.0, "signed in");
            let mut response = succeed(
                &session,
                Done::to(local_path(form.text("next")), Msg::NoticeSignedIn),
            )
            .await;
            response.headers_mut().append(
                header::SET_COOKIE,
                device_cookie(&state, &signed_in.device_cookie),
            );
            response
        }
        Err(error) => fail(&state, cx, form, error, &parts).await,
    }
}

/// `POST /auth/signup`: creates an account and signs the new person in.
pub async fn signup(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    let form = match form.0 {
        Ok(form) => form,
        Err(refused) => return fail(&state, cx, refused.kept, refused.error, &parts).await,
    };
    match api::account::sign_up(&cx, &form, &client_of(&state, &parts)).await {
        Ok(person) => {
            if let Err(error) = sign_in_session(&session, person).await {
                return fail(&state, cx, form, error, &parts).await;
            }
            let lang = Lang::from_tag(form.text("language"));
            let email =
                app::domain::account::normalize_email(form.text("email")).unwrap_or_default();
            succeed(
                &session,
                Done {
                    to: "/".into(),
                    notice: Msg::NoticeAccountCreatedCheck { email },
                    lang,
                },
            )
            .await
        }
        Err(error) => fail(&state, cx, form, error, &parts).await,
    }
}

/// `POST /auth/logout`: ends the session (deleting it from the database).
pub async fn logout(session: Session) -> Response {
    if let Err(error) = session.flush().await {
        tracing::warn!(%error, "could not delete a session");
    }
    succeed(&session, Done::to("/", Msg::NoticeSignedOut)).await
}

/// `POST /language`: remembers the interface language (and saves it to the account).
pub async fn language(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        let lang = form.choice("language", Lang::from_tag)?;
        if let Some(viewer) = &cx.viewer {
            cx.store
                .update_profile(viewer.id, &viewer.display_name, lang.code())
                .await?;
        }
        Ok(Done {
            to: local_path(form.text("return_to")),
            notice: Msg::NoticeLanguageChanged,
            lang: Some(lang),
        })
    })
    .await
}

/// The device cookie ([`DEVICE_COOKIE`]): a year, sent only to this site, unreadable by scripts.
fn device_cookie(state: &AppState, value: &str) -> HeaderValue {
    let secure = state
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"));
    let max_age = app::domain::throttle::DEVICE_TRUST_MS / 1000;
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("baraza_device=; Path=/"))
}

/// `POST /account`: profile (`intent=profile`), password (`intent=password`), a new link to
/// confirm the address (`intent=resend_verification`), or a new address (`intent=email`, with
/// `email` and `current_password`).
pub async fn account(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let this_session = session.clone();
    let parts_headers = parts.headers.clone();
    submit(state, session, parts, form, |cx, form| async move {
        let session = this_session;
        match form.text("intent") {
            "profile" => {
                api::account::update_profile(&cx, &form).await?;
                Ok(Done {
                    to: "/account".into(),
                    notice: Msg::NoticeSaved,
                    lang: Lang::from_tag(form.text("language")),
                })
            }
            "password" => {
                let device = cookie(&parts_headers, DEVICE_COOKIE);
                api::account::change_password(&cx, &form, device.as_deref()).await?;
                // Whoever else held a session (a stolen one, a forgotten device) is signed out, and
                // this session gets a new id.
                let person = cx.viewer()?.id;
                session.cycle_id().await.map_err(|_| AppError::Internal)?;
                let keep = session.id().map(|id| id.to_string()).unwrap_or_default();
                cx.store.sessions_end_others(person, &keep).await?;
                Ok(Done::to("/account", Msg::NoticePasswordChanged))
            }
            "resend_verification" => {
                let email = api::email_verification::resend(&cx).await?;
                Ok(Done::to("/account", Msg::NoticeVerificationSent { email }))
            }
            "email" => {
                let email = api::email_verification::change(&cx, &form).await?;
                Ok(Done::to("/account", Msg::NoticeEmailChangeSent { email }))
            }
            _ => Err(unknown_intent()),
        }
    })
    .await
}

/// `POST /organisations/new`: registers an organisation.
pub async fn register_organisation(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        let id = api::organisations::register(&cx, &form).await?;
        Ok(Done::to(
            format!("/organisations/{id}"),
            Msg::NoticeOrganisationRegistered,
        ))
    })
    .await
}

/// `POST /organisations/{id}`: verify (`intent=verify`), withdraw the verification
/// (`intent=withdraw`, `reason`), confirm a member (`intent=confirm`, `person`) or add/remove a
/// member (`intent=member`, `email` or `remove`).
pub async fn organisation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let id = OrgId(id);
    submit(state, session, parts, form, |cx, form| async move {
        match form.text("intent") {
            "verify" => api::organisations::verify(&cx, id).await?,
            "withdraw" => api::organisations::withdraw_verification(&cx, id, &form).await?,
            "confirm" => api::organisations::confirm_member(&cx, id, &form).await?,
            "member" => api::organisations::set_member(&cx, id, &form).await?,
            _ => return Err(unknown_intent()),
        }
        Ok(Done::to(format!("/organisations/{id}"), Msg::NoticeSaved))
    })
    .await
}

/// `POST /admin`: grant or withdraw site administration (`intent=admin`).
pub async fn admin(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        match form.text("intent") {
            "admin" => api::admin::set_admin(&cx, &form).await?,
            _ => return Err(unknown_intent()),
        }
        Ok(Done::to("/admin", Msg::NoticeSaved))
    })
    .await
}

/// `POST /admin/processes/new`: opens a process.
pub async fn new_process(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        let id = api::processes::create(&cx, &form).await?;
        Ok(Done::to(
            format!("/processes/{id}"),
            Msg::NoticeProcessCreated,
        ))
    })
    .await
}

/// `POST /admin/processes/{id}`: details, organisation roles, personal roles.
pub async fn edit_process(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let id = ProcessId(id);
    submit(state, session, parts, form, |cx, form| async move {
        match form.text("intent") {
            "details" => api::processes::update(&cx, id, &form).await?,
            "org_role" => api::processes::set_org_role(&cx, id, &form).await?,
            "person_role" => api::processes::set_person_role(&cx, id, &form).await?,
            "voting_rule" => api::decisions::set_voting_rule(&cx, id, &form).await?,
            _ => return Err(unknown_intent()),
        }
        Ok(Done::to(format!("/admin/processes/{id}"), Msg::NoticeSaved))
    })
    .await
}

/// `POST /processes/{id}/drafts/{draft}`: name a version (`intent=version`), lock or unlock
/// (`intent=lock`, `locked=true|false`); comments: `comment`, `reply`, `edit`, `withdraw`,
/// `report`, `appeal`, `remove_request` (ask for an earlier version to be removed).
pub async fn draft(
    State(state): State<AppState>,
    Path((id, draft)): Path<(i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let (process, draft) = (ProcessId(id), app::ids::DraftId(draft));
    submit(state, session, parts, form, move |cx, form| async move {
        on_draft(cx, process, draft, form).await
    })
    .await
}

/// `POST /processes/{id}/drafts/{draft}/threads/{thread}`: the comment forms of a thread's page
/// (the same intents as the draft page; a failed submission comes back to the thread's page,
/// because the page shown again is the one at the request's path).
pub async fn thread(
    state: State<AppState>,
    Path((id, draft, _thread)): Path<(i64, i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    self::draft(state, Path((id, draft)), session, parts, form).await
}

/// What a form about a draft asks for.
async fn on_draft(
    cx: app::ssr::RequestContext,
    process: ProcessId,
    draft: app::ids::DraftId,
    form: app::api::form::Form,
) -> Result<Done, AppError> {
    let subject = Subject::Draft(draft);
    api::comments::process_of(&cx, Some(process), subject).await?;
    if let Some(done) = on_comment(&cx, process, subject, &form).await? {
        return Ok(done);
    }
    let notice = match form.text("intent") {
        "version" => {
            api::drafts::name_version(&cx, process, draft, &form).await?;
            Msg::NoticeVersionNamed
        }
        "lock" => {
            api::drafts::lock(&cx, process, draft, form.text("locked") == "true").await?;
            Msg::NoticeSaved
        }
        _ => return Err(unknown_intent()),
    };
    Ok(Done::to(subject.page(process), notice))
}

/// A comment form on the page of a draft or a project whose address [`api::comments::process_of`]
/// has checked (`comment`, `reply`, `edit`, `withdraw`, `report`, `appeal`, `remove_request`);
/// `None` for another intent. Each comes back to the comment it was about.
async fn on_comment(
    cx: &app::ssr::RequestContext,
    process: ProcessId,
    subject: Subject,
    form: &app::api::form::Form,
) -> Result<Option<Done>, AppError> {
    let notice = match form.text("intent") {
        "comment" | "reply" => {
            let comment = api::comments::post(cx, subject, form).await?;
            let notice = match comment.status {
                Status::Pending => Msg::NoticeCommentPending,
                _ => Msg::NoticeCommentPosted,
            };
            // Back to the new comment, in its thread.
            return Ok(Some(Done::to(
                format!("{}#comment-{}", subject.page(process), comment.id),
                notice,
            )));
        }
        "edit" => {
            let edited = api::comments::edit(cx, subject, form).await?;
            if edited.pending_edit.is_some() {
                Msg::NoticeEditPending
            } else {
                Msg::NoticeCommentEdited
            }
        }
        "remove_request" => {
            api::comments::request_removal(cx, subject, form).await?;
            Msg::NoticeRemovalRequested
        }
        "withdraw" => {
            api::comments::withdraw(cx, subject, form).await?;
            Msg::NoticeCommentWithdrawn
        }
        "report" => {
            api::comments::report(cx, subject, form).await?;
            Msg::NoticeCommentReported
        }
        "appeal" => {
            api::comments::appeal(cx, subject, form).await?;
            Msg::NoticeAppealSent
        }
        _ => return Ok(None),
    };
    let anchor = match form.text("comment").parse::<i64>() {
        Ok(id) => format!("#comment-{id}"),
        Err(_) => String::new(),
    };
    Ok(Some(Done::to(
        format!("{}{anchor}", subject.page(process)),
        notice,
    )))
}

/// `POST /processes/{id}/moderation`: the moderation queue (`intent=moderate`,
/// `appeal_decision`, `edit_decision`, `removal_decision`, `bar`, `lift`, `settings`).
pub async fn moderation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let id = ProcessId(id);
    submit(state, session, parts, form, |cx, form| async move {
        match form.text("intent") {
            "moderate" => api::comments::moderate(&cx, id, &form).await?,
            "appeal_decision" => api::comments::decide_appeal(&cx, id, &form).await?,
            "edit_decision" => api::comments::decide_edit(&cx, id, &form).await?,
            "removal_decision" => api::comments::decide_removal(&cx, id, &form).await?,
            "bar" => api::comments::bar(&cx, id, &form).await?,
            "lift" => api::comments::lift_bar(&cx, id, &form).await?,
            "settings" => api::comments::settings(&cx, id, &form).await?,
            _ => return Err(unknown_intent()),
        }
        Ok(Done::to(
            format!("/processes/{id}/moderation"),
            Msg::NoticeModerated,
        ))
    })
    .await
}

/// `POST /processes/{id}/manage`: the mediator's tools (`intent=phase`, `rules`, `freeze` (with
/// `confirmed=yes`, see [`api::decisions::freeze`]) or `draft`, which may carry a Word document
/// to start from: `multipart/form-data`).
pub async fn manage_process(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    mut parts: Parts,
    form: Submitted,
) -> Response {
    let id = ProcessId(id);
    // The freeze form sits on the process page (council members have no manage page): its
    // confirmation step and any refusal are shown there.
    if form.0.as_ref().is_ok_and(|f| f.text("intent") == "freeze")
        && let Ok(page) = format!("/processes/{id}").parse()
    {
        parts.uri = page;
    }
    submit(state, session, parts, form, |cx, form| async move {
        match form.text("intent") {
            "phase" => api::processes::change_phase(&cx, id, &form).await?,
            "rules" => api::processes::edit_rules(&cx, id, &form).await?,
            "freeze" => {
                let decision = api::decisions::freeze(&cx, id, &form).await?;
                return Ok(Done::to(
                    format!("/processes/{id}/decisions/{decision}"),
                    Msg::NoticeDraftFrozen,
                ));
            }
            "draft" => {
                let draft = api::drafts::create(&cx, id, &form).await?;
                let notice = if form.file("document").is_some() {
                    Msg::NoticeDraftImported
                } else {
                    Msg::NoticeDraftCreated
                };
                return Ok(Done::to(format!("/processes/{id}/drafts/{draft}"), notice));
            }
            _ => return Err(unknown_intent()),
        }
        Ok(Done::to(format!("/processes/{id}"), Msg::NoticeSaved))
    })
    .await
}

/// `POST /processes/{id}/sittings/new`: schedules a sitting (mediators).
pub async fn schedule_sitting(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let process = ProcessId(id);
    submit(state, session, parts, form, move |cx, form| async move {
        let sitting = api::sittings::schedule(&cx, process, &form).await?;
        Ok(Done::to(
            format!("/processes/{process}/sittings/{sitting}"),
            Msg::NoticeSittingScheduled,
        ))
    })
    .await
}

/// `POST /processes/{id}/sittings/{sitting}`: accept the rules of engagement (`intent=rules`), or
/// a command to the live sitting (`intent=command`), the same forms the live window sends over its
/// websocket, for whoever has no JavaScript.
pub async fn sitting(
    State(state): State<AppState>,
    Path((id, sitting)): Path<(i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let (process, sitting) = (ProcessId(id), app::ids::SittingId(sitting));
    submit(state, session, parts, form, move |cx, form| async move {
        let back = match form.acting_for()? {
            Some(org) => format!("/processes/{process}/sittings/{sitting}?as={org}#room"),
            None => format!("/processes/{process}/sittings/{sitting}#room"),
        };
        match form.text("intent") {
            "rules" => {
                api::sittings::accept_rules(&cx, process, sitting, &form).await?;
                Ok(Done::to(back, Msg::NoticeRulesAccepted))
            }
            "command" => {
                let actor = api::sittings::commander(&cx, process, sitting, &form).await?;
                let command = api::sittings::command_from_form(&form).map_err(refused)?;
                api::sittings::command(
                    cx.store.as_ref(),
                    cx.live.as_ref(),
                    sitting,
                    actor,
                    command,
                    cx.now,
                )
                .await?
                .map_err(refused)?;
                Ok(Done::to(back, Msg::NoticeSaved))
            }
            _ => Err(unknown_intent()),
        }
    })
    .await
}

/// A refused sitting command as an error: who may not act is told so (403); anything else is
/// the form's fault (400), and what was typed is shown again.
fn refused(refusal: app::domain::sitting::Refusal) -> AppError {
    use app::domain::sitting::Refusal;
    match refusal {
        Refusal::ChairOnly | Refusal::SpeakersOnly | Refusal::SignInFirst => {
            AppError::Forbidden(refusal.message())
        }
        _ => AppError::invalid("do", refusal.message()),
    }
}

/// `POST /processes/{id}/decisions/{decision}`: answer threads (`intent=answer`; `replace=yes`
/// to replace answers already given), vote (`vote`), publish (`publish`, with `confirmed=yes`),
/// post an implementation update (`follow_up`).
pub async fn decision(
    State(state): State<AppState>,
    Path((id, decision)): Path<(i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    let (process, decision) = (ProcessId(id), app::ids::DecisionId(decision));
    submit(state, session, parts, form, move |cx, form| async move {
        let back = format!("/processes/{process}/decisions/{decision}");
        let notice = match form.text("intent") {
            "answer" => {
                api::decisions::answer(&cx, process, decision, &form).await?;
                Msg::NoticeAnswerRecorded
            }
            "vote" => {
                api::decisions::vote(&cx, process, decision, &form).await?;
                Msg::NoticeVoteCast
            }
            "publish" => {
                api::decisions::publish(&cx, process, decision, &form).await?;
                Msg::NoticeDecisionPublished
            }
            "follow_up" => {
                api::decisions::follow_up(&cx, process, decision, &form).await?;
                Msg::NoticeUpdatePosted
            }
            _ => return Err(unknown_intent()),
        };
        let anchor = match form.text("intent") {
            "answer" => "#answers",
            "vote" => "#vote",
            "follow_up" => "#follow-up",
            _ => "",
        };
        Ok(Done::to(format!("{back}{anchor}"), notice))
    })
    .await
}

/// `POST /budgets/{id}/vote`: check a ballot (`intent=check`), cast it (`intent=cast`), or check
/// the signed-in person against the census (`intent=census_check`, which redirects as usual). A
/// checked or cast ballot is answered with the page itself (200), never a redirect: the receipt
/// is shown once, in this response, and stored nowhere, not even in the session, which would tie
/// it to the voter's browser.
pub async fn vote(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    Submitted(form): Submitted,
) -> Response {
    if let Ok(form) = &form
        && form.text("intent") == "census_check"
    {
        let form = Submitted(Ok(form.clone()));
        return submit(state, session, parts, form, move |cx, form| async move {
            let area = api::ballots::census_check(&cx, id, &form).await?;
            Ok(Done::to(
                format!("/budgets/{id}/vote?area={area}"),
                Msg::BallotPageCensusFound,
            ))
        })
        .await;
    }
    let cx = context(&state, &session, &parts.headers, &parts.uri).await;
    let form = match form {
        Ok(form) => form,
        Err(refused) => return fail(&state, cx, refused.kept, refused.error, &parts).await,
    };
    let answer = match form.text("intent") {
        "check" => api::ballots::check(&cx, id, &form).await,
        "cast" => api::ballots::cast(&cx, id, &form, &client_of(&state, &parts)).await,
        _ => Err(unknown_intent()),
    };
    match answer {
        Ok(answer) => render_once(&state, cx, &parts.uri, &parts.headers, answer).await,
        Err(error) => fail(&state, cx, form, error, &parts).await,
    }
}

/// `POST /budgets/{id}/eligibility`: replace an area's census list (`intent=census`), or print
/// voting codes (`intent=codes`), answered with the sheet of codes itself (200, stored nowhere:
/// the response is the only copy there is).
pub async fn eligibility(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    Submitted(form): Submitted,
) -> Response {
    if let Ok(form) = &form
        && form.text("intent") == "codes"
    {
        let cx = context(&state, &session, &parts.headers, &parts.uri).await;
        return match api::ballots::print_codes(&cx, id, form, site_address(&state, &parts)).await {
            Ok(sheet) => render_once(&state, cx, &parts.uri, &parts.headers, sheet).await,
            Err(error) => fail(&state, cx, form.clone(), error, &parts).await,
        };
    }
    submit(
        state,
        session,
        parts,
        Submitted(form),
        move |cx, form| async move {
            match form.text("intent") {
                "census" => {
                    let count = api::ballots::upload_census(&cx, id, &form).await?;
                    Ok(Done::to(
                        format!("/budgets/{id}/eligibility"),
                        Msg::EligibilityCensusSaved {
                            count: count.to_string(),
                        },
                    ))
                }
                _ => Err(unknown_intent()),
            }
        },
    )
    .await
}

/// The site's address as printed on a voting card: `--public-url` without its scheme, else the
/// address the request was sent to.
fn site_address(state: &AppState, parts: &Parts) -> String {
    let address = state.public_origin.clone().unwrap_or_else(|| {
        parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string()
    });
    address
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// `POST /budgets/new`: opens a budget in a process with its first area.
pub async fn new_budget(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, |cx, form| async move {
        let id = api::budgets::create(&cx, &form).await?;
        Ok(Done::to(
            format!("/budgets/{id}"),
            Msg::BudgetsNoticeCreated,
        ))
    })
    .await
}

/// `POST /budgets/{id}/propose`: proposes a project (`intent=propose`) or records one collected
/// on paper (`intent=paper`, officers); then shows the new project.
pub async fn propose(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, move |cx, form| async move {
        let notice = match form.text("intent") {
            "propose" => Msg::BudgetsNoticeProposed,
            "paper" => Msg::BudgetsNoticePaper,
            _ => return Err(unknown_intent()),
        };
        let project = api::budgets::propose(&cx, id, &form).await?;
        Ok(Done::to(
            format!("/budgets/{id}/projects/{project}"),
            notice,
        ))
    })
    .await
}

/// `POST /budgets/{id}/projects/{project}`: a reviewer's finding (`intent=review`), an
/// implementation report (`intent=update`), or a comment form (the same intents as a draft's).
pub async fn budget_project(
    State(state): State<AppState>,
    Path((id, project)): Path<(i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, move |cx, form| async move {
        let subject = Subject::Project {
            budget: id,
            project,
        };
        let process = api::comments::process_of(&cx, None, subject).await?;
        if let Some(done) = on_comment(&cx, process, subject, &form).await? {
            return Ok(done);
        }
        let back = subject.page(process);
        match form.text("intent") {
            "review" => {
                api::budgets::review(&cx, id, project, &form).await?;
                Ok(Done::to(
                    format!("{back}#review"),
                    Msg::BudgetsNoticeReviewed,
                ))
            }
            "update" => {
                api::budgets::update(&cx, id, project, &form).await?;
                Ok(Done::to(format!("{back}#updates"), Msg::NoticeUpdatePosted))
            }
            _ => Err(unknown_intent()),
        }
    })
    .await
}

/// `POST /budgets/{id}/projects/{project}/threads/{thread}`: the comment forms of a project
/// thread's page (a failed submission comes back to the thread's page).
pub async fn project_thread(
    state: State<AppState>,
    Path((id, project, _thread)): Path<(i64, i64, i64)>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    budget_project(state, Path((id, project)), session, parts, form).await
}

/// `POST /budgets/{id}/manage`: add or change an area (`intent=area`), name or remove staff
/// (`intent=staff`), or move to the next phase (`intent=advance`, with `confirmed=yes`).
pub async fn manage_budget(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
    parts: Parts,
    form: Submitted,
) -> Response {
    submit(state, session, parts, form, move |cx, form| async move {
        let back = format!("/budgets/{id}/manage");
        match form.text("intent") {
            "area" => {
                api::budgets::save_area(&cx, id, &form).await?;
                Ok(Done::to(format!("{back}#areas"), Msg::NoticeSaved))
            }
            "staff" => {
                api::budgets::set_staff(&cx, id, &form).await?;
                Ok(Done::to(format!("{back}#staff"), Msg::NoticeSaved))
            }
            "advance" => {
                api::budgets::advance(&cx, id, &form).await?;
                Ok(Done::to(
                    format!("{back}#phase"),
                    Msg::BudgetsNoticeAdvanced,
                ))
            }
            _ => Err(unknown_intent()),
        }
    })
    .await
}
