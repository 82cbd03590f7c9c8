package initramfs

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// dynamicELF returns a minimal 64-bit ELF executable header with a
// PT_INTERP program header, as a dynamically linked binary has.
func dynamicELF() []byte {
	const ehsize, phsize = 64, 56
	interp := []byte("/lib64/ld-linux-x86-64.so.2\x00")
	var b bytes.Buffer
	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Phoff: ehsize, Ehsize: ehsize, Phentsize: phsize, Phnum: 1, Shentsize: 64,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	prog := elf.Prog64{
		Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R), Off: ehsize + phsize,
		Filesz: uint64(len(interp)), Memsz: uint64(len(interp)), Align: 1,
	}
	_ = binary.Write(&b, binary.LittleEndian, hdr)
	_ = binary.Write(&b, binary.LittleEndian, prog)
	b.Write(interp)
	return b.Bytes()
}
