//! Feeds arbitrary bytes to the server's frame handling. A panic that escapes, an abort, or yrs
//! panicking on something the validator let through, is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assert_eq!(baraza_fuzz::fuzzing::exercise(data), Ok(()));
});
