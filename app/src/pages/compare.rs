//! `/processes/{id}/drafts/{draft}/compare?from=N[&to=M][&whole=1]`: what changed between two
//! texts of a draft. By default only the changes, each named as a drafter would name it
//! ("Article 4 inserted", "Article 7 moved after Article 9") with the words that changed, and
//! links to step from one to the next; the whole text with the changes marked is one link away.

use super::load;
use crate::api;
use crate::components::layout::{Page, t};
use crate::domain::document::compare::{Change, Compared, Part, What, changes};
use crate::domain::document::{Block, Kind, article_label, chinese_numeral};
use crate::i18n::Msg;
use crate::ids::{DraftId, ProcessId};
use crate::ssr::RequestContext;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The comparison page.
#[component]
pub fn ComparePage() -> impl IntoView {
    let (process, draft) = (
        super::param::<ProcessId>("id"),
        super::param::<DraftId>("draft"),
    );
    let query = use_query_map().read_untracked().clone();
    let from = query.get("from").and_then(|v| v.parse::<i64>().ok());
    let to = query.get("to").and_then(|v| v.parse::<i64>().ok());
    let whole = query.get("whole").is_some_and(|v| v == "1");
    load(
        move |cx| async move {
            let from = from.ok_or(crate::error::AppError::NotFound)?;
            let comparison = api::drafts::compare(&cx, process?, draft?, from, to).await?;
            Ok((cx, comparison))
        },
        move |(cx, c)| {
            let name_of = |number: i64| {
                c.versions
                    .iter()
                    .find(|v| v.number == number)
                    .map(|v| format!("{number}. {}", v.name))
                    .unwrap_or_default()
            };
            let to_label = match c.to {
                Some(number) => name_of(number),
                None => cx.t(Msg::DraftLiveText),
            };
            let title = cx.t(Msg::DraftCompareTitle {
                from: name_of(c.from),
                to: to_label,
            });
            let base = format!(
                "/processes/{}/drafts/{}/compare?from={}{}",
                c.process.id,
                c.draft.id,
                c.from,
                c.to.map(|n| format!("&to={n}")).unwrap_or_default()
            );
            let names: Vec<String> = changes(&c.blocks).map(|d| name(&cx, d)).collect();
            let lang = c.draft.language.clone();
            let body = if names.is_empty() {
                view! { <p class="notice">{t(Msg::DraftCompareNone)}</p> }.into_any()
            } else if whole {
                whole_view(&c.blocks, &names, &lang)
            } else {
                changes_view(&c.blocks, &names, &lang)
            };
            let switch = (!names.is_empty()).then(|| {
                if whole {
                    view! { <p><a href=base.clone()>{t(Msg::DraftCompareOnly)}</a></p> }
                } else {
                    view! { <p><a href=format!("{base}&whole=1")>{t(Msg::DraftCompareWhole)}</a></p> }
                }
            });
            let list = (!names.is_empty()).then(|| contents(&names));
            let back = format!("/processes/{}/drafts/{}", c.process.id, c.draft.id);
            view! {
                <Page title=title>
                    <p><a href=back>{"← "}{c.draft.title.clone()}</a></p>
                    {(!names.is_empty()).then(|| view! { <p>{t(Msg::DraftCompareLegend)}</p> })}
                    {list}
                    {switch}
                    {body}
                </Page>
            }
        },
    )
}

/// The list of changes, each a link to its place: a screen-reader user hears the whole
/// revision in a few lines, and goes to the one that matters.
fn contents(names: &[String]) -> impl IntoView + use<> {
    let items = names
        .iter()
        .enumerate()
        .map(|(i, name)| view! { <li><a href=format!("#change-{}", i + 1)>{name.clone()}</a></li> })
        .collect_view();
    view! {
        <nav aria-labelledby="change-list" class="change-list">
            <h2 id="change-list">{t(Msg::DraftCompareCount { count: names.len().to_string() })}</h2>
            <ol>{items}</ol>
        </nav>
    }
}

/// Only the changes, one section each.
fn changes_view(blocks: &[Compared], names: &[String], lang: &str) -> AnyView {
    changes(blocks)
        .enumerate()
        .map(|(i, change)| {
            let n = i + 1;
            view! {
                <section class=format!("change {}", what_class(change.what)) id=format!("change-{n}") aria-labelledby=format!("change-{n}-name")>
                    <h2 id=format!("change-{n}-name")>{names[i].clone()}</h2>
                    <div class="document compared" lang=lang.to_string()>{block_view(change, lang, false)}</div>
                    {steps(n, names.len())}
                </section>
            }
        })
        .collect_view()
        .into_any()
}

