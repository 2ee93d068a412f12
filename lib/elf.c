/*
 * ELF executable validation (see include/lib/elf.h).
 *
 * The file is untrusted until a check returns 0.  Headers are copied out
 * with memcpy or read byte by byte (the buffer need not be aligned), and
 * every offset and size is checked against the file and for 64-bit
 * wrap-around before use.
 */
#include "lib/elf.h"
#include "lib/kstring.h"
#include "lib/le.h"
#include "lib/parse_checks.h"
#include "lib/sort.h"

/* The subset of the ELF64 format this checker reads (System V gABI). */
struct elf64_ehdr {
    unsigned char e_ident[16];
    uint16_t      e_type;
    uint16_t      e_machine;
    uint32_t      e_version;
    uint64_t      e_entry;
    uint64_t      e_phoff;
    uint64_t      e_shoff;
    uint32_t      e_flags;
    uint16_t      e_ehsize;
    uint16_t      e_phentsize;
    uint16_t      e_phnum;
    uint16_t      e_shentsize;
    uint16_t      e_shnum;
    uint16_t      e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_386        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PF_X          1u
#define PF_W          2u
#define PF_R          4u

/* Far more than any real kernel has; bounds the work on a hostile header. */
#define ELF_MAX_PHNUM 64

#define PAGE_MASK_4K  0xfffull

static bool inside_file(uint64_t offset, uint64_t len, size_t size)
{
    return range_within(offset, len, size);
}

static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

bool elf_has_magic(const void *file, size_t size)
{
    return file != NULL && size >= sizeof(elf_magic) &&
           kmemcmp(file, elf_magic, sizeof(elf_magic)) == 0;
}

/* ---- ELF64 by virtual address (kestrel.elf) -------------------------------- */

/* Returns NULL when the ELF header is acceptable, else the reason. */
static const char *check_header(const struct elf64_ehdr *eh, size_t size)
{
    if (!elf_has_magic(eh->e_ident, sizeof(eh->e_ident)))
        return "bad magic";
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF file";
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF file";
    if (eh->e_ident[EI_VERSION] != EV_CURRENT)
        return "bad ELF identification version";
    if (eh->e_type != ET_EXEC)
        return "not an executable (ET_EXEC) file";
    if (eh->e_machine != EM_X86_64)
        return "not an x86-64 ELF file";
    if (eh->e_version != EV_CURRENT)
        return "bad ELF version";
    if (eh->e_ehsize < sizeof(struct elf64_ehdr))
        return "ELF header size too small";
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        return "bad program header entry size";
    if (eh->e_phnum == 0)
        return "no program headers";
    if (eh->e_phnum > ELF_MAX_PHNUM)
        return "too many program headers";
    if (!inside_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
        return "program headers extend past end of file";
    return NULL;
}

static uint32_t segment_flags(uint32_t p_flags)
{
    uint32_t f = 0;

    if (p_flags & PF_X)
        f |= ELF_SEG_X;
    if (p_flags & PF_W)
        f |= ELF_SEG_W;
    if (p_flags & PF_R)
        f |= ELF_SEG_R;
    return f;
}

/* Returns NULL when the PT_LOAD entry is acceptable on its own, else the
 * reason.  Relations between segments are checked after sorting. */
static const char *check_load_segment(const struct elf64_phdr *ph, size_t size)
{
    if (ph->p_filesz > ph->p_memsz)
        return "PT_LOAD segment file size exceeds memory size";
    if (!inside_file(ph->p_offset, ph->p_filesz, size))
        return "PT_LOAD segment extends past end of file";
    /* The end is later rounded up to 4 KiB, so leave room for that too. */
    if (!range_within(ph->p_vaddr, ph->p_memsz, UINT64_MAX - PAGE_MASK_4K))
        return "PT_LOAD segment address range overflows";
    if (ph->p_align > 1) {
        if (!is_power_of_two(ph->p_align))
            return "PT_LOAD segment alignment is not a power of two";
        /* Page-granular loading maps file and memory congruently; a
         * segment that breaks this could not be loaded as linked. */
        if (((ph->p_vaddr - ph->p_offset) & (ph->p_align - 1)) != 0)
            return "PT_LOAD segment address and offset disagree modulo alignment";
    }
    return NULL;
}

/* At most ELF_MAX_LOAD_SEGMENTS entries. */
DEFINE_INSERTION_SORT(sort_by_vaddr, struct elf_segment, vaddr)

static bool segments_overlap(const struct elf_image *img)
{
    for (unsigned i = 1; i < img->segment_count; i++) {
        const struct elf_segment *prev = &img->segments[i - 1];

        if (prev->vaddr + prev->mem_size > img->segments[i].vaddr)
            return true;
    }
    return false;
}

static bool entry_is_executable(const struct elf_image *img, uint64_t entry)
{
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct elf_segment *s = &img->segments[i];

        if ((s->flags & ELF_SEG_X) && entry >= s->vaddr && entry - s->vaddr < s->mem_size)
            return true;
    }
    return false;
}

/* Fills img->segments from the PT_LOAD entries; returns NULL or a reason. */
static const char *collect_segments(const unsigned char *file, size_t size,
                                    const struct elf64_ehdr *eh, struct elf_image *img)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct elf64_phdr ph;

