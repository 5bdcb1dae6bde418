//! What the server does with one incoming frame, minus the network: decode, validate, apply,
//! encode. The fuzzer (`fuzz/`) and the regression test below call this same function, so every
//! input the fuzzer ever found keeps being tried.

use super::doc::{DocError, DraftDoc, ROOTS};
use super::protocol::{self, Message};
use super::validate;

/// A short document to apply fuzzed updates to, so that updates can refer to existing text.
fn seeded() -> DraftDoc {
    let mut doc = DraftDoc::empty();
    if let Ok(updates) = super::doc::compose(&[(7, "Residents decide. "), (8, "长老会 🌍")]) {
        for update in updates {
            let _ = doc.apply(&update);
        }
    }
    doc
}

/// Runs one frame (and the same bytes as a bare update) through the server's checks. Returns an
/// error only if yrs panicked on something the validator let through.
pub fn exercise(frame: &[u8]) -> Result<(), DocError> {
    let update = match protocol::decode(frame) {
        Ok(Message::SyncStep2(update) | Message::Update(update)) => Some(update),
        Ok(Message::SyncStep1(state_vector)) => {
            if validate::check_state_vector(state_vector).is_ok()
                && let Err(DocError::Panicked) = seeded().diff_for(state_vector)
            {
                return Err(DocError::Panicked);
            }
            None
        }
        Ok(Message::Awareness(bytes)) => {
            let _ = validate::check_awareness(bytes);
            None
        }
        _ => Some(frame),
    };
    let Some(update) = update else { return Ok(()) };
    if validate::check_update(update, ROOTS).is_err() {
        return Ok(());
    }
    let mut doc = seeded();
    match doc.apply(update) {
        Err(DocError::Panicked) => Err(DocError::Panicked),
        Err(_) => Ok(()),
        Ok(_) => {
            // A document that accepted an update must still encode and still be readable.
            doc.encode_state()?;
            doc.stretches()?;
            let _ = doc.text();
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input in `fuzz/regressions/` (crashes the fuzzer found, and hostile frames we wrote
    /// by hand) is handled without yrs panicking.
    #[test]
    fn regressions_stay_fixed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("readable");
            assert_eq!(exercise(&bytes), Ok(()), "{}", path.display());
            count += 1;
        }
        assert!(count > 0, "no regression inputs found in {}", dir.display());
    }
}
