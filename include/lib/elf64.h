/*
 * Validation of an x86-64 ELF executable before anything is loaded.
 * Used by the loader for kestrel.elf (and later for ELF payloads).  Every
 * check is against the file's size with overflow-safe arithmetic: a
 * truncated or hostile file yields a reason string, never a wild access.
 */
#ifndef KESTREL_LIB_ELF64_H
#define KESTREL_LIB_ELF64_H

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

#endif
