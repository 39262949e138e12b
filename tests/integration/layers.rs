//! The layer table in `src/lib.rs` is the architecture: every `crate::`
//! path in `src/` (outside the binary's `cli/`) may name only modules of its
//! own layer or below. Comments are skipped; code, `use` lines and inline
//! paths all count.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::repo;

/// `module → layer`, from the `//! | N | a b c | … |` rows of `src/lib.rs`.
fn layer_table(lib: &str) -> BTreeMap<String, u32> {
    let mut table = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(layer) = cells[0].parse::<u32>() else {
            continue;
        };
        for module in cells[1].split_whitespace() {
            table.insert(module.to_string(), layer);
        }
    }
    table
}

/// `(line, named module)` for every `crate::name` outside comments.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
            rest = after;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Violations in `src/` against `table`.
fn upward_imports(src: &Path, table: &BTreeMap<String, u32>) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut bad = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if matches!(top.as_str(), "cli" | "main" | "lib") {
            continue;
        }
        let own = *table
            .get(&top)
            .unwrap_or_else(|| panic!("src/{top} is not in the layer table of src/lib.rs"));
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, name) in crate_paths(&text) {
            if let Some(&theirs) = table.get(&name) {
                if theirs > own {
                    bad.push(format!(
                        "src/{}:{line}: {top} (layer {own}) names {name} (layer {theirs})",
                        rel.display()
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn no_module_names_a_higher_layer() {
    let lib = std::fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    let table = layer_table(&lib);
    assert!(table.len() >= 20, "layer table not found: {table:?}");
    // Every library module is placed in the table.
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(
                table.contains_key(name),
                "`{name}` has no layer in src/lib.rs"
            );
        }
    }
    let bad = upward_imports(&repo().join("src"), &table);
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn the_check_catches_an_upward_import() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("probe")).unwrap();
    std::fs::write(
        dir.path().join("probe/x.rs"),
        "// crate::doctor in a comment is fine\nuse crate::vocab::ProbeName;\nfn f() { crate::fix::apply(); }\n",
    )
    .unwrap();
    let table = layer_table("//! | 6 | fix |\n//! | 4 | probe |\n//! | 0 | vocab |\n");
    let bad = upward_imports(dir.path(), &table);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains("probe/x.rs:3: probe (layer 4) names fix (layer 6)"),
        "{bad:?}"
    );
}
