//! Baraza's rules, free of I/O: compiled into the server and the browser alike.

/// Declares a closed set of codes with their interface names: `ALL`, `code`, `from_code`,
/// `label`, and serde as the code. The caller imports `Serialize`, `Deserialize` and `Msg`.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $msg:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in the order forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in storage, forms and the open-data API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses [`Self::code`].
            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// The value's name in the interface.
            pub fn label(self) -> Msg {
                match self { $($name::$variant => Msg::$msg),+ }
            }
        }
    };
}

pub mod account;
pub mod budget;
pub mod comments;
pub mod decision;
pub mod document;
pub mod hex;
#[cfg(feature = "ssr")]
pub mod icalendar;
pub mod input;
pub mod localized;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod names;
pub mod notice;
pub mod org;
pub mod process;
#[cfg(feature = "ssr")]
pub mod record;
pub mod roles;
pub mod sitting;
pub mod text;
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod xml;
#[cfg(feature = "ssr")]
pub mod zone;
