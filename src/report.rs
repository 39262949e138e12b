//! The diagnosis as data (`Serialize`): what `--json` prints.
