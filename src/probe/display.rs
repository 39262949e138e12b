//! The `display` probe: is this host headless (no `DISPLAY` and no
//! `WAYLAND_DISPLAY` in the captured environment)? Headless is not a fault
//! by itself, so the status is always `Ok`; rules for logins that need a
//! browser or a QR window use `display.headless`.
//!
//! Facts: `display.headless`.

use super::{Evidence, ProbeEnv, Status};
use crate::i18n::msg;
use crate::vocab::ProbeName;

pub(crate) fn probe(env: &ProbeEnv) -> Evidence {
    let display = env.var("DISPLAY");
    let wayland = env.var("WAYLAND_DISPLAY");
    let summary = match (display, wayland) {
        (None, None) => msg!("display-headless"),
        (Some(d), _) => msg!("display-graphical", var = "DISPLAY", value = d),
        (None, Some(w)) => msg!("display-graphical", var = "WAYLAND_DISPLAY", value = w),
    };
    Evidence::new(ProbeName::Display, Status::Ok, summary)
        .fact("display.headless", display.is_none() && wayland.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::testutil::Staged;

    #[test]
    fn headless_unless_a_display_is_set() {
        let mut s = Staged::new(None, &[]);
        assert_eq!(probe(&s.env).get("display.headless"), Some(&true.into()));
        s.set_var("DISPLAY", "");
        assert_eq!(
            probe(&s.env).get("display.headless"),
            Some(&true.into()),
            "empty counts as unset"
        );
        s.set_var("WAYLAND_DISPLAY", "wayland-0");
        assert_eq!(probe(&s.env).get("display.headless"), Some(&false.into()));
        s.env.env.clear();
        s.set_var("DISPLAY", ":0");
        let e = probe(&s.env);
        assert_eq!(e.get("display.headless"), Some(&false.into()));
        assert!(e.summary.contains(":0"));
    }
}
