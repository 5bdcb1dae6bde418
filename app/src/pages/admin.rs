//! Administration: the overview, and creating and editing processes.

use super::{load, param};
use crate::api;
use crate::components::form::{ErrorSummary, PostForm, Select, TextArea, TextField};
use crate::components::layout::{Page, t};
use crate::components::process::PhaseBadge;
use crate::components::text::Local;
use crate::domain::decision::{Majority, Quorum};
use crate::domain::process::Level;
use crate::domain::roles::{OrgRole, PersonalRole, Phase};
use crate::i18n::Msg;
use crate::ids::ProcessId;
use crate::model::{Organisation, Process, ProcessFields};
use crate::ssr::RequestContext;
use leptos::prelude::*;

/// `/admin`
#[component]
pub fn AdminPage() -> impl IntoView {
    load(
        |cx| async move { api::admin::overview(&cx).await.map(|o| (cx, o)) },
        |(cx, overview)| {
            let lang = cx.lang.code().to_string();
            let processes = overview
                .processes
                .iter()
                .map(|p| {
                    view! {
                        <tr>
                            <td><a href=format!("/admin/processes/{}", p.id)><Local shown=p.fields.title.pick(&lang, &p.fields.languages) /></a></td>
                            <td><PhaseBadge phase=p.phase /></td>
                        </tr>
                    }
                })
                .collect_view();
            let orgs = overview
                .organisations
                .iter()
                .map(|o| {
                    view! {
                        <tr>
                            <td><a href=format!("/organisations/{}", o.id)><Local shown=o.name.pick(&lang, &[]) /></a></td>
                            <td>{t(o.kind.label())}</td>
                            <td>{t(if o.verified_at.is_some() { Msg::OrgVerified } else { Msg::OrgUnverified })}</td>
                        </tr>
                    }
                })
                .collect_view();
            let viewer = cx.viewer.as_ref().map(|v| v.id);
            let people = overview
                .people
                .iter()
                .map(|p| {
                    let (id, make_admin) = (p.id.to_string(), (!p.site_admin).to_string());
                    let label = t(if p.site_admin {
                        Msg::AdminRevokeAdmin
                    } else {
                        Msg::AdminMakeAdmin
                    });
                    let toggle = (Some(p.id) != viewer).then(move || {
                        view! {
                            <PostForm action="/admin".to_string() intent="admin" class="inline">
                                <input type="hidden" name="person" value=id />
                                <input type="hidden" name="admin" value=make_admin />
                                <button type="submit" class="link">{label}</button>
                            </PostForm>
                        }
                    });
                    view! {
                        <tr>
                            <td>{p.display_name.clone()}</td>
                            <td>{p.email.clone()}</td>
                            <td>{p.site_admin.then(|| t(Msg::RoleSiteAdmin))}</td>
                            <td>{toggle}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <Page title=t(Msg::AdminTitle)>
                    <ErrorSummary intent="admin" />
                    <p><a href="/admin/outbox">{t(Msg::AdminOutboxLink)}</a></p>
                    <section>
                        <h2>{t(Msg::AdminProcesses)}</h2>
                        <p><a class="button" href="/admin/processes/new">{t(Msg::AdminNewProcess)}</a></p>
                        <table>
                            <caption class="visually-hidden">{t(Msg::AdminProcesses)}</caption>
                            <thead><tr><th scope="col">{t(Msg::FormTitle)}</th><th scope="col">{t(Msg::ProcessPhase)}</th></tr></thead>
                            <tbody>{processes}</tbody>
                        </table>
                    </section>
                    <section>
                        <h2>{t(Msg::AdminOrganisations)}</h2>
                        <table>
                            <caption class="visually-hidden">{t(Msg::AdminOrganisations)}</caption>
                            <thead><tr><th scope="col">{t(Msg::OrgName)}</th><th scope="col">{t(Msg::OrgKind)}</th><th scope="col">{t(Msg::OrgStatus)}</th></tr></thead>
                            <tbody>{orgs}</tbody>
                        </table>
                    </section>
                    <section>
                        <h2>{t(Msg::AdminPeople)}</h2>
                        <table>
                            <caption class="visually-hidden">{t(Msg::AdminPeople)}</caption>
                            <thead><tr><th scope="col">{t(Msg::AuthDisplayName)}</th><th scope="col">{t(Msg::AuthEmail)}</th><th scope="col">{t(Msg::AdminRole)}</th><th scope="col">{t(Msg::AdminActions)}</th></tr></thead>
                            <tbody>{people}</tbody>
                        </table>
                    </section>
                </Page>
            }
        },
    )
}

/// The process form, shared by "new" and "edit".
#[component]
fn ProcessForm(cx: RequestContext, action: String, fields: Option<ProcessFields>) -> impl IntoView {
    let languages: Vec<String> = cx
        .typed("languages")
        .map(|l| {
            l.split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .or_else(|| fields.as_ref().map(|f| f.languages.clone()))
        .unwrap_or_else(|| {
            crate::i18n::Lang::ALL
                .iter()
                .map(|l| l.code().to_string())
                .collect()
        });
    // Built inside the form (below), where its intent gives the fields their ids.
    let per_language = {
        let (languages, cx, fields) = (languages.clone(), cx.clone(), fields.clone());
        move || {
            let value = |pick: fn(&ProcessFields) -> &crate::domain::localized::Localized,
                         lang: &str| {
                fields
                    .as_ref()
                    .and_then(|f| pick(f).get(lang))
                    .unwrap_or_default()
                    .to_string()
            };
            languages
        .iter()
        .map(|lang| {
            let label = |field: Msg| cx.t(Msg::FormInLanguage { field: t(field), lang: lang.clone() });
            // The labels are interface text: only the inputs carry the content's language.
            let legend = crate::i18n::Lang::from_tag(lang)
                .filter(|l| l.code() == lang)
                .map(|l| l.native_name().to_string())
                .unwrap_or_else(|| lang.clone());
            view! {
                <fieldset>
                    <legend>{legend}</legend>
                    <TextField name=format!("title.{lang}") label=label(Msg::FormTitle) value=value(|f| &f.title, lang) lang=lang.clone() />
                    <TextArea name=format!("summary.{lang}") label=label(Msg::FormSummary) value=value(|f| &f.summary, lang) lang=lang.clone() hint=t(Msg::FormTextHint) />
                    <TextArea name=format!("rules.{lang}") label=label(Msg::ProcessRules) value=value(|f| &f.rules, lang) lang=lang.clone() />
                    <TextArea name=format!("who_decides.{lang}") label=label(Msg::HowWhoDecides) value=value(|f| &f.who_decides, lang) lang=lang.clone() rows=4 />
                    <TextArea name=format!("legal_basis.{lang}") label=label(Msg::HowLegalBasis) value=value(|f| &f.legal_basis, lang) lang=lang.clone() rows=4 />
                    <TextArea name=format!("input_outcome.{lang}") label=label(Msg::HowInputOutcome) value=value(|f| &f.input_outcome, lang) lang=lang.clone() rows=4 />
                </fieldset>
            }
        })
        .collect_view()
        }
    };
    let schedule = {
        let fields = fields.clone();
        move || {
            Phase::ALL
        .into_iter()
        .map(|phase| {
            let dates = fields.as_ref().and_then(|f| f.schedule.iter().find(|d| d.phase == phase).copied());
            view! {
                <fieldset class="dates">
                    <legend>{t(phase.label())}</legend>
                    <TextField name=format!("phase.{}.starts_on", phase.code()) label=t(Msg::FormStartsOn) kind="date" value=dates.map(|d| d.starts_on.to_string()).unwrap_or_default() />
                    <TextField name=format!("phase.{}.ends_on", phase.code()) label=t(Msg::FormEndsOn) kind="date" value=dates.map(|d| d.ends_on.to_string()).unwrap_or_default() />
                </fieldset>
            }
        })
        .collect_view()
        }
    };
    let levels = Level::ALL
        .into_iter()
        .map(|l| (l.code().to_string(), t(l.label())))
        .collect();
    view! {
        <ErrorSummary intent="details" />
        <PostForm action=action intent="details">
            <TextField name="languages".into() label=t(Msg::FormLanguages) hint=t(Msg::FormLanguagesHint) value=languages.join(", ") required=true />
            <Select name="level".into() label=t(Msg::FormLevel) options=levels selected=fields.as_ref().map(|f| f.level.code().to_string()).unwrap_or_default() />
            {per_language()}
            <h2>{t(Msg::ProcessTimeline)}</h2>
            {schedule()}
            <button type="submit">{t(Msg::FormSave)}</button>
        </PostForm>
    }
}

/// `/admin/processes/new`
#[component]
pub fn NewProcessPage() -> impl IntoView {
    load(
        |cx| async move {
            api::admin::require_admin(&cx).map(|_| ())?;
            Ok(cx)
        },
        |cx| {
            view! {
                <Page title=t(Msg::AdminNewProcess)>
                    <p>{t(Msg::AdminNewProcessIntro)}</p>
                    <ProcessForm cx=cx action="/admin/processes/new".to_string() fields=None />
                </Page>
            }
        },
    )
}

/// `/admin/processes/{id}`
#[component]
pub fn EditProcessPage() -> impl IntoView {
    let id = param::<ProcessId>("id");
    load(
        move |cx| async move {
            api::admin::require_admin(&cx)?;
            let page = api::processes::page(&cx, id?).await?;
            let orgs = api::organisations::list(&cx).await?;
            let rule = cx.store.voting_rule(page.process.id).await?;
            Ok((cx, page, orgs, rule))
        },
        |(cx, page, orgs, rule)| {
            let process: Process = page.process.clone();
            let action = format!("/admin/processes/{}", process.id);
            let lang = cx.lang.code().to_string();
            let title = process.fields.title.pick(&lang, &process.fields.languages);
            let verified: Vec<&Organisation> =
                orgs.iter().filter(|o| o.verified_at.is_some()).collect();
            let org_options: Vec<(String, String)> = verified
                .iter()
                .map(|o| (o.id.to_string(), o.name.pick(&lang, &[]).text))
                .collect();
            let org_roles: Vec<(String, String)> = OrgRole::ALL
                .into_iter()
                .map(|r| (r.code().to_string(), t(r.label())))
                .chain([("none".to_string(), t(Msg::AdminRemoveFromProcess))])
                .collect();
            let person_roles: Vec<(String, String)> = PersonalRole::ALL
                .into_iter()
                .map(|r| (r.role().code().to_string(), t(r.role().label())))
                .collect();
            let current_orgs = page
                .participants
                .organisations
                .iter()
                .map(|o| view! { <li><Local shown=o.org.name.pick(&lang, &[]) /> " — " {t(o.role.label())}</li> })
                .collect_view();
            let current_people = page
                .participants
                .people
                .iter()
                .map(|p| {
                    let (person, role) = (p.person.to_string(), p.role.role().code());
                    let label = cx.t(Msg::AdminWithdraw {
                        name: p.display_name.clone(),
                    });
                    view! {
                        <li>
                            {p.display_name.clone()} " — " {t(p.role.role().label())} " "
                            <PostForm action=action.clone() intent="person_role" class="inline">
                                <input type="hidden" name="person" value=person />
                                <input type="hidden" name="role" value=role />
                                <input type="hidden" name="assigned" value="false" />
                                <button type="submit" class="link">{label}</button>
                            </PostForm>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <Page title=cx.t(Msg::AdminEditProcessTitle { process: title.text.clone() })>
                    <p><a href=format!("/processes/{}", process.id)>{t(Msg::HowBackToProcess)}</a></p>
                    <section>
                        <h2>{t(Msg::AdminOrganisationsInProcess)}</h2>
                        <ul>{current_orgs}</ul>
                        <ErrorSummary intent="org_role" />
                        <PostForm action=action.clone() intent="org_role" class="narrow">
                            <Select name="org".into() label=t(Msg::OrgName) options=org_options hint=t(Msg::AdminOnlyVerified) />
                            <Select name="role".into() label=t(Msg::AdminRole) options=org_roles />
                            <button type="submit">{t(Msg::FormSave)}</button>
                        </PostForm>
                    </section>
                    <section>
                        <h2>{t(Msg::AdminPeopleInProcess)}</h2>
                        <ul>{current_people}</ul>
                        <ErrorSummary intent="person_role" />
                        <PostForm action=action.clone() intent="person_role" class="narrow">
                            <TextField name="email".into() label=t(Msg::AuthEmail) kind="email" required=true />
                            <Select name="role".into() label=t(Msg::AdminRole) options=person_roles />
                            <input type="hidden" name="assigned" value="true" />
                            <button type="submit">{t(Msg::AdminAssign)}</button>
                        </PostForm>
                    </section>
                    <section>
                        <h2>{t(Msg::AdminVotingRule)}</h2>
                        <p class="hint">{t(Msg::AdminVotingRuleHint)}</p>
                        <ErrorSummary intent="voting_rule" />
                        <PostForm action=action.clone() intent="voting_rule" class="narrow">
                            <Select name="quorum".into() label=t(Msg::AdminQuorum) selected=rule.quorum.code().to_string()
                                options=Quorum::ALL.iter().map(|q| (q.code().to_string(), t(q.label()))).collect() />
                            <Select name="majority".into() label=t(Msg::AdminMajority) selected=rule.majority.code().to_string()
                                options=Majority::ALL.iter().map(|m| (m.code().to_string(), t(m.label()))).collect() />
                            <button type="submit">{t(Msg::FormSave)}</button>
                        </PostForm>
                    </section>
                    <section>
                        <h2>{t(Msg::AdminDetails)}</h2>
                        <ProcessForm cx=cx.clone() action=action.clone() fields=Some(process.fields.clone()) />
                    </section>
                </Page>
            }
        },
    )
}