        __builtin_memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD)
            continue;

        const char *reason = check_load_segment(&ph, size);
        if (reason != NULL)
            return reason;
        /* An empty PT_LOAD loads nothing; it must not widen the image. */
        if (ph.p_memsz == 0)
            continue;
        if (img->segment_count == ELF_MAX_LOAD_SEGMENTS)
            return "too many PT_LOAD segments";

        struct elf_segment *seg = &img->segments[img->segment_count++];
        seg->file_offset = ph.p_offset;
        seg->file_size = ph.p_filesz;
        seg->vaddr = ph.p_vaddr;
        seg->mem_size = ph.p_memsz;
        seg->flags = segment_flags(ph.p_flags);
    }
    return NULL;
}

/* Sorts, then checks the segments as a whole; returns NULL or a reason. */
static const char *check_layout(struct elf_image *img)
{
    if (img->segment_count == 0)
        return "no PT_LOAD segments";
    sort_by_vaddr(img->segments, img->segment_count);
    if (segments_overlap(img))
        return "PT_LOAD segments overlap";

    const struct elf_segment *first = &img->segments[0];
    const struct elf_segment *last = &img->segments[img->segment_count - 1];

    /* No overflow: check_load_segment left 4 KiB of headroom. */
    img->vmin = first->vaddr & ~PAGE_MASK_4K;
    img->vmax = (last->vaddr + last->mem_size + PAGE_MASK_4K) & ~PAGE_MASK_4K;
    if (img->vmax - img->vmin > ELF_MAX_IMAGE_SPAN)
        return "image spans too much address space";
    if (!entry_is_executable(img, img->entry))
        return "entry point is not inside an executable segment";
    return NULL;
}

int elf64_check(const void *file, size_t size, struct elf_image *img, const char **why)
{
    struct elf64_ehdr eh;
    struct elf_image result;
    const char *reason;

    if (file == NULL || size < sizeof(eh))
        return reject(why, "file too small for an ELF header");
    __builtin_memcpy(&eh, file, sizeof(eh));

    reason = check_header(&eh, size);
    if (reason != NULL)
        return reject(why, reason);

    /* Built in a local so *img is untouched when the file is refused. */
    __builtin_memset(&result, 0, sizeof(result));
    result.entry = eh.e_entry;
    reason = collect_segments(file, size, &eh, &result);
    if (reason == NULL)
        reason = check_layout(&result);
    if (reason != NULL)
        return reject(why, reason);

    if (img != NULL)
        *img = result;
    return 0;
}

/* ---- ELF32 or ELF64 by physical address (multiboot kernels) ---------------- */

#define FOUR_GIB      (1ull << 32)

/* Where the fields this checker reads live, per ELF class (System V gABI):
 * one walk serves both classes. */
struct elf_layout {
    unsigned elf_class;
    uint16_t machine;
    size_t ehdr_size, phdr_size;
    size_t e_entry, e_phoff, e_phentsize, e_phnum;     /* in the ELF header */
    size_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;  /* in a program header */
    bool wide;                                          /* 64-bit address fields */
};

static const struct elf_layout elf32_layout = {
    .elf_class = 32, .machine = EM_386, .ehdr_size = 52, .phdr_size = 32,
    .e_entry = 24, .e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
    .p_offset = 4, .p_vaddr = 8, .p_paddr = 12, .p_filesz = 16, .p_memsz = 20,
    .wide = false,
};

static const struct elf_layout elf64_layout = {
    .elf_class = 64, .machine = EM_X86_64, .ehdr_size = 64, .phdr_size = 56,
    .e_entry = 24, .e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
    .p_offset = 8, .p_vaddr = 16, .p_paddr = 24, .p_filesz = 32, .p_memsz = 40,
    .wide = true,
};

static uint64_t get_addr(const uint8_t *p, const struct elf_layout *l)
{
    return l->wide ? get64(p) : get32(p);
}

