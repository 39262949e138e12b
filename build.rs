//! Rebuilds the binary when a built-in rule file changes (they are embedded
//! with `include_dir!`, which stable Rust cannot track by itself).

fn main() {
    println!("cargo:rerun-if-changed=rules");
}
