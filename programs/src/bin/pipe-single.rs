//! One process, one pipe: write a message into the write end, read it back from the read
//! end. The kernel's pipe buffer holds the bytes in between.
#![no_std]
#![no_main]

use bareipc::errno::Context;
use bareipc::fmt::Line;
use bareipc::ipc::pipe;
use programs::app::error::Error;
use programs::rt::{Args, Start};

programs::program!("pipe-single", main);

fn main(args: Args, _: Start) -> i32 {
    programs::app::demo_main(
        args,
        "write a message into a pipe and read it back",
        b"hello through a pipe",
        run,
    )
}

fn run(message: &[u8]) -> Result<Line, Error> {
    let (reader, writer) = pipe::pipe().call("pipe2")?;
    writer.write_all(message).call("write")?;
    drop(writer); // now the reader sees end of file after the message
    let mut buf = [0u8; programs::app::MAX_MESSAGE];
    let got = reader.read_full(&mut buf).call("read")?;
    let mut out = Line::new();
    out.str("wrote ").u64(message.len() as u64).str(" bytes into the pipe\n");
    out.str("read back: ").bytes(&buf[..got]).str("\n");
    Ok(out)
}
