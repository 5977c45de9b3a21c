//! Link flags for the programs only: no C start files, no libc, a fixed-address static
//! executable. The library and the tests keep the ordinary std link.
fn main() {
    for flag in [
        "-nostartfiles",
        "-nostdlib",
        "-static",
        "-no-pie",
        "-Wl,--build-id=none",
        "-Wl,--no-eh-frame-hdr",
        "-Wl,--gc-sections",
        // A static executable never relocates after start: no RELRO segment or padding.
        "-Wl,-z,norelro",
    ] {
        println!("cargo:rustc-link-arg-bins={flag}");
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{dir}/link.ld");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link.ld");
}
