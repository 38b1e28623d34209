//! Decodes arbitrary bytes as a Flink SQL Gateway FetchResults body and
//! as an error response: never a panic, whatever the gateway sends.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scaleph::flink::fetch::decode_page(data, chrono_tz::Tz::Asia__Shanghai);
    if let Ok(text) = std::str::from_utf8(data) {
        let errors: Vec<String> = text.split('\u{0}').map(str::to_string).collect();
        let failure = scaleph::flink::errors::classify(&errors);
        let position = scaleph::error::Position::at(text, 0);
        let _ = failure.into_error(Some((position, text)));
    }
});
