#!/usr/bin/env python3
"""strip-section-headers.py FILE...: removes the section header table (and the section
names after it) from static ELF executables, in place — what `sstrip` does.

The kernel loads an executable through its program headers only; section headers serve
linkers and debuggers. In a stripped bareipc binary they are 7 entries of 64 bytes plus
their names, about 500 bytes of a 16 KiB budget. strace, perf and the tests read program
headers, which stay intact: nothing that any segment maps is touched.

Refuses (exit 1, file unchanged) anything but a little-endian ELF64 executable whose
section data past the segments is exactly what would be cut. Running it twice is a no-op.
"""
import struct
import sys


def strip(path):
    with open(path, "rb") as f:
        b = bytearray(f.read())
    if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
        raise SystemExit(f"{path}: not a little-endian ELF64 file")
    e_type, = struct.unpack_from("<H", b, 16)
    if e_type != 2:
        raise SystemExit(f"{path}: not an executable (ET_EXEC)")
    e_phoff, e_shoff = struct.unpack_from("<QQ", b, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", b, 54)
    if e_shoff == 0:
        return 0  # already stripped
    end = e_phoff + e_phentsize * e_phnum
    for i in range(e_phnum):
        p_offset, = struct.unpack_from("<Q", b, e_phoff + i * e_phentsize + 8)
        p_filesz, = struct.unpack_from("<Q", b, e_phoff + i * e_phentsize + 32)
        # A segment with nothing in the file (.bss only) reads no byte of it: its offset
        # may lie past the end (the linker aligns it to the next 64 KiB page on aarch64).
        if p_filesz:
            end = max(end, p_offset + p_filesz)
    if e_shoff < end:
        raise SystemExit(f"{path}: section headers overlap a segment; left as is")
    struct.pack_into("<Q", b, 40, 0)  # e_shoff
    struct.pack_into("<HHH", b, 58, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    saved = len(b) - end
    with open(path, "wb") as f:
        f.write(b[:end])
    return saved


def main():
    # Every file, and a failure for any that could not be stripped.
    failed = 0
    for path in sys.argv[1:]:
        try:
            strip(path)
        except SystemExit as e:
            print(e, file=sys.stderr)
            failed = 1
    sys.exit(failed)


if __name__ == "__main__":
    main()
