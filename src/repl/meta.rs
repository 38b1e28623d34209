//! Backslash commands of the REPL: `\q`, `\?`, `\timing`, `\x`.

use super::{Display, Layout};

/// A backslash command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MetaCommand {
    /// `\q`: quit.
    Quit,
    /// `\?`: help.
    Help,
    /// `\timing [on|off]`.
    Timing(Option<bool>),
    /// `\x [on|off]`.
    Expanded(Option<bool>),
}

const HELP: &str = "\
General
  \\q                 quit scaleph
  \\?                 show this help
Formatting
  \\x [on|off]        toggle expanded output (one field per line)
  \\timing [on|off]   toggle timing of statements
Statements end with ';'. Flink SQL is forwarded to the Flink SQL Gateway;
scaleph's own statements (CREATE DATASOURCE, SHOW DATASOURCES, ...) and
queries on scaleph.* run here.";

fn toggle(arg: Option<&str>) -> Result<Option<bool>, String> {
    match arg.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("on") => Ok(Some(true)),
        Some("off") => Ok(Some(false)),
        Some(other) => Err(format!(
            "unrecognized value \"{other}\": expected on or off"
        )),
    }
}

impl MetaCommand {
    /// Parses a line starting with `\`.
    pub(super) fn parse(line: &str) -> Result<MetaCommand, String> {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or_default();
        let arg = words.next();
        match command {
            "\\q" | "\\quit" => Ok(MetaCommand::Quit),
            "\\?" | "\\help" => Ok(MetaCommand::Help),
            "\\timing" => toggle(arg).map(MetaCommand::Timing),
            "\\x" => toggle(arg).map(MetaCommand::Expanded),
            other => Err(format!("invalid command {other}\nTry \\? for help.")),
        }
    }

    /// Applies the command and returns what to print.
    pub(super) fn apply(self, display: &mut Display) -> String {
        match self {
            MetaCommand::Quit => String::new(),
            MetaCommand::Help => HELP.to_string(),
            MetaCommand::Timing(on) => {
                display.timing = on.unwrap_or(!display.timing);
                format!("Timing is {}.", if display.timing { "on" } else { "off" })
            }
            MetaCommand::Expanded(on) => {
                let expanded = on.unwrap_or(display.layout == Layout::Table);
                display.layout = if expanded {
                    Layout::Expanded
                } else {
                    Layout::Table
                };
                format!(
                    "Expanded display is {}.",
                    if expanded { "on" } else { "off" }
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_command_toggles_and_sets() {
        let mut display = Display::default();
        assert_eq!(
            MetaCommand::parse("\\x").unwrap().apply(&mut display),
            "Expanded display is on."
        );
        assert_eq!(
            MetaCommand::parse("\\x off").unwrap().apply(&mut display),
            "Expanded display is off."
        );
        assert_eq!(
            MetaCommand::parse("\\timing on")
                .unwrap()
                .apply(&mut display),
            "Timing is on."
        );
        assert!(display.timing);
        assert!(MetaCommand::parse("\\x maybe").is_err());
        assert!(
            MetaCommand::parse("\\zz")
                .unwrap_err()
                .contains("invalid command")
        );
        assert_eq!(MetaCommand::parse(" \\q ").unwrap(), MetaCommand::Quit);
    }
}
