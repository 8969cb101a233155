"""What a file's header says it was built for: ELF, PE and Mach-O, mapped to OCI platforms.

Only headers are read (the first :data:`HEADER_SIZE` bytes); the one exception is 32-bit ARM,
whose architecture version (v5/v6/v7) no header field tells. The ELF flags give only the EABI
version and the float ABI, so the version comes from the ``.ARM.attributes`` section
(``Tag_CPU_arch``), found while the rest of the file streams past (:class:`ArmAttributes`):
a candidate attributes block is parsed where the bytes look like one, and it counts only when
the section header table, read when the stream reaches ``e_shoff``, puts the
``SHT_ARM_ATTRIBUTES`` section at that very offset. A stripped or odd file leaves the variant
unknown, and an unknown variant is never reported as a mismatch.

.NET assemblies are PE files: an IL-only ("AnyCPU") assembly says i386 but runs anywhere, so
it is counted as architecture-neutral; a ReadyToRun assembly for Linux or macOS stores its
machine XOR an OS constant, which is decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER_SIZE = 4096

ET_EXEC, ET_DYN = 2, 3
EM_ARM = 40
SHT_ARM_ATTRIBUTES = 0x70000003

# e_machine -> (name shown, {(ELF class, byte order): OCI architecture})
_LE, _BE = 1, 2
_ELF_MACHINES: dict[int, tuple[str, dict[tuple[int, int], str]]] = {
    3: ("Intel 80386", {(1, _LE): "386"}),
    62: ("x86-64", {(2, _LE): "amd64", (1, _LE): "amd64p32"}),
    40: ("ARM", {(1, _LE): "arm", (1, _BE): "armbe"}),
    183: ("AArch64", {(2, _LE): "arm64", (2, _BE): "arm64be", (1, _LE): "arm64p32"}),
    20: ("PowerPC", {(1, _BE): "ppc", (1, _LE): "ppcle"}),
    21: ("PowerPC64", {(2, _LE): "ppc64le", (2, _BE): "ppc64"}),
    22: ("IBM S/390", {(2, _BE): "s390x", (1, _BE): "s390"}),
    243: ("RISC-V", {(2, _LE): "riscv64", (1, _LE): "riscv32"}),
    8: ("MIPS", {(1, _BE): "mips", (1, _LE): "mipsle", (2, _BE): "mips64", (2, _LE): "mips64le"}),
    258: ("LoongArch", {(2, _LE): "loong64", (1, _LE): "loong32"}),
    2: ("SPARC", {(1, _BE): "sparc"}),
    43: ("SPARC V9", {(2, _BE): "sparc64"}),
    50: ("IA-64", {(2, _LE): "ia64"}),
}
_PE_MACHINES = {
    0x014C: ("Intel 386", "386"),
    0x8664: ("x64", "amd64"),
    0xAA64: ("ARM64", "arm64"),
    0x01C0: ("ARM", "arm"),
    0x01C4: ("ARM Thumb-2", "arm"),
    0xA641: ("ARM64EC", "arm64"),
    0x5064: ("RISC-V 64", "riscv64"),
    0x6264: ("LoongArch 64", "loong64"),
}
# ReadyToRun images for other systems: Machine = real machine XOR this (dotnet/runtime's
# MachineOSOverride).
_R2R_OS = {0x7B79: "linux", 0x4644: "darwin", 0xADC4: "freebsd", 0x1993: "netbsd"}
_MACHO_CPUS = {
    0x01000007: ("x86-64", "amd64"),
    0x0100000C: ("arm64", "arm64"),
    0x0200000C: ("arm64_32", "arm64p32"),
    7: ("i386", "386"),
    12: ("ARM", "arm"),
    18: ("PowerPC", "ppc"),
    0x01000012: ("PowerPC64", "ppc64"),
}
# Tag_CPU_arch -> the OCI variant of 32-bit ARM it needs (ARM's "Addenda to the ABI").
_ARM_CPU_ARCH = {
    0: "v5", 1: "v5", 2: "v5", 3: "v5", 4: "v5", 5: "v5",
    6: "v6", 7: "v6", 8: "v6", 9: "v6", 11: "v6", 12: "v6",
    10: "v7", 13: "v7",
}  # fmt: skip
_ARM_ARCH_NAMES = {
    1: "ARMv4", 2: "ARMv4T", 3: "ARMv5T", 4: "ARMv5TE", 5: "ARMv5TEJ", 6: "ARMv6",
    7: "ARMv6KZ", 8: "ARMv6T2", 9: "ARMv6K", 10: "ARMv7", 11: "ARMv6-M", 12: "ARMv6S-M",
    13: "ARMv7E-M", 14: "ARMv8-A",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BinaryHeader:
    """What a binary's header says it was built for: its format, machine and OCI platform."""

    format: str  # ELF, PE32, PE32+, Mach-O
    machine: str  # as the header names it: "x86-64", "ARM64", "ARM (hard-float)"
    os: str  # linux, windows, darwin
    architecture: str  # OCI spelling where there is one: amd64, arm64, arm, s390x, ...
    variant: str = ""  # arm: v5/v6/v7 when the attributes tell, else ""
    neutral: bool = False  # runs on any architecture (.NET IL-only)

    @property
    def platform(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text


def read_header(head: bytes) -> BinaryHeader | None:
    """The header of an executable or shared object, or None for anything else
    (scripts, data, object files, core dumps, Java classes)."""
    if head[:4] == b"\x7fELF":
        return _elf(head)
    if head[:2] == b"MZ":
        return _pe(head)
    if len(head) >= 8:
        magic = head[:4]
        if magic in (
            b"\xfe\xed\xfa\xce",
            b"\xfe\xed\xfa\xcf",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
        ):
            return _macho(head)
        if magic == b"\xca\xfe\xba\xbe":
            return _fat_macho(head)
    return None


def _elf(head: bytes) -> BinaryHeader | None:
    if len(head) < 52:
        return None
    elf_class, data = head[4], head[5]
    if elf_class not in (1, 2) or data not in (_LE, _BE):
        return None
    order = "<" if data == _LE else ">"
    e_type, e_machine = struct.unpack_from(order + "HH", head, 16)
    if e_type not in (ET_EXEC, ET_DYN):
        return None  # relocatable objects and core dumps do not run
    name, arches = _ELF_MACHINES.get(e_machine, (f"ELF machine {e_machine}", {}))
    arch = arches.get((elf_class, data), f"elf-{e_machine}")
    machine = name
    if e_machine == EM_ARM and elf_class == 1:
        flags = struct.unpack_from(order + "I", head, 36)[0]
        if flags & 0x400:
            machine += " (hard-float)"
        elif flags & 0x200:
            machine += " (soft-float)"
    elif (elf_class, data) not in arches and arches:
        bits = "32" if elf_class == 1 else "64"
        machine += f" ({bits}-bit, {'little' if data == _LE else 'big'}-endian)"
    if data == _BE and e_machine in (22, 21, 20, 8, 2, 43) and "endian" not in machine:
        machine += " (big-endian)"
    return BinaryHeader("ELF", machine, "linux", arch)


def _pe(head: bytes) -> BinaryHeader | None:
    if len(head) < 0x40:
        return None
    offset = struct.unpack_from("<I", head, 0x3C)[0]
    if offset + 24 > len(head) or head[offset : offset + 4] != b"PE\0\0":
        return None
    machine_code, _, _, _, _, optional_size = struct.unpack_from("<HHIIIH", head, offset + 4)
    optional = offset + 24
    magic = struct.unpack_from("<H", head, optional)[0] if optional + 2 <= len(head) else 0
    kind = {0x10B: "PE32", 0x20B: "PE32+"}.get(magic)
    if kind is None:
        return None
    # The CLR header is data directory 14; the directories start at 96 (PE32) or 112 (PE32+).
    directories = optional + (96 if kind == "PE32" else 112)
    count_at = directories - 4
    managed = False
    if optional_size >= directories - optional and count_at + 4 <= len(head):
        count = struct.unpack_from("<I", head, count_at)[0]
        clr = directories + 14 * 8
        if count > 14 and clr + 8 <= len(head):
            managed = struct.unpack_from("<I", head, clr)[0] != 0
    if managed and machine_code == 0x014C:
        return BinaryHeader(kind, ".NET (AnyCPU)", "windows", "any", neutral=True)
    os_name = "windows"
    if machine_code not in _PE_MACHINES and managed:
        for key, system in _R2R_OS.items():
            if machine_code ^ key in _PE_MACHINES:
                machine_code ^= key
                os_name = system
                break
    name, arch = _PE_MACHINES.get(machine_code, (f"machine 0x{machine_code:04x}", ""))
    if not arch:
        arch = f"pe-0x{machine_code:04x}"
    if managed:
        name = f".NET ReadyToRun {name}" + ("" if os_name == "windows" else f" for {os_name}")
    return BinaryHeader(kind, name, os_name, arch)


def _macho(head: bytes) -> BinaryHeader:
    order = ">" if head[:2] == b"\xfe\xed" else "<"
    cpu = struct.unpack_from(order + "I", head, 4)[0]
    name, arch = _MACHO_CPUS.get(cpu, (f"CPU type 0x{cpu:x}", f"macho-0x{cpu:x}"))
    return BinaryHeader("Mach-O", name, "darwin", arch)


def _fat_macho(head: bytes) -> BinaryHeader | None:
    count = struct.unpack_from(">I", head, 4)[0]
    # Java class files share the magic; their next word is a version (45 and up).
    if not 0 < count < 20:
        return None
    names, arches = [], []
    for index in range(count):
        at = 8 + index * 20
        if at + 4 > len(head):
            break
        cpu = struct.unpack_from(">I", head, at)[0]
        name, arch = _MACHO_CPUS.get(cpu, (f"CPU type 0x{cpu:x}", f"macho-0x{cpu:x}"))
        names.append(name)
        arches.append(arch)
    if not arches:
        return None
    return BinaryHeader("Mach-O universal", " + ".join(names), "darwin", "+".join(arches))


# --- 32-bit ARM: the architecture version from .ARM.attributes -------------------------------


def _uleb(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data):
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad ULEB128")


def _ntbs(data: bytes, at: int) -> int:
    end = data.index(b"\0", at)
    return end + 1


def cpu_arch_of(section: bytes) -> int | None:
    """Tag_CPU_arch of an ``.ARM.attributes`` section's "aeabi" subsection, else None."""
    try:
        if section[:1] != b"A":
            return None
        length = struct.unpack_from("<I", section, 1)[0]
        if section[5:11] != b"aeabi\0" or not 11 <= length + 1 <= len(section):
            return None
        at, end = 11, 1 + length
        while at < end:
            tag, after = _uleb(section, at)
            size = struct.unpack_from("<I", section, after)[0]
            stop = min(at + size, end)
            at = after + 4
            if tag != 1:  # only Tag_File's attributes apply to the whole file
                at = stop
                continue
            while at < stop:
                attribute, at = _uleb(section, at)
                if attribute == 6:
                    value, _ = _uleb(section, at)
                    return value
                if attribute in (4, 5, 67) or (attribute > 32 and attribute % 2):
                    at = _ntbs(section, at)
                elif attribute == 32:
                    _, at = _uleb(section, at)
                    at = _ntbs(section, at)
                else:
                    _, at = _uleb(section, at)
            return None
    except (ValueError, struct.error, IndexError):
        return None
    return None


class ArmAttributes:
    """Watches a 32-bit ARM ELF file stream past, chunk by chunk, for its architecture version."""

    _MARK = b"aeabi\0"
    _BEFORE = 5  # "A" and the subsection length precede the vendor name
    _WINDOW = 512  # bytes of a candidate block parsed (real ones are under 100)

    def __init__(self, head: bytes) -> None:
        self.shoff = self.shentsize = self.shnum = 0
        if len(head) >= 52:
            self.shoff = struct.unpack_from("<I", head, 32)[0]
            self.shentsize, self.shnum = struct.unpack_from("<HH", head, 46)
        size = self.shentsize * self.shnum if self.shentsize >= 40 else 0
        self.table_size = size if size <= 65536 else 0
        self.table = bytearray()
        self.candidates: dict[int, int] = {}  # section offset -> Tag_CPU_arch
        self._pending: list[int] = []  # candidate offsets still waiting for their bytes
        self._buffer = bytearray()  # the file's bytes from offset self._start
        self._start = 0
        self._searched = 0  # file offset up to which marks were looked for

    def feed(self, chunk: bytes, at: int) -> None:
        """``chunk`` holds the file's bytes from offset ``at`` (chunks come in order)."""
        if self.table_size:
            low = max(self.shoff, at)
            high = min(self.shoff + self.table_size, at + len(chunk))
            if low < high and len(self.table) == low - self.shoff:
                self.table += chunk[low - at : high - at]
        if not self._buffer:
            self._start = at
        self._buffer += chunk
        end = at + len(chunk)
        position = max(self._searched - len(self._MARK) + 1, self._start)
        found = self._buffer.find(self._MARK, position - self._start)
        while found >= 0:
            section = self._start + found - self._BEFORE
            if section >= self._start and section not in self._pending:
                self._pending.append(section)
            found = self._buffer.find(self._MARK, found + 1)
        self._searched = end
        for section in list(self._pending):
            if end - section >= self._WINDOW:
                self._settle(section)
        keep = end - len(self._MARK) - self._BEFORE
        if self._pending:
            keep = min(keep, *self._pending)
        if keep > self._start:
            del self._buffer[: keep - self._start]
            self._start = keep

    def _settle(self, section: int) -> None:
        self._pending.remove(section)
        offset = section - self._start
        value = cpu_arch_of(bytes(self._buffer[offset : offset + self._WINDOW]))
        if value is not None:
            self.candidates[section] = value

    def variant(self) -> tuple[str, str] | None:
        """(OCI variant, architecture name) when the section table confirms a candidate."""
        for section in list(self._pending):
            self._settle(section)
        if not self.table_size or len(self.table) != self.table_size:
            return None
        for index in range(self.shnum):
            entry = index * self.shentsize
            sh_type, _, _, sh_offset = struct.unpack_from("<IIII", self.table, entry + 4)
            if sh_type == SHT_ARM_ATTRIBUTES:
                value = self.candidates.get(sh_offset)
                if value is None:
                    return None
                variant = _ARM_CPU_ARCH.get(value, "v8" if value >= 14 else "")
                if not variant:
                    return None
                return variant, _ARM_ARCH_NAMES.get(value, f"Tag_CPU_arch {value}")
        return None
