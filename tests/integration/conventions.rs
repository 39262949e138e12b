//! CLI conventions a user expects of an installed tool: completions that
//! load in bash, a man page, `--version` with the git revision, and one
//! exit-code table shared by `--help` and the README.

use crate::harness::{repo, TestEnv};

#[test]
fn bash_completion_loads_and_completes_subcommands_and_flags() {
    let env = TestEnv::new();
    let script = env.run(&["completions", "bash"]);
    assert_eq!(script.code, 0, "{script:?}");
    let path = env.write("clawdoc.bash", &script.stdout);
    // Load it into a real bash and ask the completion function, as readline would.
    let probe = format!(
        r#"source {path}
complete -p clawdoc
COMP_WORDS=(clawdoc doc); COMP_CWORD=1; COMP_LINE="clawdoc doc"; COMP_POINT=${{#COMP_LINE}}
_clawdoc clawdoc doc clawdoc
echo "sub: ${{COMPREPLY[*]}}"
COMP_WORDS=(clawdoc doctor --un); COMP_CWORD=2; COMP_LINE="clawdoc doctor --un"; COMP_POINT=${{#COMP_LINE}}
_clawdoc clawdoc --un doctor
echo "flag: ${{COMPREPLY[*]}}"
"#,
        path = path.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("complete ") && l.ends_with("-F _clawdoc clawdoc")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l == "sub: doctor"), "{stdout}");
    assert!(stdout.contains("flag: --unsafe-fixes"), "{stdout}");
}

#[test]
fn every_shell_gets_a_script_and_bad_shells_are_usage_errors() {
    let env = TestEnv::new();
    for (shell, needle) in [
        ("zsh", "#compdef clawdoc"),
        ("fish", "complete -c clawdoc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = env.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains(needle), "{shell}: {run:?}");
        assert!(run.stdout.contains("doctor"), "{shell}: {run:?}");
    }
    let run = env.run(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("invalid value 'tcsh'"), "{run:?}");
}

#[test]
fn man_page_is_roff_with_every_command_and_the_exit_codes() {
    let env = TestEnv::new();
    let run = env.run(&["man"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with(".ie \\n(.g .ds Aq"), "{run:?}");
    assert!(run.stdout.contains(".TH clawdoc 1"), "{run:?}");
    for sub in ["lookup", "doctor", "walk", "scan", "completions"] {
        assert!(run.stdout.contains(sub), "man page lacks {sub}");
    }
    assert!(run.stdout.contains("Exit codes"), "{run:?}");
    // clap_mangen's `EXTRA` heading is named for what it holds.
    assert!(run.stdout.contains("\n.SH EXIT CODES\n"), "{run:?}");
    assert!(!run.stdout.contains(".SH EXTRA"), "{run:?}");
}

/// `man` and the completion scripts speak the reader's language, as
/// `--help` does: headings, command abouts, option help.
#[test]
fn man_page_and_completions_in_zh_tw() {
    let env = TestEnv::new();
    let man = env.run(&["--lang", "zh-TW", "man"]);
    assert_eq!(man.code, 0, "{man:?}");
    for heading in ["名稱", "用法概要", "選項", "結束碼"] {
        assert!(
            man.stdout.contains(&format!("\n.SH {heading}\n")),
            "no .SH {heading}: {man:?}"
        );
    }
    assert!(man.stdout.contains("探測這台機器"), "{man:?}");
    for english in [".SH NAME", ".SH OPTIONS", "Probe this machine", "[default:"] {
        assert!(!man.stdout.contains(english), "`{english}` in {man:?}");
    }
    let fish = env.run_env(&["completions", "fish"], &[("CLAWDOC_LANG", "zh-TW")]);
    assert_eq!(fish.code, 0, "{fish:?}");
    let doctor = fish
        .stdout
        .lines()
        .find(|l| l.contains("-a \"doctor\""))
        .unwrap_or_else(|| panic!("no doctor line: {fish:?}"));
    assert!(doctor.contains("探測這台機器"), "{doctor}");
    assert!(!fish.stdout.contains("Probe this machine"), "{fish:?}");
}

#[test]
fn version_names_the_git_revision_it_was_built_from() {
    let env = TestEnv::new();
    let run = env.run(&["--version"]);
    assert_eq!(run.code, 0, "{run:?}");
    let line = run.stdout.trim();
    let version = env!("CARGO_PKG_VERSION");
    let rest = line
        .strip_prefix(&format!("clawdoc {version} ("))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected --version: {line:?}"));
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match head {
        // Built from this checkout: the revision is HEAD's.
        Some(head) => assert_eq!(rest, head, "{line}"),
        None => assert_eq!(rest, "unknown", "{line}"),
    }
}

#[test]
fn help_and_readme_share_one_exit_code_table() {
    let env = TestEnv::new();
    let help = env.run(&["--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    let start = help
        .stdout
        .find("Exit codes (every command):")
        .expect("--help shows the exit codes");
    let table = help.stdout[start..].trim_end();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```text\n{table}\n```")),
        "README's exit-code block differs from --help:\n{table}"
    );
}

/// The table, held to: 0 nothing found, 1 found, 2 error, for the three
/// commands that read error text.
#[test]
fn lookup_scan_and_rules_follow_the_exit_code_table() {
    let env = TestEnv::new();
    let found = "Error: listen EADDRINUSE: address already in use :::3001";
    let clean = "gateway ready, all good";
    let hit = env.run(&["lookup", found]);
    assert_eq!(hit.code, 1, "{hit:?}");
    assert!(hit.stdout.contains("(port-in-use)"), "{hit:?}");
    let miss = env.run(&["lookup", clean]);
    assert_eq!(miss.code, 0, "{miss:?}");
    assert!(miss.stdout.contains("No rule matched."), "{miss:?}");
    let log_found = env.write("found.log", format!("{clean}\n{found}\n"));
    let log_clean = env.write("clean.log", format!("{clean}\n"));
    let scan = env.run(&["scan", log_found.to_str().unwrap()]);
    assert_eq!(scan.code, 1, "{scan:?}");
    assert!(scan.stdout.contains("port-in-use"), "{scan:?}");
    let clean_scan = env.run(&["scan", log_clean.to_str().unwrap()]);
    assert_eq!(clean_scan.code, 0, "{clean_scan:?}");
    assert!(
        clean_scan.stdout.contains("no rule matched"),
        "{clean_scan:?}"
    );
    let missing = env.run(&["scan", "/nonexistent/clawdoc.log"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    let usage = env.run(&["lookup", "--no-such-flag"]);
    assert_eq!(usage.code, 2, "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("unexpected argument '--no-such-flag'"),
        "{usage:?}"
    );
}

#[test]
fn readme_embeds_the_current_flowchart() {
    let env = TestEnv::new();
    let chart = env.run(&["flowchart", "--format", "mermaid"]);
    assert_eq!(chart.code, 0, "{chart:?}");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{}```", chart.stdout)),
        "README's mermaid chart is stale: paste `clawdoc flowchart --format mermaid` into it"
    );
}

/// `flowchart --format text` draws every node of the chart once (later
/// visits say "see [id]") and names every rule the chart ends in.
#[test]
fn flowchart_text_tree_draws_every_node_once_and_every_rule() {
    let env = TestEnv::new();
    let json = env.run(&["flowchart", "--format", "json"]).json();
    let text = env.run(&["flowchart", "--format", "text"]);
    assert_eq!(text.code, 0, "{text:?}");
    let tree = &text.stdout;
    let nodes = json["nodes"].as_array().unwrap();
    assert!(nodes.len() > 10);
    for node in nodes {
        let id = node["id"].as_str().unwrap();
        let drawn = tree
            .lines()
            .filter(|l| !l.contains("↑ see"))
            .filter(|l| l.ends_with(&format!("[{id}]")) || l.contains(&format!("[{id}]  (")))
            .count();
        let is_end = node["kind"] == "end";
        if is_end {
            let end_text = node["text"].as_str().unwrap();
            assert!(tree.contains(&format!("■ {end_text}")), "end {id} missing");
        } else {
            assert_eq!(drawn, 1, "node {id} drawn {drawn} times:\n{tree}");
        }
    }
    let rules = text.stdout.matches(" → ").count();
    assert!(rules >= 20, "only {rules} rule ends:\n{tree}");
    for rule in ["mode-unset", "port-in-use", "token-mismatch", "oom"] {
        assert!(
            tree.contains(&format!("({rule})\n")),
            "{rule} missing:\n{tree}"
        );
    }
    // Chains do not march off the screen.
    let widest = tree.lines().map(|l| l.chars().count()).max().unwrap();
    let deepest = tree
        .lines()
        .map(|l| l.len() - l.trim_start().len())
        .max()
        .unwrap();
    assert!(deepest <= 24, "indented {deepest} columns:\n{tree}");
    assert!(widest < 300);
}
