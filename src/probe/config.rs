//! The `config` probe: does `$CLAWDOC_HOME/config.toml` exist, parse, set a
//! mode, and hold only known, current keys with valid values?
//!
//! Facts: `config.exists`, `config.parses`, `config.mode_set`, `config.mode`,
//! `config.port`, `config.token_pinned` (file or `CLAWDOC_GATEWAY_TOKEN`),
//! `config.unknown_keys` / `config.deprecated_keys` / `config.bad_values`
//! (lists of dotted keys, e.g. `["model", "gateway.foo"]`),
//! `config.problems` (each problem as `path:line:col: message`) and
//! `config.problem_count`. Values come from the file plus the environment
//! overrides in [`ProbeEnv::env`], exactly as the gateway would load them.
//! The token value never appears in facts or the summary.

use super::{load_config, Evidence, ProbeEnv, Status};
use crate::config::{LoadError, ProblemKind};
use crate::i18n::msg;
use crate::vocab::ProbeName;

const NAME: ProbeName = ProbeName::Config;

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let loaded = match load_config(env) {
        Ok(loaded) => loaded,
        Err(LoadError::Missing { path }) => {
            return Evidence::new(
                NAME,
                Status::Fail,
                msg!("config-missing", path = path.display()),
            )
            .fact("config.exists", false)
        }
        Err(LoadError::Unreadable { path, source }) => {
            return Evidence::inconclusive(
                NAME,
                msg!("config-unreadable", path = path.display(), error = source),
            )
            .fact("config.exists", true)
        }
        Err(e @ LoadError::Syntax { .. }) => {
            return Evidence::new(NAME, Status::Fail, msg!("config-corrupt", error = e))
                .fact("config.exists", true)
                .fact("config.parses", false)
        }
    };

    let keys_of = |want: fn(&ProblemKind) -> bool| -> Vec<String> {
        loaded
            .problems
            .iter()
            .filter(|p| want(&p.kind))
            .map(|p| p.key().to_string())
            .collect()
    };
    let unknown = keys_of(|k| matches!(k, ProblemKind::UnknownKey { .. }));
    let deprecated = keys_of(|k| matches!(k, ProblemKind::DeprecatedKey { .. }));
    let bad = keys_of(|k| matches!(k, ProblemKind::BadValue { .. }));
    let path = loaded.path.display().to_string();
    let problems: Vec<String> = loaded
        .problems
        .iter()
        .map(|p| format!("{path}:{}:{}: {}", p.line, p.col, p.message))
        .collect();
    let config = &loaded.config;

    let (status, summary) = if !problems.is_empty() {
        let first = &loaded.problems[0];
        let at = format!("{path}:{}:{}", first.line, first.col);
        let problem = msg!("config-problem", at = at, problem = &first.message);
        (
            Status::Fail,
            match problems.len() {
                1 => problem,
                n => msg!("and-more", text = problem, count = n - 1),
            },
        )
    } else if config.mode.is_none() {
        (Status::Fail, msg!("config-mode-unset", path = &path))
    } else if config.token.is_none() {
        (Status::Warn, msg!("config-token-unpinned", path = &path))
    } else {
        (
            Status::Ok,
            msg!(
                "config-valid",
                path = &path,
                mode = config.mode.map(|m| m.as_str()).unwrap_or("unset"),
                port = config.port
            ),
        )
    };

    let mut evidence = Evidence::new(NAME, status, summary)
        .fact("config.exists", true)
        .fact("config.parses", true)
        .fact("config.mode_set", config.mode.is_some())
        .fact("config.port", config.port)
        .fact("config.token_pinned", config.token.is_some())
        .fact("config.unknown_keys", unknown)
        .fact("config.deprecated_keys", deprecated)
        .fact("config.bad_values", bad)
        .fact("config.problem_count", problems.len())
        .fact("config.problems", problems);
    if let Some(mode) = config.mode {
        evidence = evidence.fact("config.mode", mode.as_str());
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn missing_file_fails_with_exists_false() {
        let s = Staged::new(None, &[]);
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("config.exists"), Some(&false.into()));
        assert!(e.summary.contains("config.toml"), "{}", e.summary);
    }

    #[test]
    fn corrupt_file_names_line_and_column() {
        let s = Staged::new(None, &[]);
        s.write_home("config.toml", "[gateway]\nmode = \"local\"\nport = = 3\n");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("config.parses"), Some(&false.into()));
        assert!(e.summary.contains("config.toml:3:"), "{}", e.summary);
    }

    #[test]
    fn binary_garbage_is_a_parse_failure_not_a_panic() {
        let s = Staged::new(None, &[]);
        let path = s.home().join("config.toml");
        std::fs::write(&path, [0xff, 0xfe, 0x00, 0x9c, b'\n', 0x80]).unwrap();
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("config.parses"), Some(&false.into()));
        assert!(e.summary.contains("config.toml:1:1"), "{}", e.summary);
    }

    #[test]
    fn healthy_config_is_ok_and_never_shows_the_token() {
        let s = Staged::new(None, &[]);
        s.write_home(
            "config.toml",
            &format!("[gateway]\nmode = \"local\"\nport = 4100\ntoken = \"{TOKEN}\"\n"),
        );
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("config.mode"), Some(&"local".into()));
        assert_eq!(e.get("config.port"), Some(&4100.into()));
        assert_eq!(e.get("config.token_pinned"), Some(&true.into()));
        assert_eq!(e.get("config.problem_count"), Some(&0.into()));
        assert!(!serde_json::to_string(&e).unwrap().contains(TOKEN));
    }

    #[test]
    fn mode_unset_fails_and_unpinned_token_warns() {
        let mut s = Staged::new(None, &[]);
        s.write_home("config.toml", "[gateway]\nport = 4100\n");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(e.get("config.mode_set"), Some(&false.into()));
        assert!(e.get("config.mode").is_none());
        assert!(e.summary.contains("gateway.mode"), "{}", e.summary);

        s.set_var("CLAWDOC_GATEWAY_MODE", "local");
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Warn, "{}", e.summary);
        assert_eq!(e.get("config.token_pinned"), Some(&false.into()));

        s.set_var("CLAWDOC_GATEWAY_TOKEN", TOKEN);
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Ok, "{}", e.summary);
        assert_eq!(e.get("config.token_pinned"), Some(&true.into()));
    }

    #[test]
    fn unknown_deprecated_and_bad_keys_are_listed_with_positions() {
        let s = Staged::new(None, &[]);
        s.write_home(
            "config.toml",
            "# keep me\nmodel = \"gpt\"\n[gateway]\nmode = \"local\"\nport = 99999\nfoo = 1\n",
        );
        let e = probe(&s.env);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(
            e.get("config.deprecated_keys"),
            Some(&serde_json::json!(["model"]))
        );
        assert_eq!(
            e.get("config.unknown_keys"),
            Some(&serde_json::json!(["gateway.foo"]))
        );
        assert_eq!(
            e.get("config.bad_values"),
            Some(&serde_json::json!(["gateway.port"]))
        );
        assert_eq!(e.get("config.problem_count"), Some(&3.into()));
        let problems = e.get("config.problems").unwrap().as_array().unwrap();
        assert!(
            problems[0].as_str().unwrap().contains("config.toml:2:"),
            "{problems:?}"
        );
        assert!(e.summary.contains("config.toml:2:"), "{}", e.summary);
        assert!(e.summary.contains("2 more"), "{}", e.summary);
    }
}
