//! A draft: the live text (the editor island for co-drafters, a live reading view for everyone
//! else, plain text without JavaScript), who wrote what, and its named versions.

use super::{load, param};
use crate::api;
use crate::api::comments::Place;
use crate::api::drafts::{DraftPage as PageData, Share};
use crate::components::draft_editor::{DraftEditor, EditorText, ToolbarButton};
use crate::components::form::{ErrorSummary, PostForm, TextField};
use crate::components::layout::{Page, t};
use crate::components::text::Local;
use crate::domain::roles::Action;
use crate::i18n::Msg;
use crate::ids::{DraftId, ProcessId};
use crate::pages::process::format_time;
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The words the editor island shows, in the reader's language.
pub fn editor_text(cx: &RequestContext) -> EditorText {
    editor_text_for(cx, true)
}

/// The editor's words when the text may (`changing`) or may not change now: a reader is told
/// "others' changes appear as they type" only while someone can type.
pub fn editor_text_for(cx: &RequestContext, changing: bool) -> EditorText {
    EditorText {
        label: cx.t(Msg::DraftEditorLabel),
        connecting: cx.t(Msg::DraftConnecting),
        connecting_editor: cx.t(Msg::DraftConnectingEditor),
        connected: cx.t(Msg::DraftConnected),
        offline: cx.t(Msg::DraftOffline),
        read_only: cx.t(if changing {
            Msg::DraftReadOnlyLive
        } else {
            Msg::DraftReadOnlyStill
        }),
        present: cx.t(Msg::DraftPresent),
        you: cx.t(Msg::DraftYou),
        no_script: cx.t(Msg::DraftNeedsScript),
        marker: cx.t(Msg::CommentMarker { n: "{n}".into() }),
        thread_updated: cx.t(Msg::CommentLiveHint),
        toolbar: cx.t(Msg::EditorToolbar),
        buttons: toolbar_buttons(cx),
        link_prompt: cx.t(Msg::EditorLinkPrompt),
        outline: cx.t(Msg::DraftContents),
        words: cx.t(Msg::EditorWords { n: "{n}".into() }),
        comment_block: cx.t(Msg::CommentOnParagraph),
        comment_selection: cx.t(Msg::CommentOnSelection),
        colour_by_writer: cx.t(Msg::DraftColourByWriter),
        individuals: cx.t(Msg::DraftIndividuals),
        threads_here: cx.t(Msg::CommentThreadsHere { n: "{n}".into() }),
    }
}

/// The editor's toolbar: each button a Quill format (or our undo and redo), in the reader's
/// language, with its keyboard shortcut in its description.
fn toolbar_buttons(cx: &RequestContext) -> Vec<ToolbarButton> {
    let button = |format: &str, value: Option<&str>, label: Msg, description: Msg| ToolbarButton {
        format: format.into(),
        value: value.map(str::to_string),
        label: cx.t(label),
        description: cx.t(description),
    };
    vec![
        button(
            "header",
            Some("1"),
            Msg::EditorChapter,
            Msg::EditorChapterHint,
        ),
        button(
            "header",
            Some("2"),
            Msg::EditorSection,
            Msg::EditorSectionHint,
        ),
        button("article", None, Msg::EditorArticle, Msg::EditorArticleHint),
        button(
            "list",
            Some("bullet"),
            Msg::EditorBullets,
            Msg::EditorBulletsHint,
        ),
        button(
            "list",
            Some("ordered"),
            Msg::EditorNumbers,
            Msg::EditorNumbersHint,
        ),
        button("blockquote", None, Msg::EditorQuote, Msg::EditorQuoteHint),
        button("bold", None, Msg::EditorBold, Msg::EditorBoldHint),
        button("italic", None, Msg::EditorItalic, Msg::EditorItalicHint),
        button("link", None, Msg::EditorLink, Msg::EditorLinkHint),
        button("undo", None, Msg::EditorUndo, Msg::EditorUndoHint),
        button("redo", None, Msg::EditorRedo, Msg::EditorRedoHint),
    ]
}

/// The editor's scripts and its stylesheet (Quill and our glue, `frontend/editor`), on pages where
/// this person may write: readers never download them. `defer` runs them, in order, before the
/// WebAssembly that drives them has loaded.
pub fn editor_assets() -> impl IntoView {
    view! {
        <link rel="stylesheet" href=crate::assets::asset("quill.css") />
        <script src=crate::assets::asset("quill.js") defer></script>
        <script src=crate::assets::asset("editor.js") defer></script>
    }
}

