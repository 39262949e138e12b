//! Rules as data: the serde mirror of a rule file, where rules come from
//! (embedded `rules/*.toml` and user directories), and their compiled form.
