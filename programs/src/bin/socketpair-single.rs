//! One process, one socket pair: end A sends a message to end B, B answers on the same
//! connection — both directions of a full-duplex channel.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::fmt::Line;
use bareipc::ipc::socket;
use programs::app::error::Error;
use programs::rt::{Args, Start};

programs::program!("socketpair-single", main, errnos: bareipc::errno::SOCKETS);

fn main(args: Args, _: Start) -> i32 {
    programs::app::demo_main(
        args,
        "send a message across a socket pair and answer it",
        b"hello from end a",
        run,
    )
}

fn run(message: &[u8]) -> Result<Line, Error> {
    let (a, b) = socket::stream_pair().call("socketpair")?;
    let mut buf = [0u8; programs::app::MAX_MESSAGE + 16];
    let mut out = Line::new();

    a.write_all(message).call("write")?;
    let got = b.read_full(&mut buf[..message.len()]).call("read")?;
    out.str("a -> b: ").bytes(&buf[..got]).str("\n");

    let reply_len = got + 10;
    buf.copy_within(..got, 10);
    buf[..10].copy_from_slice(b"b got it: ");
    b.write_all(&buf[..reply_len]).call("write")?;
    let got = a.read_full(&mut buf[..reply_len]).call("read")?;
    out.str("b -> a: ").bytes(&buf[..got]).str("\n");
    Ok(out)
}
