//! `ls`, `clean`, and the rows that `stat` prints: every object of the IPC namespace and
//! of the file systems POSIX IPC lives in, found with no help from /proc.
//!
//! POSIX queues are the entries of the mqueue file system at /dev/mqueue (checked with
//! `fstatfs`: an empty directory there is not a mount); shared memory and glibc's named
//! semaphores are the regular files of /dev/shm; the System V objects are the kernel's
//! tables, read with `*ctl(…_STAT_ANY)` — what /proc/sysvipc shows, without /proc.
//! `clean` walks the same, and removes (and shows) only what dead bareipc runs left.

use crate::args::{Cmd, DRY_RUN, Done, JSON, OrFail};
use crate::out::Out;
use bareipc::errno::Errno;
use bareipc::fmt::Line;
use bareipc::ipc::mq::{self, Access, MessageQueue};
use bareipc::ipc::msg::{self, MsqidDs};
use bareipc::ipc::name::Name;
use bareipc::ipc::semset::{self, SemaphoreSet, SemidDs};
use bareipc::ipc::shmseg::{self, ShmidDs};
use bareipc::ipc::{sem, shm};
use core::ffi::CStr;
use core::mem::MaybeUninit;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

/// The first bytes of the file at `path` into `buf`: how many (0 if it cannot be read).
fn read_start(path: &CStr, buf: &mut [u8]) -> usize {
    let Ok(fd) =
        rustix::fs::openat(rustix::fs::CWD, path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
    else {
        return 0;
    };
    let mut len = 0;
    while len < buf.len() {
        match rustix::io::read(&fd, &mut buf[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    len
}

/// The mqueue file system's magic number (`statfs.f_type`).
const MQUEUE_MAGIC: u64 = 0x1980_0202;

/// Rows to stdout, as a table or as JSON; notes (what could not be listed) at the end.
pub struct Lister<'a> {
    o: Out,
    json: bool,
    /// `clean`: Some(dry run), and only dead runs' objects are shown (and removed).
    clean: Option<bool>,
    rows: usize,
    /// Fields of the current row so far.
    fields: usize,
    notes: [(&'static str, Option<Errno>); 6],
    nnotes: usize,
    /// `stat`: the one object to show, by kind and name (or id).
    only: Option<(&'static str, Label<'a>)>,
    /// `TMPDIR`, where the programs make their FIFOs and socket files.
    tmpdir: Option<&'static CStr>,
    /// The start of /etc/passwd, read at a table's first row (owners by name), and how
    /// much of it: None until read, Some(0) where there is none (an empty root).
    users: [u8; USERS],
    users_len: Option<usize>,
}

/// How much of /etc/passwd `ls` reads: owners further down show as numbers.
const USERS: usize = 16384;

/// A value in a row.
enum Val<'a> {
    Num(i64),
    Text(&'a [u8]),
    /// A System V key, in hex.
    Key(i32),
    Mode(u32),
    /// None (a POSIX object's id).
    Null,
    /// The start of a list of numbers, which the caller writes (and ends, in JSON).
    List,
}

/// How a row names its object: a POSIX name, or a System V key and id.
#[derive(Clone, Copy)]
pub enum Label<'a> {
    Name(&'a Name),
    Key(i32, i32),
}

impl Lister<'_> {
    pub fn new(json: bool, clean: Option<bool>) -> Lister<'static> {
        let mut o = Out::new();
        if json {
            o.str("{\"objects\": [");
        } else {
            o.str("KIND      NAME/KEY                  ID        DETAILS\n");
        }
        let notes = [("", None); 6];
        Lister {
            o,
            json,
            clean,
            rows: 0,
            fields: 0,
            notes,
            nnotes: 0,
            only: None,
            tmpdir: None,
            users: [0; USERS],
            users_len: None,
        }
    }

    #[inline(never)]
    fn note(&mut self, text: &'static str, errno: Option<Errno>) {
        if self.nnotes < self.notes.len() {
            self.notes[self.nnotes] = (text, errno);
            self.nnotes += 1;
        }
    }

    /// What to do with an object: show it (always in a listing; in `clean`, only a dead
    /// run's), and — `Some(true)` — remove it first (`clean` but not a dry run).
    /// Whether the rows of `kind` are wanted (`stat` wants one kind).
    fn wants(&self, kind: &str) -> bool {
        self.only.is_none_or(|(k, _)| k == kind)
    }

    fn take(&self, dead: bool) -> Option<bool> {
        match self.clean {
            None => Some(false),
            Some(dry) => dead.then_some(!dry),
        }
    }

    /// Starts a row: kind, name (or key) and id — a table's three columns — then owner
    /// and mode, its first details.
    pub fn row(&mut self, kind: &str, label: Label<'_>, uid: u32, mode: u32) {
        self.o.mute = self.only.is_some_and(|(k, only)| {
            k != kind
                || match (only, label) {
                    (Label::Name(a), Label::Name(b)) => a != b,
                    (Label::Key(_, a), Label::Key(_, b)) => a != b,
                    _ => true,
                }
        });
        self.rows += !self.o.mute as usize;
        self.fields = 0;
        self.put("kind", Val::Text(kind.as_bytes()));
        match label {
            Label::Name(n) => {
                self.put("name", Val::Text(n.as_bytes()));
                self.put("id", Val::Null);
            }
            Label::Key(k, id) => {
                self.put("key", Val::Key(k));
                self.put("id", Val::Num(id as i64));
            }
        }
        // A table names the owner where /etc/passwd does; JSON keeps the number.
        let mut name = [0u8; 32];
        match self.user(uid, &mut name) {
            Some(n) if !self.json => self.put("owner", Val::Text(&name[..n])),
            _ => self.put("owner", Val::Num(uid as i64)),
        }
        self.put("mode", Val::Mode(mode));
    }

    /// The name /etc/passwd gives `uid` (at most 32 bytes, copied into `name`), reading
    /// the file at the first call: `openat`, `read` until full or its end, `close`.
    fn user(&mut self, uid: u32, name: &mut [u8; 32]) -> Option<usize> {
        if self.json {
            return None;
        }
        let len =
            *self.users_len.get_or_insert_with(|| read_start(c"/etc/passwd", &mut self.users));
        let mut digits = Line::new();
        digits.u64(uid as u64);
        // Each line: name:password:uid:…
        for line in self.users[..len].split(|&b| b == b'\n') {
            let mut fields = line.split(|&b| b == b':');
            let (user, _, id) = (fields.next()?, fields.next(), fields.next());
            if id == Some(digits.as_bytes()) && !user.is_empty() && user.len() <= name.len() {
                name[..user.len()].copy_from_slice(user);
                return Some(user.len());
            }
        }
        None
    }

    /// One field of the current row: `"key": value` in JSON; in a table, the value in
    /// its column (the first three) or `key=value` among the details.
    #[inline(never)]
    fn put(&mut self, key: &str, v: Val<'_>) {
        let (col, json, o) = (self.fields, self.json, &mut self.o);
        self.fields += 1;
        if json {
            o.str(match (col, self.rows) {
                (0, 1) => "\n  {",
                (0, _) => ",\n  {",
                _ => ", ",
            });
            o.str("\"").str(key).str("\": ");
        } else if col > 2 {
            o.str(if col > 3 { " " } else { "" }).str(key).str("=");
        }
        let quote = if json { "\"" } else { "" };
        match v {
            Val::Num(n) => o.i64(n),
            Val::Text(t) if json => o.json(t),
            Val::Text(t) => o.escaped(t),
            Val::Key(k) => o.str(quote).key(k).str(quote),
            Val::Mode(m) => o.str(quote).mode(m).str(quote),
            Val::Null => o.str(if json { "null" } else { "-" }),
            Val::List => o.str(if json { "[" } else { "" }),
        };
        if !json && col < 3 {
            o.pad([10, 36, 46][col]);
        }
    }

    fn field(&mut self, key: &str, v: i64) {
        self.put(key, Val::Num(v));
    }

    fn end(&mut self) {
        self.o.str(if self.json { "}" } else { "\n" });
    }

    /// The notes, the end of the JSON, and out.
    pub fn finish(mut self) -> Done {
        let json = self.json;
        let o = &mut self.o;
        o.mute = false;
        // `clean` says what it did: the rows are what it removed, or would have.
        match self.clean {
            Some(true) => o.str("# dry run: would remove ").i64(self.rows as i64).str("\n"),
            Some(false) => o.str("# removed ").i64(self.rows as i64).str("\n"),
            None => o,
        };
        o.str(if json { "\n], \"notes\": [" } else { "" });
        for (i, (text, errno)) in self.notes[..self.nnotes].iter().enumerate() {
            o.str(match (json, i) {
                (false, _) => "# ",
                (true, 0) => "\n  \"",
                (true, _) => ",\n  \"",
            });
            o.str(text);
            if let Some(name) = errno.and_then(Errno::name) {
                o.str(": ").str(name);
            }
            o.str(if json { "\"" } else { "\n" });
        }
        o.str(if json { "\n]}\n" } else { "" });
        o.flush()
    }
}

/// A POSIX queue's row: owner and mode from `st`, the rest from the open queue `q`.
pub fn mq_row(l: &mut Lister, name: &Name, st: &Stat, q: Option<&MessageQueue>) {
    l.row("mq", Label::Name(name), st.st_uid, st.st_mode);
    if let Some(a) = q.and_then(|q| q.attributes().ok()) {
        l.field("messages", a.curmsgs);
        l.field("max_messages", a.maxmsg);
        l.field("message_size", a.msgsize);
    }
    l.end();
}

/// A file of /dev/shm's row: a shared memory object's size, or a semaphore's value (read
/// with `pread`, never mapped: `value`), or what is wrong with it.
pub fn file_row(l: &mut Lister, kind: &str, name: &Name, st: &Stat, value: Option<u32>) {
    l.row(kind, Label::Name(name), st.st_uid, st.st_mode);
    if kind == "shm" || st.st_size < 32 {
        l.field("size", st.st_size);
    }
    match value {
        _ if kind == "shm" => {}
        _ if st.st_size < 32 => l.put("state", Val::Text(b"not a semaphore: shorter than a sem_t")),
        Some(v) => l.field("value", v as i64),
        None => {}
    }
    l.end();
}

pub fn msg_row(l: &mut Lister, id: i32, ds: &MsqidDs) {
    l.row("msg", Label::Key(ds.key, id), ds.uid, ds.mode);
    l.field("messages", ds.qnum as i64);
    l.field("bytes", ds.cbytes as i64);
    l.field("max_bytes", ds.qbytes as i64);
    l.field("last_send_pid", ds.lspid as i64);
    l.field("last_recv_pid", ds.lrpid as i64);
    l.end();
}

/// A semaphore set's row: its values and the pid of the last process that changed each,
/// where the caller may read them (the first [`SHOWN`]: `shown` says so in a larger set).
pub fn sem_row(l: &mut Lister, id: i32, ds: &SemidDs) {
    /// How many semaphores of a set a row shows.
    const SHOWN: u64 = 64;
    l.row("sysv-sem", Label::Key(ds.perm.key, id), ds.perm.uid, ds.perm.mode);
    l.field("semaphores", ds.nsems as i64);
    if ds.nsems > SHOWN {
        l.field("shown", SHOWN as i64);
    }
    let set = SemaphoreSet::from_id(id);
    // Where the caller may read them: each semaphore's value, then its last pid (one
    // call each: the first refused ends the list, which is then left out).
    let json = l.json;
    for (key, pids) in [("values", false), ("last_pids", true)] {
        let mut shown = 0;
        for num in 0..ds.nsems.min(SHOWN) as u16 {
            let Ok(v) = (if pids { set.last_pid(num) } else { set.value(num) }) else { break };
            if shown == 0 {
                l.put(key, Val::List);
            }
            l.o.str(if shown > 0 { "," } else { "" }).i64(v as i64);
            shown += 1;
        }
        l.o.str(if json && shown > 0 { "]" } else { "" });
    }
    l.end();
}

pub fn seg_row(l: &mut Lister, id: i32, ds: &ShmidDs) {
    l.row("sysv-shm", Label::Key(ds.perm.key, id), ds.perm.uid, ds.perm.mode);
    l.field("size", ds.segsz as i64);
    l.field("attached", ds.nattch as i64);
    l.field("creator_pid", ds.cpid as i64);
    l.field("last_pid", ds.lpid as i64);
    if ds.perm.mode & shmseg::SHM_DEST != 0 {
        l.put("state", Val::Text(b"removed: destroyed at the last detach"));
    }
    if ds.perm.mode & shmseg::SHM_LOCKED != 0 {
        l.put("locked", Val::Text(b"in memory (SHM_LOCK)"));
    }
    l.end();
}

/// A directory of IPC objects, opened for listing (`O_DIRECTORY`: anything else there
/// is refused, never read).
fn open_dir(path: &CStr) -> Result<OwnedFd, Errno> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::empty())?;
    bareipc::io::opened(&fd);
    Ok(fd)
}

/// Calls `each(name, stat)` for each entry of `dir` but `.` and `..` (`statat` without
/// following links; an entry that vanished meanwhile is passed over); stops at the
/// first failure of `each`.
fn entries(dir: &OwnedFd, each: &mut dyn FnMut(&CStr, &Stat) -> Done) -> Done {
    let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
    let mut it = rustix::fs::RawDir::new(dir.as_fd(), &mut buf);
    while let Some(entry) = it.next() {
        let entry = entry.map_err(Errno::from).or_fail("getdents64")?;
        let name = entry.file_name();
        if !matches!(name.to_bytes(), b"." | b"..")
            && let Ok(st) = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        {
            each(name, &st)?;
        }
    }
    Ok(())
}

/// `/` + an entry's name, or None if that is no POSIX name.
fn slashed(name: &[u8]) -> Option<Name> {
    let mut buf = [b'/'; Name::CAPACITY];
    buf.get_mut(1..=name.len())?.copy_from_slice(name);
    Name::new(&buf[..=name.len()]).ok()
}

pub fn ls(cmd: &Cmd) -> Done {
    let mut l = Lister::new(cmd.flag(JSON), None);
    l.tmpdir = cmd.tmpdir;
    walk(&mut l)?;
    l.finish()
}

pub fn clean(cmd: &Cmd) -> Done {
    let mut l = Lister::new(false, Some(cmd.flag(DRY_RUN)));
    l.tmpdir = cmd.tmpdir;
    walk(&mut l)?;
    l.finish()
}

/// `stat` (and `sysv-sem value`): the row of one object, found where `ls` finds it.
pub fn stat(cmd: &Cmd) -> Done {
    let kind = cmd.group.name;
    let posix = matches!(kind, "mq" | "shm");
    let name = if posix { Some(crate::args::name(cmd.pos[0])?) } else { None };
    let mut l = Lister::new(false, None);
    l.only = Some((
        kind,
        match &name {
            Some(name) => Label::Name(name),
            None => Label::Key(0, crate::sysv::target(cmd)?),
        },
    ));
    let shown = walk(&mut l)?;
    l.finish()?;
    match shown {
        0 => Err(crate::args::call_failed("stat", Errno::ENOENT)),
        _ => Ok(()),
    }
}

/// Every source in turn: POSIX queues, /dev/shm, the three System V tables, the files
/// the programs make in the temporary directory; returns how many rows were shown.
fn walk(l: &mut Lister) -> Done<usize> {
    if l.wants("mq") {
        queues(l)?;
    }
    if l.wants("shm") || l.wants("sem") {
        dev_shm(l)?;
    }
    sysv(l)?;
    if l.wants("fifo") && l.only.is_none() {
        temp_files(l)?;
    }
    Ok(l.rows)
}

/// The FIFOs and socket files of pi-fifo and pi-unix in the temporary directory (TMPDIR,
/// else /tmp, else /dev/shm: where they make them), `bareipc-TAG-PID-RANDOM`: rows of
/// kind `fifo` and `socket`. (Other entries there are no business of the tool's.)
fn temp_files(l: &mut Lister) -> Done {
    let base = bareipc::ipc::dir::temp_base(l.tmpdir);
    let Ok(dir) = open_dir(base) else { return Ok(()) };
    entries(&dir, &mut |file, st| {
        let entry = file.to_bytes();
        let kind = match FileType::from_raw_mode(st.st_mode) {
            FileType::Fifo => "fifo",
            FileType::Socket => "socket",
            _ => return Ok(()),
        };
        let Some(name) = slashed(entry).filter(|_| entry.starts_with(b"bareipc-")) else {
            return Ok(());
        };
        if let Some(remove) = l.take(dead_runs(entry, st, 10)) {
            l.row(kind, Label::Name(&name), st.st_uid, st.st_mode);
            l.end();
            if remove {
                rustix::fs::unlinkat(&dir, file, AtFlags::empty())
                    .map_err(Errno::from)
                    .or_fail("unlink")?;
            }
        }
        Ok(())
    })
}

/// POSIX queues: the mqueue mount's entries, each opened (to read, else to write) for
/// its attributes — shown without them where neither is allowed.
fn queues(l: &mut Lister) -> Done {
    // Any other file system there (the empty directory of a root file system) is not
    // where queues are: no errno to name then.
    let dir = open_dir(c"/dev/mqueue").map_err(Some).and_then(|d| match rustix::fs::fstatfs(&d) {
        Ok(fs) if fs.f_type as u64 == MQUEUE_MAGIC => Ok(d),
        _ => Err(None),
    });
    let dir = match dir {
        Ok(dir) => dir,
        Err(e) => {
            l.note("mq not listed: no mqueue file system at /dev/mqueue (mount -t mqueue none /dev/mqueue)", e);
            return Ok(());
        }
    };
    let mut foreign = false;
    let r = entries(&dir, &mut |file, st| {
        let entry = file.to_bytes();
        let Some(name) = slashed(entry) else { return Ok(()) };
        let q = match MessageQueue::open(&name, Access::Read) {
            Err(Errno::EACCES) => MessageQueue::open(&name, Access::Write),
            q => q,
        };
        // A name the mount shows but mq_open cannot find (and not one removed meanwhile):
        // the mount is another IPC namespace's (a bind mount of the host's, say), whose
        // queues are no business of this namespace's — listed, never removed.
        let elsewhere = q.as_ref().err() == Some(&Errno::ENOENT)
            && rustix::fs::statat(&dir, file, AtFlags::SYMLINK_NOFOLLOW).is_ok();
        foreign |= elsewhere;
        // In `clean`, the row comes first: it shows the queue as it was.
        if let Some(remove) = l.take(dead_runs_posix(entry, st) && !elsewhere) {
            mq_row(l, &name, st, q.as_ref().ok());
            if remove {
                mq::unlink(&name).or_fail("mq_unlink")?;
            }
        }
        Ok(())
    });
    if foreign {
        l.note(
            "mq: /dev/mqueue is another IPC namespace's mount: its queues cannot be opened here",
            None,
        );
    }
    r
}

/// /dev/shm: `sem.NAME` files are glibc's named semaphores, other regular files shared
/// memory objects.
fn dev_shm(l: &mut Lister) -> Done {
    let dir = match open_dir(c"/dev/shm") {
        Ok(dir) => dir,
        Err(e) => {
            l.note("POSIX shm and sem not listed: no /dev/shm", Some(e));
            return Ok(());
        }
    };
    entries(&dir, &mut |file, st| {
        let entry = file.to_bytes();
        let (kind, bare) = match entry.strip_prefix(b"sem.") {
            Some(rest) => ("sem", rest),
            None => ("shm", entry),
        };
        let Some(name) = slashed(bare).filter(|_| FileType::from_raw_mode(st.st_mode).is_file())
        else {
            return Ok(());
        };
        if let Some(remove) = l.take(dead_runs_posix(bare, st)) {
            let value = if kind == "sem" { sem_value(&dir, file).ok() } else { None };
            file_row(l, kind, &name, st, value);
            if remove {
                if kind == "sem" { sem::unlink(&name) } else { shm::unlink(&name) }
                    .or_fail("unlink")?;
            }
        }
        Ok(())
    })
}

/// The first 4 bytes of file `entry` of `dir` (a semaphore's value), read with `pread`,
/// never mapped; O_NONBLOCK: a FIFO put there meanwhile cannot block the open. EIO for a
/// file shorter than that.
fn sem_value(dir: &OwnedFd, entry: &CStr) -> Result<u32, Errno> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, entry, flags, Mode::empty())?;
    bareipc::io::opened(&fd);
    let mut word = [0u8; 4];
    match rustix::io::pread(&fd, &mut word, 0)? {
        4 => Ok(u32::from_le_bytes(word)),
        _ => Err(Errno::EIO),
    }
}

