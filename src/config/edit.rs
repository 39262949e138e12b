//! Editing `config.toml` while keeping the user's comments and layout
//! (`config set|unset`, migration of deprecated keys, the default config) and
//! writing it back safely (backup ring, atomic replace, mode 0600).
//!
//! The edits are pure functions from text to text, so the doctor can show a
//! diff in `--dry-run` before anything is written; [`write_config`] is the
//! only function here that touches the disk. The schema itself (known and
//! deprecated keys, value checks) lives in [`crate::config`].

use std::io;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Key, RawString, Table, TableLike, Value};

use super::{
    check_mode, check_port, check_timeout, check_token, Secret, ValueError, DEPRECATED_KEYS,
    KNOWN_KEYS,
};

/// Why an edit was refused. Messages never contain a token value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("unknown config key \"{key}\"{}; known keys: {}", suggestion_text(.suggestion), KNOWN_KEYS.join(", "))]
    UnknownKey {
        key: String,
        suggestion: Option<String>,
    },
    #[error("config key \"{key}\" is deprecated: use \"{replacement}\"")]
    DeprecatedKey { key: String, replacement: String },
    #[error("{message}")]
    BadValue { key: String, message: String },
    #[error("{line}:{col}: invalid TOML: {message}")]
    Syntax {
        line: usize,
        col: usize,
        message: String,
    },
    #[error("cannot edit \"{key}\": \"{table}\" is not a table in this file")]
    NotATable { key: String, table: String },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

/// One deprecated key moved by [`migrate_deprecated_in_text`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Migration {
    pub from: String,
    pub to: String,
    /// The replacement was already set: it was kept and the old key dropped.
    pub kept_existing: bool,
}