/// `/processes/{id}/drafts/{draft}`
#[component]
pub fn DraftPage() -> impl IntoView {
    let (process, draft) = (param::<ProcessId>("id"), param::<DraftId>("draft"));
    let chosen = use_query_map()
        .read_untracked()
        .get("as")
        .and_then(|v| v.parse::<crate::ids::OrgId>().ok());
    load(
        move |cx| async move {
            let page = api::drafts::page(&cx, process?, draft?, chosen).await?;
            Ok((cx, page))
        },
        |(cx, page)| draft_view(cx, page),
    )
}

fn draft_view(cx: RequestContext, page: PageData) -> impl IntoView {
    let lang = cx.lang.code().to_string();
    let process_title = page
        .process
        .fields
        .title
        .pick(&lang, &page.process.fields.languages);
    let draft = page.draft.clone();
    let (pid, did) = (page.process.id, draft.id);
    let action = format!("/processes/{pid}/drafts/{did}");
    let writing_as = match &page.write {
        Ok(Some(org)) => {
            let name = page
                .acting_options
                .iter()
                .find(|o| o.id == *org)
                .map(|o| o.name.pick(&lang, &[]).text);
            cx.t(Msg::DraftWritingFor {
                org: name.unwrap_or_default(),
            })
        }
        Ok(None) => cx.t(Msg::DraftWritingAsYourself),
        // A co-drafter outside the drafting phase: why they cannot write, and what they can do.
        Err(Msg::ErrorNotAllowedInPhase) if !page.standing.co_drafting_orgs.is_empty() => {
            let phase = cx.t(page.process.phase.label());
            if page.discussion.may_comment.is_ok() {
                cx.t(Msg::DraftClosedCanComment { phase })
            } else {
                cx.t(Msg::DraftClosedFollow { phase })
            }
        }
        Err(reason) => cx.t(reason.clone()),
    };
    // Whether anyone may change the text now (the phase allows co-drafting and it is not locked).
    let changing = crate::domain::roles::permits(
        crate::domain::roles::Role::CoDrafter,
        Action::EditDraft,
        page.process.phase,
    ) && draft.locked_at.is_none();
    let writable = page.write.is_ok();
    let writing_for = page.write.clone().ok().flatten();
    // Someone in several co-drafting organisations chooses which one they write for (a plain GET
    // form: the page reloads, and the editor connects as that organisation).
    let co_drafting: Vec<_> = page
        .acting_options
        .iter()
        .filter(|o| page.standing.co_drafting_orgs.contains(&o.id))
        .cloned()
        .collect();
    let choose = (writable && co_drafting.len() > 1).then(|| {
        let options = co_drafting
            .iter()
            .map(|o| {
                let selected = Some(o.id) == writing_for;
                view! { <option value=o.id.to_string() selected=selected>{o.name.pick(&lang, &[]).text}</option> }
            })
            .collect_view();
        view! {
            <form method="get" action=action.clone() class="compare-form">
                <label for="writing-for">{t(Msg::FormActingAs)}</label>
                <select id="writing-for" name="as">{options}</select>
                <button type="submit" class="secondary">{t(Msg::NavLanguageApply)}</button>
            </form>
        }
    });
    // Where each commented passage is now, for the highlights the page is served with.
    let marks: Vec<(i64, u32, u32)> = page
        .discussion
        .threads
        .iter()
        .filter(|t| t.highlight(&page.discussion).is_some())
        .filter_map(|t| match t.place {
            Some(Place::At { start, end }) => Some((t.id.0, start, end)),
            _ => None,
        })
        .collect();
    let editor = view! {
        <DraftEditor
            process=pid.0
            marks=marks
            draft=did.0
            acting_for=writing_for.map(|o| o.0)
            writable=writable
            may_comment=page.discussion.may_comment.is_ok()
            runs=page.live.runs.clone()
            lang=draft.language.clone()
            words=editor_text_for(&cx, changing)
        />
    };
    let can_version = writable && page.may(Action::EditDraft);
    let can_lock = page.may(Action::LockDraft);
    let locked = draft.locked_at.is_some();
    let authors = attribution(&cx, &page);
    let versions = versions(&cx, &page);
    let discussion = crate::pages::comments::discussion_view(&cx, &page.discussion);
    let others = (!page.others.is_empty()).then(|| {
        let links = page
            .others
            .iter()
            .enumerate()
            .map(|(i, other)| {
                let language = crate::i18n::Lang::from_tag(&other.language)
                    .map(|l| l.native_name().to_string())
                    .unwrap_or_else(|| other.language.clone());
                let separator = (i > 0).then(|| t(Msg::LayoutListSeparator));
                view! {
                    {separator}
                    <a href=format!("/processes/{pid}/drafts/{}", other.id) hreflang=other.language.clone() lang=other.language.clone()>{other.title.clone()}</a>
                    " (" {language} ")"
                }
            })
            .collect_view();
        view! { <p class="other-drafts">{t(Msg::DraftOthers)} " " {links}</p> }
    });
    view! {
        <Page title=draft.title.clone() no_heading=true>
            <p>
                <a href=format!("/processes/{pid}")>"← " <Local shown=process_title /></a>
            </p>
            <article class="draft">
                <h1 lang=draft.language.clone()>{draft.title.clone()}</h1>
                <p class="meta">
                    {t(Msg::DraftLabel)}
                    {locked.then(|| view! { " " <span class="badge warning">{t(Msg::DraftLockedBadge)}</span> })}
                </p>
                {(!draft.summary.is_empty()).then(|| view! { <p class="lead" lang=draft.language.clone()>{draft.summary.clone()}</p> })}
                <crate::components::follow::FollowControl subject=crate::domain::notice::FollowSubject::Draft id=draft.id.0 />
                {others}
                {page.decision.map(|d| view! {
                    <p class="frozen-notice" role="note">
                        {t(Msg::DraftFrozenNotice)} " "
                        <a href=crate::pages::decisions::decision_path(pid, d)>{t(Msg::DraftFrozenLink)}</a>
                    </p>
                })}
                <p class="your-part">{writing_as}</p>
                {choose}
                {writable.then(editor_assets)}
                {editor}
            </article>
            {discussion}
            {authors}
            {versions}
            {can_version.then(|| view! {
                <section aria-labelledby="name-version">
                    <h2 id="name-version">{t(Msg::DraftNameVersion)}</h2>
                    <ErrorSummary intent="version" />
                    <PostForm action=action.clone() intent="version" class="narrow">
                        <input type="hidden" name="acting_for" value=writing_for.map(|o| o.to_string()).unwrap_or_default() />
                        <TextField name="name".into() label=t(Msg::DraftVersionName) hint=t(Msg::DraftVersionNameHint) required=true />
                        <button type="submit">{t(Msg::DraftNameVersionButton)}</button>
                    </PostForm>
                </section>
            })}
            {can_lock.then(|| view! {
                <section aria-labelledby="lock">
                    <h2 id="lock">{t(Msg::DraftLockHeading)}</h2>
                    <ErrorSummary intent="lock" />
                    <PostForm action=action.clone() intent="lock">
                        <input type="hidden" name="locked" value=(!locked).to_string() />
                        <button type="submit" class="secondary">
                            {t(if locked { Msg::DraftUnlock } else { Msg::DraftLock })}
                        </button>
                    </PostForm>
                </section>
            })}
        </Page>
    }
}