/// The three System V tables.
fn sysv(l: &mut Lister) -> Done {
    let mut failed = Ok(());
    let r = if !l.wants("msg") {
        Ok(())
    } else {
        msg::list(|id, ds| {
            let take = l.take(msg::is_dead_runs(ds.key, ds.cuid, ds.mode));
            if take.is_some() && failed.is_ok() {
                msg_row(l, id, ds);
            }
            if take == Some(true) && failed.is_ok() {
                failed = msg::SysvQueue::from_id(id).remove().or_fail("msgctl");
            }
        })
    };
    if let Err(e) = r {
        l.note("msg not listed: msgctl", Some(e));
    }
    failed?;
    let r = if !l.wants("sysv-sem") {
        Ok(())
    } else {
        semset::list(|id, ds| {
            let take = l.take(semset::is_dead_runs(ds.perm.key, ds.perm.cuid, ds.perm.mode));
            if take.is_some() && failed.is_ok() {
                sem_row(l, id, ds);
            }
            if take == Some(true) && failed.is_ok() {
                failed = SemaphoreSet::from_id(id).remove().or_fail("semctl");
            }
        })
    };
    if let Err(e) = r {
        l.note("sysv-sem not listed: semctl", Some(e));
    }
    failed?;
    // A run leaves a segment only when killed between its shmget and its IPC_RMID: then
    // under the run's key.
    let r = if !l.wants("sysv-shm") {
        Ok(())
    } else {
        shmseg::list(|id, ds| {
            let take = l.take(shmseg::is_dead_runs(ds.perm.key, ds.perm.cuid, ds.perm.mode));
            if take.is_some() && failed.is_ok() {
                seg_row(l, id, ds);
            }
            if take == Some(true) && failed.is_ok() {
                failed = shmseg::Segment::from_id(id).remove().or_fail("shmctl");
            }
        })
    };
    if let Err(e) = r {
        l.note("sysv-shm not listed: shmctl", Some(e));
    }
    failed
}