/// Sets `key` (a known dotted key) to `value`, checked for type and range.
/// Ports and timeouts are written as integers, the mode in lowercase. The
/// value's trailing comment survives; missing tables are created.
pub fn set_in_text(text: &str, key: &str, value: &str) -> Result<String, EditError> {
    let mut new_value = typed_value(key, value)?;
    let mut doc = parse_doc(text)?;
    let (table_name, leaf) = split_known(key);
    let root = doc.as_table_mut();
    let parent = root
        .entry(table_name)
        .or_insert(Item::Table(Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| EditError::NotATable {
            key: key.to_string(),
            table: table_name.to_string(),
        })?;
    match parent.get_mut(leaf) {
        Some(Item::Value(old)) => {
            *new_value.decor_mut() = old.decor().clone();
            *old = new_value;
        }
        Some(other) => *other = Item::Value(new_value),
        None => {
            parent.insert(leaf, Item::Value(new_value));
        }
    }
    Ok(doc.to_string())
}

/// Removes `key` (known, deprecated, or any dotted key present in the file).
/// Removing a known key that is not set is not an error: the text comes back
/// unchanged. Comments directly above the key go with it; a comment block
/// separated from it by a blank line stays.
pub fn unset_in_text(text: &str, key: &str) -> Result<String, EditError> {
    let mut doc = parse_doc(text)?;
    let segments: Vec<&str> = key.split('.').collect();
    let present = remove_path(&mut doc, &segments).is_some();
    let known = KNOWN_KEYS.contains(&key) || DEPRECATED_KEYS.iter().any(|(from, _)| *from == key);
    if !present && !known {
        return Err(unknown_key(key));
    }
    if !present {
        return Ok(text.to_string());
    }
    Ok(doc.to_string())
}

/// Moves every deprecated key to its replacement, keeping the value and the
/// comments attached to it. When the replacement is already set the existing
/// value wins and the old key is dropped. Unknown keys are left alone.
/// Returns the new text and `(from, to)` for each key handled.
pub(crate) fn migrate_deprecated_in_text(
    text: &str,
) -> Result<(String, Vec<(String, String)>), EditError> {
    let (text, migrations) = migrate_deprecated_detailed(text)?;
    Ok((
        text,
        migrations.into_iter().map(|m| (m.from, m.to)).collect(),
    ))
}

/// [`migrate_deprecated_in_text`], saying for each key whether the
/// replacement already existed.
pub(crate) fn migrate_deprecated_detailed(
    text: &str,
) -> Result<(String, Vec<Migration>), EditError> {
    let mut doc = parse_doc(text)?;
    let mut done = Vec::new();
    for (from, to) in DEPRECATED_KEYS {
        if !doc.as_table().get(from).is_some_and(Item::is_value) {
            continue;
        }
        let Some(removed) = remove_path(&mut doc, &[from]) else {
            continue;
        };
        let (table_name, leaf) = split_known(to);
        let root = doc.as_table_mut();
        let Some(parent) = root
            .entry(table_name)
            .or_insert(Item::Table(Table::new()))
            .as_table_like_mut()
        else {
            return Err(EditError::NotATable {
                key: (*to).to_string(),
                table: table_name.to_string(),
            });
        };
        let kept_existing = parent.contains_key(leaf);
        if !kept_existing {
            let mut new_key = Key::new(leaf);
            if !removed.attached_comment.is_empty() {
                new_key
                    .leaf_decor_mut()
                    .set_prefix(removed.attached_comment.clone());
            }
            insert_formatted(parent, &new_key, removed.item);
        }
        done.push(Migration {
            from: (*from).to_string(),
            to: (*to).to_string(),
            kept_existing,
        });
    }
    if done.is_empty() {
        return Ok((text.to_string(), done));
    }
    Ok((doc.to_string(), done))
}

/// A commented default config: local mode, the given port, a pinned token.
pub fn default_config_text(port: u16, token: &Secret) -> String {
    format!(
        "# clawdoc gateway configuration (written by clawdoc).\n\
         # Edit with `clawdoc config set KEY VALUE`; check with `clawdoc config validate`.\n\
         \n\
         [gateway]\n\
         # local = listen on 127.0.0.1 only; remote = all interfaces; hybrid = all\n\
         # interfaces, with the local CLI still trusted over loopback.\n\
         mode = \"local\"\n\
         port = {port}\n\
         # Pinned token: paired devices keep working across restarts. Keep this file\n\
         # private (mode 0600); rotating the token means re-pairing every device.\n\
         token = \"{}\"\n\
         # Seconds `clawdoc gateway start` waits for /health to report ready.\n\
         startupTimeout = {}\n",
        token.expose(),
        super::DEFAULT_STARTUP_TIMEOUT_SECS,
    )
}

/// Writes a config file safely: the current file (if any) goes into the
/// backup ring (`config.toml.bak.1..5`), then the new text replaces it
/// atomically with mode 0600. Refuses text that is not valid TOML, so a bug
/// upstream can never leave a config the gateway cannot read. Returns the
/// backup written, if there was a file to back up.
pub fn write_config(path: &Path, text: &str) -> io::Result<Option<PathBuf>> {
    if let Err(e) = parse_doc(text) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("refusing to write {}: {e}", path.display()),
        ));
    }
    let backup = crate::fsutil::backup_ring(path)?;
    crate::fsutil::write_atomic(path, text.as_bytes(), 0o600)?;
    Ok(backup)
}

/// The checked TOML value for a known key, or why it cannot be set.
pub fn typed_value(key: &str, raw: &str) -> Result<Value, EditError> {
    let bad = |message: String| EditError::BadValue {
        key: key.to_string(),
        message,
    };
    let checked = |why: ValueError| bad(why.to_string());
    match key {
        "gateway.mode" => Ok(Value::from(check_mode(raw).map_err(checked)?.as_str())),
        "gateway.port" => Ok(Value::from(i64::from(check_port(raw).map_err(checked)?))),
        "gateway.startupTimeout" => {
            let secs = check_timeout(raw).map_err(checked)?.as_secs();
            Ok(Value::from(secs as i64))
        }
        "gateway.token" => {
            check_token(raw).map_err(checked)?;
            Ok(Value::from(raw))
        }
        "gateway.allowedOrigins" => {
            crate::config::check_origins(raw).map_err(checked)?;
            Ok(Value::from(raw.trim()))
        }
        "ai.model" => {
            let model = raw.trim();
            if model.is_empty() {
                return Err(bad("ai.model must not be empty".into()));
            }
            Ok(Value::from(model))
        }
        _ => {
            if let Some((_, to)) = DEPRECATED_KEYS.iter().find(|(from, _)| *from == key) {
                return Err(EditError::DeprecatedKey {
                    key: key.to_string(),
                    replacement: (*to).to_string(),
                });
            }
            Err(unknown_key(key))
        }
    }
}

