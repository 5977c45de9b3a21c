//! The table of commands: each group's words and each verb's arguments, options and the
//! function that runs it. `args::parse` reads it; the verbs' modules never do, so the
//! imports run one way: main → commands → the verbs → args.

use crate::args::{
    COUNT, DGRAM, DRY_RUN, EVENTFD, Group, JSON, LENGTH, MAX_MESSAGES, MESSAGE_SIZE, MODE, NOWAIT,
    OFFSET, PRIORITY, RAW, SEQPACKET, SIZE, TIMEOUT, TYPE, VALUE, VERSION, verb,
};
use crate::{endpoint, list, out, posix, sysv};

const READ: &[usize] = &[OFFSET, LENGTH, RAW];

/// `tcp` and `udp`: the same verbs, the kind from the group's name.
static INET: &[crate::args::Verb] = &[
    verb(1, 1, &[COUNT, TIMEOUT, RAW], endpoint::socket_listen),
    verb(2, 2, &[TIMEOUT], endpoint::socket_send),
];

pub static GROUPS: &[Group] = &[
    Group { name: "", words: "", verbs: &[verb(0, 0, &[VERSION], out::help)] },
    Group { name: "ls", words: "", verbs: &[verb(0, 0, &[JSON], list::ls)] },
    Group { name: "clean", words: "", verbs: &[verb(0, 0, &[DRY_RUN], list::clean)] },
    Group {
        name: "mq",
        words: "create send recv stat rm",
        verbs: &[
            verb(1, 1, &[MODE, MAX_MESSAGES, MESSAGE_SIZE], posix::mq_create),
            verb(2, 2, &[PRIORITY, TIMEOUT], posix::mq_send),
            verb(1, 1, &[TIMEOUT, RAW], posix::mq_recv),
            verb(1, 1, &[], list::stat),
            verb(1, 1, &[], posix::rm),
        ],
    },
    Group {
        name: "msg",
        words: "create send recv stat rm",
        verbs: &[
            verb(0, 1, &[MODE], sysv::create),
            verb(3, 3, &[NOWAIT], sysv::msg_send),
            verb(1, 1, &[TYPE, NOWAIT, RAW], sysv::msg_recv),
            verb(1, 1, &[], list::stat),
            verb(1, 1, &[], sysv::rm),
        ],
    },
    Group {
        name: "sem",
        words: "create post wait value rm",
        verbs: &[
            verb(1, 1, &[MODE, VALUE], posix::sem_create),
            verb(1, 1, &[], posix::sem_post),
            verb(1, 1, &[TIMEOUT], posix::sem_wait),
            verb(1, 1, &[], posix::sem_value),
            verb(1, 1, &[], posix::rm),
        ],
    },
    Group {
        name: "shm",
        words: "create read write stat rm",
        verbs: &[
            verb(1, 1, &[MODE, SIZE], posix::shm_create),
            verb(1, 1, READ, posix::shm_read),
            verb(2, 2, &[OFFSET], posix::shm_write),
            verb(1, 1, &[], list::stat),
            verb(1, 1, &[], posix::rm),
        ],
    },
    Group {
        name: "sysv-sem",
        words: "create op value rm",
        verbs: &[
            verb(0, 1, &[MODE, COUNT], sysv::create),
            verb(3, 3, &[NOWAIT, TIMEOUT], sysv::sem_op),
            verb(1, 1, &[], list::stat),
            verb(1, 1, &[], sysv::rm),
        ],
    },
    Group {
        name: "sysv-shm",
        words: "create read write stat rm",
        verbs: &[
            verb(0, 1, &[MODE, SIZE], sysv::create),
            verb(1, 1, READ, sysv::shm_read),
            verb(2, 2, &[OFFSET], sysv::shm_write),
            verb(1, 1, &[], list::stat),
            verb(1, 1, &[], sysv::rm),
        ],
    },
    Group {
        name: "fifo",
        words: "create write read",
        verbs: &[
            verb(1, 1, &[MODE], endpoint::fifo_create),
            verb(2, 2, &[TIMEOUT], endpoint::fifo_write),
            verb(1, 1, &[TIMEOUT, RAW], endpoint::fifo_read),
        ],
    },
    Group {
        name: "unix",
        words: "listen send",
        verbs: &[
            verb(1, 1, &[SEQPACKET, DGRAM, COUNT, TIMEOUT, RAW], endpoint::socket_listen),
            verb(2, 2, &[SEQPACKET, DGRAM, TIMEOUT], endpoint::socket_send),
        ],
    },
    Group { name: "tcp", words: "listen send", verbs: INET },
    Group { name: "udp", words: "listen send", verbs: INET },
    Group {
        name: "fd",
        words: "serve take",
        verbs: &[
            verb(2, 2, &[EVENTFD, COUNT, TIMEOUT], endpoint::fd_serve),
            verb(1, 1, &[TIMEOUT, RAW], endpoint::fd_take),
        ],
    },
    Group {
        name: "signal",
        words: "send wait",
        verbs: &[
            verb(3, 3, &[], endpoint::signal_send),
            verb(1, 1, &[TIMEOUT], endpoint::signal_wait),
        ],
    },
];
