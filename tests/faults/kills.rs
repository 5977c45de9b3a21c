//! The parent killed at every call, and the stop signals.

use super::*;

#[test]
fn parent_killed_at_any_point_leaves_nothing_running() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        cases.push(case(
            p,
            "parent SIGKILLed at its 2nd fork (1 worker running)",
            How::Inject("fork:signal=SIGKILL:when=2"),
            SHORT,
            killed(p),
        ));
        // The parent's blocking call, from the program's manifest: no default.
        let (call, when) = blocking(p);
        let spec: &'static str =
            Box::leak(format!("{call}:signal=SIGKILL:when={when}").into_boxed_str());
        cases.push(case(
            p,
            &format!("parent SIGKILLed in its wait for results ({call} #{when})"),
            How::Inject(spec),
            SHORT,
            killed(p),
        ));
        cases.push(case(
            p,
            "parent SIGKILLed while workers compute",
            signal(None, "KILL"),
            LONG,
            killed(p),
        ));
    }
    run_matrix("parent-killed", &cases);
}

#[test]
fn stop_signals_stop_workers_remove_objects_and_exit_128_plus_signal() {
    let mut cases = Vec::new();
    for p in pi_programs() {
        for (sig, status, text) in [
            ("INT", 130, "stopped by SIGINT"),
            ("TERM", 143, "stopped by SIGTERM"),
            ("HUP", 129, "stopped by SIGHUP"),
        ] {
            cases.push(case(
                p,
                &format!("SIG{sig} to the parent"),
                signal(None, sig),
                LONG,
                want(status, text),
            ));
        }
    }
    run_matrix("stop-signals", &cases);
}