/* The identification and ELF header; sets *layout.  NULL or a reason. */
static const char *check_phys_header(const uint8_t *f, size_t size,
                                     const struct elf_layout **layout)
{
    const struct elf_layout *l;

    if (size < 16 || !elf_has_magic(f, size))
        return "not an ELF image";
    if (f[EI_CLASS] == ELFCLASS32)
        l = &elf32_layout;
    else if (f[EI_CLASS] == ELFCLASS64)
        l = &elf64_layout;
    else
        return "ELF class is neither 32- nor 64-bit";
    if (f[EI_DATA] != ELFDATA2LSB)
        return "ELF image is not little-endian";
    if (f[EI_VERSION] != EV_CURRENT)
        return "bad ELF identification version";
    if (size < l->ehdr_size)
        return "file too small for its ELF header";
    if (get16(f + 16) != ET_EXEC)
        return "ELF image is not an executable (ET_EXEC)";
    if (get16(f + 18) != l->machine)
        return "ELF machine is not i386 (ELF32) or x86-64 (ELF64)";
    if (get32(f + 20) != EV_CURRENT)
        return "bad ELF version";

    uint64_t phoff = get_addr(f + l->e_phoff, l);
    uint16_t phnum = get16(f + l->e_phnum);
    if (get16(f + l->e_phentsize) != l->phdr_size)
        return "bad ELF program header entry size";
    if (phnum == 0)
        return "ELF image has no program headers";
    if (phnum > ELF_MAX_PHNUM)
        return "ELF image has too many program headers";
    if (!range_within(phoff, (uint64_t)phnum * l->phdr_size, size))
        return "ELF program headers extend past end of file";
    *layout = l;
    return NULL;
}

/* Reads one program header; returns NULL or a reason.  *use is false for
 * entries that load nothing. */
static const char *read_phys_segment(const uint8_t *ph, const struct elf_layout *l, size_t size,
                                     struct elf_phys_segment *seg, bool *use)
{
    *use = false;
    if (get32(ph) != PT_LOAD)
        return NULL;
    seg->file_offset = get_addr(ph + l->p_offset, l);
    seg->file_size = get_addr(ph + l->p_filesz, l);
    seg->mem_size = get_addr(ph + l->p_memsz, l);
    seg->phys = get_addr(ph + l->p_paddr, l);
    seg->vaddr = get_addr(ph + l->p_vaddr, l);
    if (seg->mem_size == 0)
        return NULL;
    if (seg->file_size > seg->mem_size)
        return "ELF segment's file size exceeds its memory size";
    if (!range_within(seg->file_offset, seg->file_size, size))
        return "ELF segment extends past end of file";
    if (!range_within(seg->phys, seg->mem_size, FOUR_GIB))
        return "ELF segment is not below 4 GiB (loaded by physical address)";
    if (seg->mem_size > UINT64_MAX - seg->vaddr)
        return "ELF segment's virtual address range overflows";
    *use = true;
    return NULL;
}

/* At most ELF_MAX_PHYS_SEGMENTS entries. */
DEFINE_INSERTION_SORT(sort_by_phys, struct elf_phys_segment, phys)

/* Physical entry for an ELF e_entry: translated through the segment whose
 * virtual range holds it, else taken as physical. */
static uint64_t entry_phys(const struct elf_phys_image *img, uint64_t entry)
{
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct elf_phys_segment *s = &img->segments[i];

        if (entry >= s->vaddr && entry - s->vaddr < s->mem_size)
            return s->phys + (entry - s->vaddr);
    }
    return entry;
}

int elf_check_phys(const void *file, size_t size, struct elf_phys_image *img, const char **why)
{
    const uint8_t *f = file;
    const struct elf_layout *l = NULL;
    struct elf_phys_image result;
    const char *reason = check_phys_header(f, size, &l);

    if (reason != NULL)
        return reject(why, reason);

    /* Built in a local so *img is untouched when the file is refused. */
    __builtin_memset(&result, 0, sizeof(result));
    uint64_t phoff = get_addr(f + l->e_phoff, l);
    uint16_t phnum = get16(f + l->e_phnum);
    for (unsigned i = 0; i < phnum; i++) {
        struct elf_phys_segment seg;
        bool use;

        reason = read_phys_segment(f + phoff + (uint64_t)i * l->phdr_size, l, size, &seg, &use);
        if (reason != NULL)
            return reject(why, reason);
        if (!use)
            continue;
        if (result.segment_count == ELF_MAX_PHYS_SEGMENTS)
            return reject(why, "ELF image has too many PT_LOAD segments");
        result.segments[result.segment_count++] = seg;
    }
    if (result.segment_count == 0)
        return reject(why, "ELF image has no PT_LOAD segments");
    sort_by_phys(result.segments, result.segment_count);
    for (unsigned i = 1; i < result.segment_count; i++) {
        const struct elf_phys_segment *prev = &result.segments[i - 1];

        if (prev->phys + prev->mem_size > result.segments[i].phys)
            return reject(why, "ELF segments overlap in physical memory");
    }
    result.elf_class = l->elf_class;
    result.entry = entry_phys(&result, get_addr(f + l->e_entry, l));
    if (img != NULL)
        *img = result;
    return 0;
}
