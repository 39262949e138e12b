//! A rule match plus probe evidence → Confirmed | Refuted | Inconclusive.
