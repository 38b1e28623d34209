//! Fuzzes the statement splitter and parser: any input must give statements
//! or a positioned error, never a panic or a hang. Positions must lie
//! inside the script.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(script) = std::str::from_utf8(data) {
        match scaleph::sql::parse_script(script) {
            Ok(statements) => {
                for statement in statements {
                    assert!(statement.offset + statement.text.len() <= script.len());
                    assert_eq!(&script[statement.offset..statement.offset + statement.text.len()], statement.text);
                }
            }
            Err(err) => {
                if let Some(position) = err.position {
                    assert!(position.offset <= script.len());
                }
            }
        }
        let _ = scaleph::sql::input_complete(script);
    }
});