fn unknown_key(key: &str) -> EditError {
    let suggestion = crate::text::did_you_mean(key, KNOWN_KEYS).map(str::to_string);
    EditError::UnknownKey {
        key: key.to_string(),
        suggestion,
    }
}

fn parse_doc(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| crate::text::line_col(text, s.start))
            .unwrap_or((1, 1));
        EditError::Syntax {
            line,
            col,
            message: e.message().trim().to_string(),
        }
    })
}

/// `"gateway.port"` → `("gateway", "port")`. Only called with known keys,
/// which all have exactly one table and one leaf.
fn split_known(key: &str) -> (&str, &str) {
    key.split_once('.').unwrap_or(("", key))
}

fn insert_formatted(parent: &mut dyn TableLike, key: &Key, item: Item) {
    // `TableLike` has no `insert_formatted`; the entry API keeps the key's decor.
    match parent.entry_format(key) {
        toml_edit::Entry::Occupied(mut e) => {
            e.insert(item);
        }
        toml_edit::Entry::Vacant(e) => {
            e.insert(item);
        }
    }
}

struct Removed {
    item: Item,
    /// Comment lines directly above the removed key (no blank line between).
    attached_comment: String,
}

/// Removes the value at `path`; comment lines that were separated from it by
/// a blank line are handed to whatever follows it in the file, so a section
/// comment or the file's header is never lost with the key.
fn remove_path(doc: &mut DocumentMut, path: &[&str]) -> Option<Removed> {
    let (leaf, parents) = path.split_last()?;
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    for name in parents {
        table = table.get_mut(name)?.as_table_like_mut()?;
    }
    if !table.get(leaf).is_some_and(Item::is_value) {
        return None;
    }
    let prefix = table
        .key(leaf)
        .and_then(|k| k.leaf_decor().prefix())
        .and_then(RawString::as_str)
        .unwrap_or("")
        .to_string();
    let next_key = {
        let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        keys.iter()
            .position(|k| k == leaf)
            .and_then(|i| keys.get(i + 1).cloned())
            .filter(|k| table.get(k).is_some_and(Item::is_value))
    };
    let item = table.remove(leaf)?;
    let (detached, attached) = split_prefix(&prefix);
    if detached.trim().is_empty() {
        return Some(Removed {
            item,
            attached_comment: attached,
        });
    }
    // Hand the detached comment block to the next thing in the file.
    if let Some(next) = next_key {
        if let Some(mut k) = table.key_mut(&next) {
            let old = k
                .leaf_decor()
                .prefix()
                .and_then(RawString::as_str)
                .unwrap_or("")
                .to_string();
            k.leaf_decor_mut().set_prefix(format!("{detached}{old}"));
        }
    } else {
        give_to_next_header(doc, parents.first().copied(), detached);
    }
    Some(Removed {
        item,
        attached_comment: attached,
    })
}

/// Prepends `text` to the first table header after `after` (a top-level
/// table name, or the root when `None`), else to the end of the document.
fn give_to_next_header(doc: &mut DocumentMut, after: Option<&str>, text: String) {
    let after_pos = after
        .and_then(|name| doc.as_table().get(name))
        .and_then(Item::as_table)
        .and_then(Table::position);
    let next = doc
        .as_table()
        .iter()
        .filter_map(|(k, item)| Some((k.to_string(), item.as_table()?.position()?)))
        .filter(|(k, pos)| Some(k.as_str()) != after && after_pos.is_none_or(|a| *pos > a))
        .filter(|(k, _)| {
            doc.as_table()
                .get(k)
                .and_then(Item::as_table)
                .is_some_and(|t| !t.is_implicit() && !t.is_dotted())
        })
        .min_by_key(|(_, pos)| *pos)
        .map(|(k, _)| k);
    match next.and_then(|k| doc.as_table_mut().get_mut(&k)?.as_table_mut()) {
        Some(t) => {
            let old = t
                .decor()
                .prefix()
                .and_then(RawString::as_str)
                .unwrap_or("")
                .to_string();
            t.decor_mut().set_prefix(format!("{text}{old}"));
        }
        None => {
            let old = doc.trailing().as_str().unwrap_or("").to_string();
            doc.set_trailing(format!("{old}{text}"));
        }
    }
}