fn org_label(cx: &RequestContext, share: &Share) -> (String, String) {
    match &share.org {
        Some(org) => (
            org.name.pick(cx.lang.code(), &[]).text,
            org.kind.stakeholder().code().to_string(),
        ),
        None => (cx.t(Msg::DraftIndividuals), "individual".to_string()),
    }
}

/// The text coloured by the stakeholder group that wrote each stretch, and each organisation's share.
fn attribution(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let total: usize = page
        .shares
        .iter()
        .map(|s| s.characters)
        .sum::<usize>()
        .max(1);
    let rows = page
        .shares
        .iter()
        .map(|share| {
            let (name, kind) = org_label(cx, share);
            let percent = format!("{:.0} %", share.characters as f64 * 100.0 / total as f64);
            view! {
                <tr>
                    <th scope="row"><span class=format!("swatch by-{kind}")></span> {name}</th>
                    <td>{share.characters}</td>
                    <td>{percent}</td>
                </tr>
            }
        })
        .collect_view();
    let stretches = page
        .live
        .stretches
        .iter()
        .map(|(text, author)| {
            let org = author
                .and_then(|a| a.acting_for)
                .and_then(|o| page.orgs.get(&o));
            let kind = crate::domain::org::group_code(org.map(|o| o.kind.stakeholder()));
            let name = org
                .map(|o| o.name.pick(cx.lang.code(), &[]).text)
                .unwrap_or_else(|| cx.t(Msg::DraftIndividuals));
            view! { <span class=format!("by-{kind}") title=name>{text.clone()}</span> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="authors" class="attribution">
            <h2 id="authors">{t(Msg::DraftWhoWrote)}</h2>
            <p>{t(Msg::DraftWhoWroteIntro)}</p>
            <table>
                <caption>{t(Msg::DraftShares)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::OrgName)}</th>
                        <th scope="col">{t(Msg::DraftCharacters)}</th>
                        <th scope="col">{t(Msg::DraftShare)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <details>
                <summary>{t(Msg::DraftShowAttribution)}</summary>
                <div class="attributed" lang=page.draft.language.clone()>{stretches}</div>
            </details>
        </section>
    }
}

/// The named versions, newest first, each comparable with the live text and the one before.
fn versions(cx: &RequestContext, page: &PageData) -> impl IntoView + use<> {
    let (pid, did) = (page.process.id, page.draft.id);
    let items = page
        .versions
        .iter()
        .map(|v| {
            let by = match &v.org_name {
                Some(org) => cx.t(Msg::EventByFor { name: v.author_name.clone(), org: org.pick(cx.lang.code(), &[]).text }),
                None => cx.t(Msg::EventBy { name: v.author_name.clone() }),
            };
            let previous = (v.number > 1).then(|| {
                view! {
                    " · "
                    <a href=format!("/processes/{pid}/drafts/{did}/compare?from={}&to={}", v.number - 1, v.number)>
                        {t(Msg::DraftCompareWithPrevious)}
                    </a>
                }
            });
            view! {
                <li>
                    <strong>{format!("{}. {}", v.number, v.name)}</strong>
                    " — " <time datetime=format_time(v.created_at)>{format_time(v.created_at)}</time> " " {by}
                    <br />
                    <code title=v.content_hash.clone()>{format!("SHA-256 {}…", &v.content_hash[..12])}</code>
                    " · "
                    <a href=format!("/processes/{pid}/drafts/{did}/compare?from={}", v.number)>{t(Msg::DraftCompareWithNow)}</a>
                    {previous}
                    <br />
                    {t(Msg::DraftDownload)} " "
                    {[
                        ("html", Msg::DraftFormatHtml),
                        ("docx", Msg::DraftFormatDocx),
                        ("md", Msg::DraftFormatMarkdown),
                        ("akn", Msg::DraftFormatAkn),
                    ]
                        .into_iter()
                        .enumerate()
                        .map(|(i, (format, name))| view! {
                            {(i > 0).then_some(" · ")}
                            <a href=format!("/api/v1/drafts/{did}/versions/{}/export?format={format}", v.number) download="">{t(name)}</a>
                        })
                        .collect_view()}
                </li>
            }
        })
        .collect_view();
    let empty = page.versions.is_empty();
    // Any two texts can be compared: a plain GET form, so it works without JavaScript.
    let choices = |with_live: bool| {
        let live = with_live.then(|| view! { <option value="">{t(Msg::DraftLiveText)}</option> });
        let named = page
            .versions
            .iter()
            .map(|v| view! { <option value=v.number.to_string()>{format!("{}. {}", v.number, v.name)}</option> })
            .collect_view();
        view! { {live} {named} }
    };
    let compare = (!empty).then(|| {
        view! {
            <form method="get" action=format!("/processes/{pid}/drafts/{did}/compare") class="compare-form">
                <label for="compare-from">{t(Msg::DraftCompareFrom)}</label>
                <select id="compare-from" name="from">{choices(false)}</select>
                <label for="compare-to">{t(Msg::DraftCompareTo)}</label>
                <select id="compare-to" name="to">{choices(true)}</select>
                <button type="submit" class="secondary">{t(Msg::DraftCompare)}</button>
            </form>
        }
    });
    view! {
        <section aria-labelledby="versions">
            <h2 id="versions">{t(Msg::DraftVersions)}</h2>
            {if empty { view! { <p>{t(Msg::DraftNoVersions)}</p> }.into_any() } else { view! { <ol class="versions" reversed>{items}</ol> }.into_any() }}
            {compare}
        </section>
    }
}
