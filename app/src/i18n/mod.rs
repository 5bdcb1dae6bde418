//! Baraza's one mechanism for interface text. Messages are defined in `app/locales/*.toml` and
//! turned into the typed [`Msg`] enum at build time (see `app/build.rs`).

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

impl Msg {
    /// The message in `lang`, or in English where that language lacks it, with its arguments filled in.
    pub fn render(&self, lang: Lang) -> String {
        let index = self.index();
        let template = lang.table()[index]
            .or(Lang::ALL[0].table()[index])
            .expect("English defines every message");
        let args = self.args();
        if args.is_empty() {
            return template.to_string();
        }
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after
                .find('}')
                .expect("placeholders are checked at build time");
            let name = &after[..end];
            if let Some((_, value)) = args.iter().find(|(n, _)| *n == name) {
                out.push_str(value);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

impl Lang {
    /// Parses a language tag leniently: `zh`, `zh-CN`, `zh-hans` all mean Simplified Chinese
    /// while it is our only Chinese; `en-GB` means English.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        Lang::ALL
            .iter()
            .copied()
            .find(|l| l.code().to_ascii_lowercase() == tag)
            .or_else(|| {
                let primary = tag.split('-').next().unwrap_or("");
                Lang::ALL.iter().copied().find(|l| {
                    l.code()
                        .split('-')
                        .next()
                        .is_some_and(|p| p.eq_ignore_ascii_case(primary))
                })
            })
    }

    /// Picks the best language for an `Accept-Language` header, honouring quality values.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, usize, Lang)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                let lang = Lang::from_tag(tag)?;
                (quality > 0.0).then_some((quality, position, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }

    /// The keys this language has not translated yet.
    pub fn missing_keys(self) -> Vec<&'static str> {
        KEYS.iter()
            .zip(self.table())
            .filter(|(_, t)| t.is_none())
            .map(|(k, _)| *k)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_language_is_complete() {
        for lang in Lang::ALL {
            assert_eq!(
                lang.missing_keys(),
                Vec::<&str>::new(),
                "{} is incomplete",
                lang.code()
            );
        }
    }

    #[test]
    fn messages_fill_in_their_arguments() {
        let msg = Msg::ErrorTooLong { max: "60".into() };
        assert!(msg.render(Lang::En).contains("60"));
        assert!(msg.render(Lang::ZhHans).contains("60"));
        assert_ne!(msg.render(Lang::En), msg.render(Lang::ZhHans));
    }

    #[test]
    fn negotiation_follows_quality_and_order() {
        assert_eq!(
            Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhHans)
        );
        assert_eq!(
            Lang::negotiate("fr-FR, en-GB;q=0.5, zh;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::negotiate("en;q=0.2, zh-Hans;q=0.9"),
            Some(Lang::ZhHans)
        );
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::negotiate("zh;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::negotiate(""), None);
    }

    #[test]
    fn tags_parse_leniently() {
        assert_eq!(Lang::from_tag("ZH-hans"), Some(Lang::ZhHans));
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("xx"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(*lang));
        }
    }
}