/// The whole newer text, with the deleted blocks where they were and each change marked.
fn whole_view(blocks: &[Compared], names: &[String], lang: &str) -> AnyView {
    let mut n = 0;
    let drawn = blocks
        .iter()
        .map(|block| {
            if block.what == What::Unchanged {
                return block_view(block, lang, true);
            }
            n += 1;
            view! {
                <div class=format!("change {}", what_class(block.what)) id=format!("change-{n}")>
                    <p class="change-name">{names[n - 1].clone()}</p>
                    {block_view(block, lang, true)}
                    {steps(n, names.len())}
                </div>
            }
            .into_any()
        })
        .collect_view();
    view! { <div class="document compared" lang=lang.to_string()>{drawn}</div> }.into_any()
}

/// Links to the change before and the one after.
fn steps(n: usize, count: usize) -> impl IntoView + use<> {
    let previous = (n > 1).then(|| {
        view! { <a href=format!("#change-{}", n - 1) rel="prev">{t(Msg::DraftComparePrevious)}</a> }
    });
    let next = (n < count).then(|| {
        view! { <a href=format!("#change-{}", n + 1) rel="next">{t(Msg::DraftCompareNext)}</a> }
    });
    view! { <p class="change-steps">{previous}" "{next}</p> }
}

fn what_class(what: What) -> &'static str {
    match what {
        What::Unchanged => "unchanged",
        What::Inserted => "inserted",
        What::Deleted => "deleted",
        What::Changed => "changed",
        What::Moved => "moved",
    }
}

/// One block with its added and removed words. In the whole text, headings are headings; in the
/// list of changes they are not (the change's name is the heading there).
fn block_view(compared: &Compared, lang: &str, whole: bool) -> AnyView {
    let block = compared.block();
    let words = compared
        .pieces
        .iter()
        .map(|piece| match piece {
            Change::Same(text) => view! { <span>{text.clone()}</span> }.into_any(),
            Change::Added(text) => view! { <ins>{text.clone()}</ins> }.into_any(),
            Change::Removed(text) => view! { <del>{text.clone()}</del> }.into_any(),
        })
        .collect_view();
    match (block.kind, whole) {
        (Kind::Chapter, true) => view! { <h2>{words}</h2> }.into_any(),
        (Kind::Section, true) => view! { <h3>{words}</h3> }.into_any(),
        (Kind::Subsection, true) => view! { <h4>{words}</h4> }.into_any(),
        (Kind::Chapter | Kind::Section | Kind::Subsection, false) => {
            view! { <p class=format!("compared-heading level-{}", block.kind.heading_level().unwrap_or(1))>{words}</p> }
                .into_any()
        }
        (Kind::Article, _) => view! {
            <p class="article">
                <span class="article-number">{article_label(block.number.unwrap_or_default(), lang)}</span>
                " "
                {words}
            </p>
        }
        .into_any(),
        (Kind::Bullet | Kind::Ordered, _) => view! {
            <p class=format!("compared-item indent-{}", block.indent)>{words}</p>
        }
        .into_any(),
        (Kind::Quote, _) => view! { <blockquote><p>{words}</p></blockquote> }.into_any(),
        (Kind::Paragraph, _) => view! { <p>{words}</p> }.into_any(),
    }
}

/// A change's name in the reader's language: "Article 4 inserted", "第四条移至第九条之后".
/// Inserted and changed blocks are named by their numbers in the newer text; deleted and moved
/// ones by where they were.
pub fn name(cx: &RequestContext, change: &Compared) -> String {
    let part = |block: &Block| part_name(cx, &Part::of(block));
    let old = change.old.as_ref().map(part).unwrap_or_default();
    let new = change.new.as_ref().map(part).unwrap_or_default();
    cx.t(match change.what {
        What::Inserted => Msg::DraftChangeInserted { what: new },
        What::Deleted => Msg::DraftChangeDeleted { what: old },
        What::Changed | What::Unchanged => Msg::DraftChangeChanged { what: new },
        What::Moved => match &change.after {
            Some(after) => {
                // "After article 9", not "after paragraph 3 of article 9": the article is what moved past.
                let after = Part::of(after);
                let after = after.article().map(Part::Article).unwrap_or(after);
                Msg::DraftChangeMoved {
                    what: old,
                    after: part_name(cx, &after),
                }
            }
            None => Msg::DraftChangeMovedFirst { what: old },
        },
    })
}

fn part_name(cx: &RequestContext, part: &Part) -> String {
    // Chinese counts articles and paragraphs in its own numerals (第五条第二款).
    let number = |n: u32| {
        if cx.lang.code().starts_with("zh") {
            chinese_numeral(n)
        } else {
            n.to_string()
        }
    };
    cx.t(match part {
        Part::Article(n) => Msg::DraftPartArticle { number: number(*n) },
        Part::Heading(text) => Msg::DraftPartHeading { text: text.clone() },
        Part::Paragraph { article, number: n } => Msg::DraftPartParagraph {
            article: number(*article),
            number: number(*n),
        },
        Part::Opening(n) => Msg::DraftPartOpening { number: number(*n) },
    })
}