/// Whether a POSIX object's entry is a dead bareipc run's: named
/// `bareipc-TAG-PID-RANDOM` (16 hex digits), created by this user with mode 0600 or 0,
/// and no process has that pid.
fn dead_runs_posix(name: &[u8], st: &Stat) -> bool {
    dead_runs(name, st, 16) && matches!(st.st_mode & 0o777, 0 | 0o600)
}

/// Whether an entry is a dead bareipc run's: named `bareipc-TAG-PID-RANDOM` (RANDOM in
/// base `radix`: 16 hex digits, or up to 20 decimal ones), owned by this user, and no
/// process has that pid.
fn dead_runs(name: &[u8], st: &Stat, radix: u32) -> bool {
    let Some(rest) = name.strip_prefix(b"bareipc-") else { return false };
    let mut parts = rest.rsplitn(3, |&b| b == b'-');
    let (random, pid) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let size = if radix == 16 { random.len() == 16 } else { (1..=20).contains(&random.len()) };
    let pid = crate::args::digits(pid, 10);
    parts.next().is_some()
        && size
        && crate::args::digits(random, radix).is_some()
        && st.st_uid == rustix::process::geteuid().as_raw()
        && pid
            .and_then(|p| rustix::process::Pid::from_raw(p.min(1 << 30) as i32))
            .is_some_and(|p| rustix::process::test_kill_process(p) == Err(rustix::io::Errno::SRCH))
}
