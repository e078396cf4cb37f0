//! Address fields as typed: nothing may panic, and every address accepted
//! reads back as the same address from how it is written in a header.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(list) = compose::parse_addresses(text) else {
        return;
    };
    for mailbox in list {
        let written = mailbox.to_string();
        let again = compose::parse_addresses(&written)
            .unwrap_or_else(|e| panic!("{written:?} (from {text:?}) does not parse again: {e}"));
        assert_eq!(again.len(), 1, "{written:?}");
        assert!(
            again[0].same_address(&mailbox.address),
            "{written:?} reads back as {:?}",
            again[0].address
        );
    }
});
