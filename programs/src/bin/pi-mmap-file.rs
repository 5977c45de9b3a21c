//! pi over a mapped file: the parent creates a regular file with no name in `$TMPDIR`
//! (else `/tmp`) — `O_TMPFILE`, or created and unlinked at once where the file system has
//! none — reserves its blocks, maps it `MAP_SHARED` and forks. Each worker stores its
//! partial sum's bits in its own 8-byte slot of the mapping. Once every worker has ended,
//! the parent reads the slots back not through the mapping but with `pread` on the file:
//! the page cache is the memory the workers wrote, so the file holds their results with
//! no write and no `msync`. No name, nothing to remove: the file goes with the last
//! descriptor and mapping.
#![no_std]
#![no_main]

use bareipc::errno::{CallError, Context, Errno};
use bareipc::ipc::dir::temp_base;
use bareipc::ipc::mapped_file::MappedFile;
use bareipc::process::{MAX_WORKERS, Run, Workers};
use core::sync::atomic::Ordering::Release;
use programs::app::error::Error;
use programs::app::pi::Job;
use programs::app::protocol;
use programs::app::{self, Pi};
use programs::rt::{Args, Start};

programs::program!("pi-mmap-file", main, errnos: bareipc::errno::FILES);

fn main(args: Args, start: Start) -> i32 {
    app::pi_main(args, start, &PI)
}

static PI: Pi = Pi {
    about: "pi from W workers writing slots of a mapped file with no name",
    hints: &HINTS,
    run,
};

/// Its advice, searched before the common one: `CALL ERRNO text` lines (errno 0: any).
///
/// A file with no name in TMPDIR (else /tmp, else /dev/shm), mapped shared. (Not errno 0
/// for `open`, which may meet the descriptor limit.)
static HINTS: &str = "\
open 95 TMPDIR's file system has no O_TMPFILE (tmpfs, ext4, xfs, btrfs have it): set TMPDIR
open 2 no file can be made in TMPDIR: set TMPDIR
open 20 no file can be made in TMPDIR: set TMPDIR
open 40 no file can be made in TMPDIR: set TMPDIR
open 13 no file can be made in TMPDIR: set TMPDIR
open 30 no file can be made in TMPDIR: set TMPDIR
fallocate 28 TMPDIR's file system is full: set TMPDIR";

fn run(job: &Job, start: &Start) -> Result<f64, Error> {
    let workers = Workers::start(&start.single, &start.no_libc)?;
    let len = 8 * job.workers;
    let file = MappedFile::create_unnamed(temp_base(start.env.get(b"TMPDIR")), len)?;
    let mut run = Run::new(workers, file);
    for index in 0..job.workers {
        run.spawn(&start.single, |file| -> Result<(), Error> {
            let sum = job.partial(index);
            file.mapping().words()[index].store(sum.to_bits(), Release);
            Ok(())
        })?;
    }
    let (workers, file) = run.split();
    workers.reap_all()?;
    // The file's bytes, read through the file: the pages the workers stored into.
    let mut slots = [0u8; 8 * MAX_WORKERS];
    if file.read_at(&mut slots[..len], 0).call("pread")? != len {
        return Err(CallError { call: "pread", errno: Errno::EIO }.into());
    }
    let slot = |i: usize| u64::from_le_bytes(*slots[8 * i..].first_chunk().unwrap_or(&[0; 8]));
    let total = protocol::total_of_bits(job.workers, slot);
    run.keep_until_exit();
    total
}
