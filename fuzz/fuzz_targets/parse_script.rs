//! Fuzzes the statement splitter and parser: any input must give statements
//! or a positioned error, never a panic or a hang. Positions must lie
//! inside the script, and every extension statement that parses must print
//! back to SQL that parses to the same statement.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(script) = std::str::from_utf8(data) {
        match scaleph::sql::parse_script(script) {
            Ok(statements) => {
                for statement in statements {
                    assert!(statement.offset + statement.text.len() <= script.len());
                    assert_eq!(
                        &script[statement.offset..statement.offset + statement.text.len()],
                        statement.text
                    );
                    if let Some(printed) = statement.statement.canonical_sql() {
                        let again = scaleph::sql::parse_script(&printed)
                            .unwrap_or_else(|e| panic!("{printed:?} does not parse: {e:?}"));
                        assert_eq!(again.len(), 1, "{printed:?}");
                        assert_eq!(again[0].statement, statement.statement, "{printed:?}");
                    }
                }
            }
            Err(err) => {
                if let Some(position) = err.position {
                    assert!(position.offset <= script.len());
                }
            }
        }
        let _ = scaleph::sql::check_script(script);
        let _ = scaleph::sql::input_complete(script);
    }
});
