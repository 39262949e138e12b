//! Editing `config.toml` while keeping the user's comments and layout
//! (`config set|unset`, key migration). Owned by the config work; see
//! `crate::config` for the schema.
