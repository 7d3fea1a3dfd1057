// rusthot: a Rust hot loop, for the demangling tests (built by the
// end-to-end test itself when rustc is there, once with the legacy symbol
// mangling and once with v0).
//
//   rusthot SECONDS
//
// Spends its time in rusthot::spinner::spin.
use std::time::{Duration, Instant};

mod spinner {
    #[inline(never)]
    pub fn spin(mut x: u64, n: u64) -> u64 {
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x = std::hint::black_box(x);
        }
        x
    }
}

fn main() {
    let secs: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    if secs <= 0.0 {
        eprintln!("usage: rusthot SECONDS");
        std::process::exit(2);
    }
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let mut x: u64 = 88172645463325252;
    while Instant::now() < end {
        x = spinner::spin(x, 1_000_000);
    }
    println!("{{\"pid\":{},\"seconds\":{},\"x\":{}}}", std::process::id(), secs, x);
}
