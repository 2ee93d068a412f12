/*
 * Validation of ELF executables before anything is loaded, in two forms:
 * an x86-64 ELF64 image loaded by virtual address (kestrel.elf, by the
 * loader), and an i386 ELF32 or x86-64 ELF64 image loaded by physical
 * address below 4 GiB (multiboot kernels, by the kernel).  Every check is
 * against the file's size with overflow-safe arithmetic: a truncated or
 * hostile file yields a reason string, never a wild access.
 */
#ifndef KESTREL_LIB_ELF_H
#define KESTREL_LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_LOAD_SEGMENTS 16
#define ELF_MAX_IMAGE_SPAN    (256ull << 20)  /* vmax - vmin may not exceed this */

#define ELF_SEG_X 1u
#define ELF_SEG_W 2u
#define ELF_SEG_R 4u

struct elf_segment {
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t vaddr;
    uint64_t mem_size;           /* >= file_size; the rest is zero-filled */
    uint32_t flags;              /* ELF_SEG_* */
};

struct elf_image {
    uint64_t entry;
    uint64_t vmin;               /* lowest PT_LOAD vaddr, rounded down to 4 KiB */
    uint64_t vmax;               /* end of highest PT_LOAD, rounded up to 4 KiB */
    unsigned segment_count;
    struct elf_segment segments[ELF_MAX_LOAD_SEGMENTS]; /* sorted by vaddr */
};

/* Checks file[0..size) is a loadable ELF64 x86-64 ET_EXEC: magic, class,
 * byte order, version, machine, header sizes, program headers inside the
 * file, PT_LOAD segments inside the file, non-overlapping, file_size <=
 * mem_size, no address overflow, span <= ELF_MAX_IMAGE_SPAN, entry inside an
 * executable segment.  Returns 0 and fills *img, or -1 with *why set to a
 * short reason ("bad magic", "segment 2 extends past end of file", ...). */
int elf64_check(const void *file, size_t size, struct elf_image *img,
                const char **why);

/* ---- ELF32 or ELF64, loaded by physical address ---------------------------- */

#define ELF_MAX_PHYS_SEGMENTS 16

struct elf_phys_segment {
    uint64_t file_offset;
    uint64_t file_size;          /* bytes copied from the file */
    uint64_t phys;               /* p_paddr: the destination, below 4 GiB */
    uint64_t mem_size;           /* >= file_size; the rest is zero-filled */
    uint64_t vaddr;              /* p_vaddr, for translating the entry */
};

struct elf_phys_image {
    unsigned elf_class;          /* 32 or 64 */
    uint64_t entry;              /* e_entry as a physical address (below) */
    unsigned segment_count;
    struct elf_phys_segment segments[ELF_MAX_PHYS_SEGMENTS];   /* sorted by phys, disjoint */
};

/* Whether file[0..size) starts with the ELF magic (callers with another
 * format to fall back on ask this first). */
bool elf_has_magic(const void *file, size_t size);

/* Checks file[0..size) is a little-endian ET_EXEC, ELF32 for i386 or ELF64
 * for x86-64, whose non-empty PT_LOAD segments lie inside the file and,
 * by p_paddr, below 4 GiB without overlapping.  The entry is e_entry
 * translated through the segment whose virtual range holds it, else taken
 * as physical (an image linked where it is loaded).  Returns 0 and fills
 * *img (untouched on refusal), or -1 with *why set ("ELF image is not an
 * executable (ET_EXEC)", ...).  img and why may be NULL. */
int elf_check_phys(const void *file, size_t size, struct elf_phys_image *img, const char **why);

#endif
