"""Identifying payload files.

A bare-metal guest is a raw binary and carries no header, so "a RISC-V image"
can only be checked by what it must not be: empty, an ELF file (QEMU would
load it, the hypervisor will not), a compressed file, or another
architecture's Linux Image. A Linux kernel must carry the RISC-V Image header
(Documentation/arch/riscv/boot-image-header.rst): magic "RISCV\\0\\0\\0" at
offset 48 and magic2 "RSC\\x05" at offset 56; its image_size field (offset
16) is the memory the kernel needs from its load address, bss included.
"""

import struct

HEADER_SIZE = 64
RISCV_MAGIC = b"RISCV\0\0\0"
RISCV_MAGIC2 = b"RSC\x05"
ARM64_MAGIC = b"ARM\x64"


class Image:
    """What a payload file is and how much memory it needs."""

    def __init__(self, size, kind, image_size):
        self.size = size
        self.kind = kind
        self.image_size = image_size

    @property
    def footprint(self):
        """Bytes of capsule memory the kernel occupies, from its load address."""
        return max(self.size, self.image_size)


class NotAnImage(Exception):
    def __init__(self, message, hint):
        super().__init__(message)
        self.message = message
        self.hint = hint


def has_linux_header(head):
    return (len(head) >= HEADER_SIZE and head[48:56] == RISCV_MAGIC
            and head[56:60] == RISCV_MAGIC2)


def inspect_kernel(path, declared_kind):
    """Return an Image for path; declared_kind is 'linux', 'bare-metal' or None.

    None means the kind is not declared (a kernel named directly in a config):
    it is then taken from the header. Raises NotAnImage.
    """
    with open(path, "rb") as stream:
        head = stream.read(HEADER_SIZE)
        stream.seek(0, 2)
        size = stream.tell()
    if size == 0:
        raise NotAnImage("is empty", "build the guest again; its Makefile produced nothing")
    if head.startswith(b"\x7fELF"):
        raise NotAnImage("is an ELF file, not a raw image",
                         "convert it: riscv64-unknown-elf-objcopy -O binary IN.elf OUT.bin")
    if head.startswith(b"\x1f\x8b"):
        raise NotAnImage("is gzip-compressed",
                         "use the uncompressed Image; the hypervisor does not decompress")
    if head[56:60] == ARM64_MAGIC:
        raise NotAnImage("is an arm64 Linux Image, not RISC-V",
                         "use a riscv64 kernel (Debian: linux-image-*-riscv64)")
    linux = has_linux_header(head)
    if declared_kind == "linux" and not linux:
        raise NotAnImage("has no RISC-V Linux Image header (magic 'RISCV' at offset 48)",
                         "use arch/riscv/boot/Image, not vmlinux or a compressed image")
    kind = declared_kind or ("linux" if linux else "bare-metal")
    image_size = struct.unpack_from("<Q", head, 16)[0] if linux else 0
    return Image(size, kind, image_size)


def file_size(path):
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        return stream.tell()
