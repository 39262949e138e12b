//! `clawdoc logs [--tail N] [--follow]`: the chosen target's gateway log
//! (embedded: `logs/gateway.log`; OpenClaw: its tslog JSON file at
//! `logging.file`, else `/tmp/openclaw/openclaw-DATE.log`, each record shown
//! as `time LEVEL [subsystem] message`).
//!
//! `--follow` polls the file and survives rotation (the path then names a new
//! file, or the file got shorter): it reopens and reads the new file from its
//! start. It runs until interrupted (Ctrl-C / SIGINT ends the process) or
//! until stdout is closed. The pinned token, should it ever appear in the
//! log, is printed as `<redacted>`.
//!
//! Exit codes: 0 printed; 1 no log file yet (without `--follow`); 2 I/O error.

use super::tr::{msg, s};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use super::{Ctx, Exit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many of the last lines to show (0: none, only new ones with --follow).
    #[arg(long, short = 'n', value_name = "N", default_value_t = 100)]
    pub tail: usize,
    /// Keep printing lines as they are written (Ctrl-C to stop).
    #[arg(long, short = 'f')]
    pub follow: bool,
}

const FOLLOW_POLL: Duration = Duration::from_millis(200);

pub(crate) fn run(args: Args, ctx: &Ctx) -> anyhow::Result<Exit> {
    let target = ctx.target();
    let source = target.log_source(&ctx.home);
    let path = source.path;
    let secret = target.token(&ctx.home);
    // Whole lines in, what is shown out: readable records, token redacted.
    let redact = |text: &str| -> String {
        let text = match source.readable {
            Some(readable) if !text.is_empty() => {
                String::from_utf8_lossy(&readable(text.as_bytes())).into_owned()
            }
            _ => text.to_string(),
        };
        match &secret {
            Some(s) if !s.expose().is_empty() => text.replace(s.expose(), "<redacted>"),
            _ => text,
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());

    let mut file = match File::open(&path) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if !args.follow {
                let args = [("path", s(path.display()))];
                eprintln!("{}", msg("logs-none-yet", &args));
                return Ok(Exit::Problems);
            }
            eprintln!("{}", msg("logs-waiting", &[("path", s(path.display()))]));
            None
        }
        Err(e) => {
            return Err(e).with_context(|| msg("err-reading", &[("path", s(path.display()))]))
        }
    };
    let mut pos = 0u64;
    if let Some(f) = file.as_mut() {
        let (text, end) = last_lines(f, args.tail)
            .with_context(|| msg("err-reading", &[("path", s(path.display()))]))?;
        out.write_all(redact(&text).as_bytes())?;
        out.flush()?;
        pos = end;
    }
    if !args.follow {
        return Ok(Exit::Ok);
    }
    let mut pending = Vec::new();
    loop {
        if let Some(f) = file.as_mut() {
            let mut chunk = Vec::new();
            f.seek(SeekFrom::Start(pos))?;
            let n = f.read_to_end(&mut chunk)?;
            pos += n as u64;
            pending.extend_from_slice(&chunk);
            // Print whole lines only; keep a partial last line for later.
            if let Some(cut) = pending.iter().rposition(|b| *b == b'\n') {
                let text = String::from_utf8_lossy(&pending[..=cut]).into_owned();
                out.write_all(redact(&text).as_bytes())?;
                out.flush()?;
                pending.drain(..=cut);
            }
        }
        std::thread::sleep(FOLLOW_POLL);
        if rotated(&path, file.as_ref(), pos) {
            if let Ok(f) = File::open(&path) {
                file = Some(f);
                pos = 0;
                pending.clear();
            }
        }
    }
}

/// True when `path` now names another file than `open`, or it got shorter
/// than what we read (truncated).
fn rotated(path: &Path, open: Option<&File>, pos: u64) -> bool {
    let Ok(now) = std::fs::metadata(path) else {
        return false;
    };
    match open.and_then(|f| f.metadata().ok()) {
        None => true,
        Some(old) => old.ino() != now.ino() || old.dev() != now.dev() || now.len() < pos,
    }
}

/// The last `n` lines of `file` (reading backwards in blocks, so a large log
/// costs no more than its tail) and the file length read up to.
fn last_lines(file: &mut File, n: usize) -> io::Result<(String, u64)> {
    let len = file.metadata()?.len();
    if n == 0 {
        return Ok((String::new(), len));
    }
    const BLOCK: u64 = 64 * 1024;
    // Blocks newest first; newline count kept as they come, so a long line
    // (no newline for megabytes) costs one pass, not one copy per block.
    let mut start = len;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut newlines = 0;
    let mut ends_with_newline = false;
    loop {
        // A trailing newline ends the last line; it does not start a new one.
        let needed = n + usize::from(ends_with_newline);
        if start == 0 || newlines >= needed {
            break;
        }
        let from = start.saturating_sub(BLOCK);
        let mut block = vec![0u8; (start - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut block)?;
        if blocks.is_empty() {
            ends_with_newline = block.last() == Some(&b'\n');
        }
        newlines += memchr::memchr_iter(b'\n', &block).count();
        blocks.push(block);
        start = from;
    }
    blocks.reverse();
    let buf = blocks.concat();
    let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
    let cut = memchr::memrchr_iter(b'\n', body)
        .nth(n - 1)
        .map(|i| i + 1)
        .unwrap_or(0);
    Ok((String::from_utf8_lossy(&buf[cut..]).into_owned(), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("line {i}\n"));
        }
        std::fs::write(&p, &text).unwrap();
        let mut f = File::open(&p).unwrap();
        let (tail, end) = last_lines(&mut f, 3).unwrap();
        assert_eq!(tail, "line 19997\nline 19998\nline 19999\n");
        assert_eq!(end, text.len() as u64);
        let (all, _) = last_lines(&mut f, 50_000).unwrap();
        assert_eq!(all, text);
        let (tail, _) = last_lines(&mut f, 12_000).unwrap();
        assert!(tail.starts_with("line 8000\n"));
        std::fs::write(&p, "no newline at end").unwrap();
        let mut f = File::open(&p).unwrap();
        assert_eq!(last_lines(&mut f, 1).unwrap().0, "no newline at end");
        assert_eq!(last_lines(&mut f, 0).unwrap().0, "");
    }

    #[test]
    fn last_lines_with_a_line_longer_than_many_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        let long = "x".repeat(1_000_000);
        let text = format!("first\n{long}\nlast\n");
        std::fs::write(&p, &text).unwrap();
        let mut f = File::open(&p).unwrap();
        assert_eq!(last_lines(&mut f, 1).unwrap().0, "last\n");
        assert_eq!(last_lines(&mut f, 2).unwrap().0, format!("{long}\nlast\n"));
        assert_eq!(last_lines(&mut f, 3).unwrap().0, text);
        std::fs::write(&p, &long).unwrap();
        let mut f = File::open(&p).unwrap();
        assert_eq!(last_lines(&mut f, 1).unwrap().0, long);
    }
}
