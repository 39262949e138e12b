//! Where rule files come from: the built-ins embedded in the binary (the
//! repository's `rules/*.toml`, with virtual paths `builtin:rules/<id>.toml`)
//! and user directories (read recursively). Reads only; compiling is
//! [`super::compile`]'s job. `flowchart.toml` is data of its own, not a rule.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::{Origin, RuleError};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// File names in a rule directory that are not rules.
pub(crate) const RESERVED: &[&str] = &["flowchart.toml"];

/// One rule file's text, before parsing.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The file stem: the rule id.
    pub id: String,
    /// What errors print.
    pub display_path: String,
    pub origin: Origin,
    pub text: String,
}

/// The embedded `rules/*.toml`, sorted by id.
#[cfg(test)]
pub(crate) fn builtin() -> Vec<SourceFile> {
    builtin_only(&|_| true)
}

/// The embedded rule files whose id `keep` accepts, sorted by id.
pub(crate) fn builtin_only(keep: &dyn Fn(&str) -> bool) -> Vec<SourceFile> {
    let mut out: Vec<SourceFile> = BUILTIN
        .files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?;
            let id = name.strip_suffix(".toml")?;
            if RESERVED.contains(&name) || !keep(id) {
                return None;
            }
            Some(SourceFile {
                id: id.to_string(),
                display_path: format!("builtin:rules/{name}"),
                origin: Origin::Builtin,
                text: f.contents_utf8()?.to_string(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The embedded `rules/flowchart.toml`, if the build has one.
pub(crate) fn builtin_flowchart() -> Option<&'static str> {
    BUILTIN
        .get_file("flowchart.toml")
        .and_then(|f| f.contents_utf8())
}

/// Every `*.toml` under `dir` (recursively), sorted by path. A missing
/// directory is an error only when `required` (it was named explicitly).
pub(crate) fn user_dir(dir: &Path, required: bool) -> (Vec<SourceFile>, Vec<RuleError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    if !dir.is_dir() {
        if required {
            errors.push(RuleError {
                path: dir.display().to_string(),
                pos: None,
                message: "rule directory does not exist or is not a directory".into(),
                hint: Some("check --rules-dir / CLAWDOC_RULES_DIR".into()),
            });
        }
        return (files, errors);
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths, &mut errors, 0);
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if RESERVED.contains(&name) {
            continue;
        }
        let Some(id) = name.strip_suffix(".toml") else {
            continue;
        };
        let display_path = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(SourceFile {
                    id: id.to_string(),
                    display_path,
                    origin: Origin::User(path.clone()),
                    text,
                }),
                Err(e) => {
                    let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let at = e.utf8_error().valid_up_to();
                    errors.push(RuleError {
                        path: display_path,
                        pos: Some(crate::text::line_col(&lossy, at)),
                        message: "the file is not valid UTF-8".into(),
                        hint: Some("rule files are UTF-8 TOML".into()),
                    });
                }
            },
            Err(e) => errors.push(RuleError {
                path: display_path,
                pos: None,
                message: format!("cannot read: {e}"),
                hint: None,
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<RuleError>, depth: usize) {
    if depth > 8 {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(RuleError {
                path: dir.display().to_string(),
                pos: None,
                message: format!("cannot read directory: {e}"),
                hint: None,
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out, errors, depth + 1);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