/// Splits a key's prefix decor into the part separated from the key by a
/// blank line (detached) and the comment lines directly above it (attached).
fn split_prefix(prefix: &str) -> (String, String) {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let mut start = lines.len();
    while start > 0 {
        let line = lines[start - 1];
        if line.trim_start().starts_with('#') {
            start -= 1;
        } else {
            break;
        }
    }
    // The last element may be the key's indentation (no newline): keep it
    // out of both parts.
    let (attached_lines, detached_lines) = (&lines[start..], &lines[..start]);
    let attached: String = attached_lines
        .iter()
        .filter(|l| l.ends_with('\n'))
        .map(|l| l.trim_start())
        .collect();
    let detached: String = detached_lines
        .iter()
        .filter(|l| l.ends_with('\n'))
        .copied()
        .collect();
    (detached, attached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse, Mode};

    const COMMENTED: &str = "\
# My gateway, do not touch.

[gateway]
# how to bind
mode = \"remote\"   # was local before the move
port = 4000

# the brain
[ai]
model = \"m1\"
";

    fn loaded(text: &str) -> crate::config::Loaded {
        parse(Path::new("config.toml"), text).unwrap()
    }

    #[test]
    fn set_keeps_comments_and_layout() {
        let out = set_in_text(COMMENTED, "gateway.mode", "LOCAL").unwrap();
        assert_eq!(
            out,
            COMMENTED.replace("mode = \"remote\"   #", "mode = \"local\"   #")
        );
        let out = set_in_text(&out, "gateway.port", "4100").unwrap();
        assert!(out.contains("port = 4100\n"), "{out}");
        assert!(out.contains("# the brain\n[ai]"), "{out}");
        assert_eq!(loaded(&out).config.port, 4100);
    }

    #[test]
    fn set_creates_tables_and_works_on_empty_text() {
        let out = set_in_text("", "gateway.mode", "local").unwrap();
        assert_eq!(out, "[gateway]\nmode = \"local\"\n");
        let out = set_in_text(&out, "ai.model", "m2").unwrap();
        let out = set_in_text(&out, "gateway.startupTimeout", "90").unwrap();
        let l = loaded(&out);
        assert_eq!(l.config.mode, Some(Mode::Local));
        assert_eq!(l.config.ai_model.as_deref(), Some("m2"));
        assert_eq!(l.config.startup_timeout.as_secs(), 90);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert!(
            out.contains("startupTimeout = 90\n"),
            "integer, not string: {out}"
        );
    }

    #[test]
    fn set_refuses_bad_keys_and_values() {
        assert!(matches!(
            set_in_text("", "gateway.port", "70000"),
            Err(EditError::BadValue { .. })
        ));
        assert!(matches!(
            set_in_text("", "gateway.port", "abc"),
            Err(EditError::BadValue { .. })
        ));
        assert!(matches!(
            set_in_text("", "gateway.mode", "lan"),
            Err(EditError::BadValue { .. })
        ));
        assert!(matches!(
            set_in_text("", "gateway.token", "short"),
            Err(EditError::BadValue { .. })
        ));
        match set_in_text("", "gateway.prot", "1") {
            Err(EditError::UnknownKey { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("gateway.port"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            set_in_text("", "port", "1"),
            Err(EditError::DeprecatedKey { .. })
        ));
        assert!(matches!(
            set_in_text("[gateway\n", "gateway.port", "1"),
            Err(EditError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            set_in_text("gateway = 3\n", "gateway.port", "1"),
            Err(EditError::NotATable { .. })
        ));
    }

    #[test]
    fn token_error_never_echoes_the_value() {
        let secret = "has a space but is long enough";
        let e = set_in_text("", "gateway.token", secret)
            .unwrap_err()
            .to_string();
        assert!(!e.contains(secret), "{e}");
    }

    #[test]
    fn set_in_dotted_and_inline_tables() {
        let out = set_in_text("gateway.mode = \"remote\"\n", "gateway.mode", "local").unwrap();
        assert_eq!(out, "gateway.mode = \"local\"\n");
        let out = set_in_text("gateway = { mode = \"remote\" }\n", "gateway.port", "5000").unwrap();
        assert!(out.contains("port = 5000"), "{out}");
    }

    #[test]
    fn unset_removes_key_and_its_comment_only() {
        let out = unset_in_text(COMMENTED, "gateway.mode").unwrap();
        assert!(!out.contains("mode ="), "{out}");
        assert!(!out.contains("# how to bind"), "{out}");
        assert!(out.starts_with("# My gateway, do not touch.\n"), "{out}");
        assert!(out.contains("port = 4000"));
        // Known but absent: unchanged. Unknown and absent: refused.
        assert_eq!(
            unset_in_text(COMMENTED, "gateway.token").unwrap(),
            COMMENTED
        );
        assert!(unset_in_text(COMMENTED, "gateway.nope").is_err());
        // Unknown but present (e.g. a typo the user wants gone): removed.
        let out = unset_in_text("[gateway]\nprot = 1\n", "gateway.prot").unwrap();
        assert_eq!(out, "[gateway]\n");
    }

    #[test]
    fn unset_first_key_keeps_the_file_header() {
        let text = "# header\n\nmodel = \"x\"\n[gateway]\nmode = \"local\"\n";
        let out = unset_in_text(text, "model").unwrap();
        assert!(out.starts_with("# header\n"), "{out}");
        assert!(!out.contains("model"), "{out}");
    }

    #[test]
    fn migrate_moves_deprecated_keys_with_their_comments() {
        let text = "# header\n\n# which model\nmodel = \"gpt-x\"  # the big one\nport = 4242\nfoo = 1\n[gateway]\nmode = \"local\"\n";
        let (out, moved) = migrate_deprecated_in_text(text).unwrap();
        assert_eq!(
            moved,
            vec![
                ("model".to_string(), "ai.model".to_string()),
                ("port".to_string(), "gateway.port".to_string())
            ]
        );
        let l = loaded(&out);
        assert_eq!(l.config.ai_model.as_deref(), Some("gpt-x"));
        assert_eq!(l.config.port, 4242);
        assert_eq!(l.config.mode, Some(Mode::Local));
        // Only the unknown key is left as a problem.
        assert_eq!(l.problems.len(), 1, "{out}\n{:?}", l.problems);
        assert_eq!(l.problems[0].key(), "foo");
        assert!(out.starts_with("# header\n"), "{out}");
        assert!(
            out.contains("# which model\nmodel = \"gpt-x\"  # the big one"),
            "{out}"
        );
    }

    #[test]
    fn migrate_keeps_an_existing_replacement() {
        let text = "port = 1111\n[gateway]\nport = 2222\n";
        let (out, moved) = migrate_deprecated_detailed(text).unwrap();
        assert_eq!(moved.len(), 1);
        assert!(moved[0].kept_existing);
        assert_eq!(loaded(&out).config.port, 2222);
        assert!(!out.contains("1111"), "{out}");
        // Nothing to do: byte-identical.
        let (same, none) = migrate_deprecated_in_text(COMMENTED).unwrap();
        assert_eq!(same, COMMENTED);
        assert!(none.is_empty());
    }

    #[test]
    fn default_config_is_valid_and_pinned() {
        let token = Secret::generate();
        let text = default_config_text(4567, &token);
        let l = loaded(&text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.config.mode, Some(Mode::Local));
        assert_eq!(l.config.port, 4567);
        assert_eq!(l.config.token.as_ref(), Some(&token));
        assert_eq!(l.config.startup_timeout.as_secs(), 60);
    }

    #[test]
    fn write_config_backs_up_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(write_config(&path, "[gateway]\n").unwrap(), None);
        let backup = write_config(&path, "[gateway]\nport = 5\n")
            .unwrap()
            .unwrap();
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "[gateway]\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(write_config(&path, "[oops").is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[gateway]\nport = 5\n"
        );
    }
}
