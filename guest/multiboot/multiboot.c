/*
 * Multiboot 1 and 2: header search and checks, load description, and the
 * information structures (see guest/multiboot/multiboot.h).
 *
 * The image is untrusted until multiboot_find returns 0: fields are read
 * byte by byte (no alignment assumptions) and only after the file is known
 * to reach them; sizes are compared by subtraction, never by adding an
 * untrusted value to an offset.
 */
#include "lib/le.h"
#include "lib/parse_checks.h"
#include "guest/multiboot/multiboot.h"

#define FOUR_GIB        (1ull << 32)

static uint64_t align_up8(uint64_t v)
{
    return (v + 7) & ~7ull;
}

/* ---- ELF32 / ELF64 program headers -------------------------------------- */

#define ELF_EI_CLASS       4
#define ELF_EI_DATA        5
#define ELF_EI_VERSION     6
#define ELF_CLASS32        1
#define ELF_CLASS64        2
#define ELF_DATA2LSB       1
#define ELF_EV_CURRENT     1
#define ELF_ET_EXEC        2
#define ELF_EM_386         3
#define ELF_EM_X86_64      62
#define ELF_PT_LOAD        1
#define ELF_MAX_PHNUM      64

/* Where the fields this loader reads live, per ELF class (System V gABI). */
struct elf_layout {
    uint16_t machine;
    size_t ehdr_size, phdr_size;
    size_t e_entry, e_phoff, e_phentsize, e_phnum;     /* in the ELF header */
    size_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;  /* in a program header */
    bool wide;                                          /* 64-bit address fields */
};

static const struct elf_layout elf32_layout = {
    .machine = ELF_EM_386, .ehdr_size = 52, .phdr_size = 32,
    .e_entry = 24, .e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
    .p_offset = 4, .p_vaddr = 8, .p_paddr = 12, .p_filesz = 16, .p_memsz = 20,
    .wide = false,
};

static const struct elf_layout elf64_layout = {
    .machine = ELF_EM_X86_64, .ehdr_size = 64, .phdr_size = 56,
    .e_entry = 24, .e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
    .p_offset = 8, .p_vaddr = 16, .p_paddr = 24, .p_filesz = 32, .p_memsz = 40,
    .wide = true,
};

static uint64_t get_addr(const uint8_t *p, const struct elf_layout *l)
{
    return l->wide ? get64(p) : get32(p);
}

/* Sorts segments (and their virtual addresses alongside) by phys. */
static void sort_segments(struct mb_segment *seg, uint64_t *vaddr, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct mb_segment s = seg[i];
        uint64_t v = vaddr[i];
        unsigned j = i;

        while (j > 0 && seg[j - 1].phys > s.phys) {
            seg[j] = seg[j - 1];
            vaddr[j] = vaddr[j - 1];
            j--;
        }
        seg[j] = s;
        vaddr[j] = v;
    }
}

/* Reads one program header; returns NULL or a reason.  *use is false for
 * entries that load nothing. */
static const char *read_load_segment(const uint8_t *ph, const struct elf_layout *l, size_t size,
                                     struct mb_segment *seg, uint64_t *vaddr, bool *use)
{
    *use = false;
    if (get32(ph) != ELF_PT_LOAD)
        return NULL;
    seg->file_offset = get_addr(ph + l->p_offset, l);
    seg->file_size = get_addr(ph + l->p_filesz, l);
    seg->mem_size = get_addr(ph + l->p_memsz, l);
    seg->phys = get_addr(ph + l->p_paddr, l);
    *vaddr = get_addr(ph + l->p_vaddr, l);
    if (seg->mem_size == 0)
        return NULL;
    if (seg->file_size > seg->mem_size)
        return "ELF segment's file size exceeds its memory size";
    if (!range_within(seg->file_offset, seg->file_size, size))
        return "ELF segment extends past end of file";
    if (!range_within(seg->phys, seg->mem_size, FOUR_GIB))
        return "ELF segment is not below 4 GiB (multiboot loads by physical address)";
    if (seg->mem_size > UINT64_MAX - *vaddr)
        return "ELF segment's virtual address range overflows";
    *use = true;
    return NULL;
}

/* Physical entry for an ELF e_entry: translated through the segment whose
 * virtual range holds it, else taken as physical. */
static uint64_t elf_entry_phys(const struct multiboot_image *img, const uint64_t *vaddr,
                               uint64_t entry)
{
    for (unsigned i = 0; i < img->segment_count; i++) {
        if (entry >= vaddr[i] && entry - vaddr[i] < img->segments[i].mem_size)
            return img->segments[i].phys + (entry - vaddr[i]);
    }
    return entry;
}

/* Fills img->segments from an ELF image; *entry gets e_entry translated to
 * physical.  Returns NULL or a reason. */
static const char *load_elf(const uint8_t *f, size_t size, struct multiboot_image *img,
                            uint64_t *entry)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
    const struct elf_layout *l;
    uint64_t vaddr[MB_MAX_SEGMENTS];

    if (size < 16 || f[0] != magic[0] || f[1] != magic[1] || f[2] != magic[2] || f[3] != magic[3])
        return "image is neither ELF nor described by multiboot address fields";
    if (f[ELF_EI_CLASS] == ELF_CLASS32)
        l = &elf32_layout;
    else if (f[ELF_EI_CLASS] == ELF_CLASS64)
        l = &elf64_layout;
    else
        return "ELF class is neither 32- nor 64-bit";
    if (f[ELF_EI_DATA] != ELF_DATA2LSB)
        return "ELF image is not little-endian";
    if (f[ELF_EI_VERSION] != ELF_EV_CURRENT)
        return "bad ELF identification version";
    if (size < l->ehdr_size)
        return "file too small for its ELF header";
    if (get16(f + 16) != ELF_ET_EXEC)
        return "ELF image is not an executable (ET_EXEC)";
    if (get16(f + 18) != l->machine)
        return "ELF machine is not i386 (ELF32) or x86-64 (ELF64)";
    if (get32(f + 20) != ELF_EV_CURRENT)
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

    img->segment_count = 0;
    for (unsigned i = 0; i < phnum; i++) {
        struct mb_segment seg;
        uint64_t va;
        bool use;
        const char *reason = read_load_segment(f + phoff + (uint64_t)i * l->phdr_size, l, size,
                                               &seg, &va, &use);

        if (reason != NULL)
            return reason;
        if (!use)
            continue;
        if (img->segment_count == MB_MAX_SEGMENTS)
            return "ELF image has too many PT_LOAD segments";
        vaddr[img->segment_count] = va;
        img->segments[img->segment_count++] = seg;
    }
    if (img->segment_count == 0)
        return "ELF image has no PT_LOAD segments";
    sort_segments(img->segments, vaddr, img->segment_count);
    for (unsigned i = 1; i < img->segment_count; i++) {
        const struct mb_segment *prev = &img->segments[i - 1];

        if (prev->phys + prev->mem_size > img->segments[i].phys)
            return "ELF segments overlap in physical memory";
    }
    img->load_kind = l->wide ? MB_LOAD_ELF64 : MB_LOAD_ELF32;
    *entry = elf_entry_phys(img, vaddr, get_addr(f + l->e_entry, l));
    return NULL;
}

/* ---- address fields (MB1 flag 16, MB2 tag 2) ------------------------------ */

struct address_fields {
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

/* One segment from the address fields.  header_len bytes of the header must
 * land inside what is loaded (header_addr is where the header ends up). */
static const char *load_by_address(size_t size, uint64_t header_off, uint64_t header_len,
                                   const struct address_fields *a, bool mb2,
                                   struct multiboot_image *img)
{
    uint64_t load_addr = a->load_addr;

    /* Multiboot2: load_addr -1 means "load from the start of the file". */
    if (mb2 && a->load_addr == UINT32_MAX) {
        if (a->header_addr < header_off)
            return "header_addr is below the header's file offset (load_addr -1)";
        load_addr = a->header_addr - header_off;
    }
    if (load_addr > a->header_addr)
        return "load_addr is above header_addr";

    uint64_t delta = a->header_addr - load_addr;
    if (delta > header_off)
        return "address fields would load from before the start of the file";
    uint64_t file_off = header_off - delta;
    uint64_t load_size;

    if (a->load_end_addr == 0) {
        load_size = size - file_off;            /* the rest of the file */
    } else {
        if (a->load_end_addr <= load_addr)
            return "load_end_addr is not above load_addr";
        load_size = a->load_end_addr - load_addr;
        if (load_size > size - file_off)
            return "load_end_addr asks for more bytes than the file has";
    }
    if (delta > load_size || header_len > load_size - delta)
        return "header_addr is not inside the loaded part of the image";
    if (!range_within(load_addr, load_size, FOUR_GIB))
        return "loaded image extends past 4 GiB";

    uint64_t mem_size = load_size;
    if (a->bss_end_addr != 0) {
        if (a->bss_end_addr < load_addr + load_size)
            return "bss_end_addr is below load_end_addr";
        mem_size = a->bss_end_addr - load_addr;
    }

    img->load_kind = MB_LOAD_ADDRESS;
    img->segment_count = 1;
    img->segments[0].file_offset = file_off;
    img->segments[0].file_size = load_size;
    img->segments[0].phys = load_addr;
    img->segments[0].mem_size = mem_size;
    return NULL;
}

/* Common final checks: the entry runs loaded code; the span is recorded. */
static const char *finish_layout(struct multiboot_image *img, uint64_t entry)
{
    bool inside = false;

    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct mb_segment *s = &img->segments[i];

        if (entry >= s->phys && entry - s->phys < s->file_size)
            inside = true;
    }
    if (!inside)
        return "entry address is not inside the loaded image";
    img->entry = (uint32_t)entry;
    img->phys_start = img->segments[0].phys;
    img->phys_end = img->segments[img->segment_count - 1].phys +
                    img->segments[img->segment_count - 1].mem_size;
    return NULL;
}

/* ---- Multiboot 1 ----------------------------------------------------------- */

static const char *parse_mb1(const uint8_t *f, size_t size, uint64_t off,
                             struct multiboot_image *img)
{
    const uint8_t *h = f + off;
    uint32_t flags = get32(h + MB1_H_FLAGS);
    uint64_t window = size < MB1_SEARCH_LIMIT ? size : MB1_SEARCH_LIMIT;
    uint64_t needed = MB1_H_SIZE_BASIC;
    uint64_t entry;
    const char *reason;

    if (flags & MB1_F_REQUIRED_MASK & ~(MB1_F_PAGE_ALIGN | MB1_F_MEMORY_INFO | MB1_F_VIDEO_MODE))
        return "multiboot header requires features Kestrel does not know (flag bits 3-15)";
    if (flags & MB1_F_ADDRESS_FIELDS)
        needed = MB1_H_SIZE_ADDRESS;
    if (flags & MB1_F_VIDEO_MODE)
        needed = MB1_H_SIZE_VIDEO;
    if (needed > size - off)
        return "multiboot header runs past end of file";
    if (needed > window - off)
        return "multiboot header does not fit in the first 8 KiB";

    img->version = 1;
    img->header_offset = off;
    img->header_flags = flags;
    if (flags & MB1_F_PAGE_ALIGN)
        img->flags |= MB_IMG_PAGE_ALIGN_MODULES;
    if (flags & MB1_F_MEMORY_INFO)
        img->flags |= MB_IMG_NEEDS_MEMORY_INFO;
    if (flags & MB1_F_VIDEO_MODE) {
        img->flags |= MB_IMG_WANTS_VIDEO;
        img->video_mode_type = get32(h + MB1_H_MODE_TYPE);
        img->video_width = get32(h + MB1_H_WIDTH);
        img->video_height = get32(h + MB1_H_HEIGHT);
        img->video_depth = get32(h + MB1_H_DEPTH);
    }

    if (flags & MB1_F_ADDRESS_FIELDS) {
        struct address_fields a = {
            .header_addr = get32(h + MB1_H_HEADER_ADDR),
            .load_addr = get32(h + MB1_H_LOAD_ADDR),
            .load_end_addr = get32(h + MB1_H_LOAD_END_ADDR),
            .bss_end_addr = get32(h + MB1_H_BSS_END_ADDR),
        };

        reason = load_by_address(size, off, needed, &a, false, img);
        entry = get32(h + MB1_H_ENTRY_ADDR);
    } else {
        reason = load_elf(f, size, img, &entry);
    }
    if (reason != NULL)
        return reason;
    return finish_layout(img, entry);
}

/* ---- Multiboot2 ------------------------------------------------------------ */

/* What the tag walk collects besides the image description. */
struct mb2_tags {
    bool have_address, have_entry;
    struct address_fields address;
    uint32_t entry;
};

static const char *mb2_info_request(const uint8_t *t, uint32_t tsize, bool optional,
                                    struct multiboot_image *img)
{
    if ((tsize - 8) % 4 != 0)
        return "multiboot2 information request tag has a partial entry";
    if (optional)
        img->flags |= MB_IMG_REQUESTS_OPTIONAL;
    for (uint32_t i = 8; i < tsize; i += 4) {
        uint32_t type = get32(t + i);

        /* A loader must fail on a mandatory request it does not understand;
         * known types it cannot provide are simply left out (spec 3.1.4). */
        if (type > MB2_TAG_LAST_KNOWN) {
            if (!optional)
                return "multiboot2 information request names an unknown tag type";
            continue;
        }
        img->mb2_requested |= 1ull << type;
    }
    img->mb2_unprovided = img->mb2_requested & ~MB2_PROVIDED_TAGS;
    return NULL;
}

/* Checks one tag of type/size/flags at t (inside the header); NULL or why. */
static const char *mb2_tag(const uint8_t *t, uint16_t type, uint16_t tflags, uint32_t tsize,
                           struct multiboot_image *img, struct mb2_tags *tags)
{
    bool optional = tflags & MB2_HT_FLAG_OPTIONAL;

    switch (type) {
    case MB2_HT_INFO_REQUEST:
        return mb2_info_request(t, tsize, optional, img);
    case MB2_HT_ADDRESS:
        if (tsize < 24)
            return "multiboot2 address tag is too small";
        tags->have_address = true;
        tags->address.header_addr = get32(t + 8);
        tags->address.load_addr = get32(t + 12);
        tags->address.load_end_addr = get32(t + 16);
        tags->address.bss_end_addr = get32(t + 20);
        return NULL;
    case MB2_HT_ENTRY_ADDRESS:
        if (tsize < 12)
            return "multiboot2 entry address tag is too small";
        tags->have_entry = true;
        tags->entry = get32(t + 8);
        return NULL;
    case MB2_HT_CONSOLE_FLAGS:
        if (tsize < 12)
            return "multiboot2 console flags tag is too small";
        img->mb2_console_flags = get32(t + 8);
        if (img->mb2_console_flags & MB2_CONSOLE_REQUIRED)
            img->flags |= MB_IMG_CONSOLE_REQUIRED;
        if (img->mb2_console_flags & MB2_CONSOLE_EGA_TEXT)
            img->flags |= MB_IMG_EGA_TEXT;
        return NULL;
    case MB2_HT_FRAMEBUFFER:
        if (tsize < 20)
            return "multiboot2 framebuffer tag is too small";
        img->flags |= MB_IMG_WANTS_VIDEO | (optional ? MB_IMG_VIDEO_OPTIONAL : 0);
        img->video_mode_type = 0;
        img->video_width = get32(t + 8);
        img->video_height = get32(t + 12);
        img->video_depth = get32(t + 16);
        return NULL;
    case MB2_HT_MODULE_ALIGN:
        img->flags |= MB_IMG_PAGE_ALIGN_MODULES;
        return NULL;
    case MB2_HT_EFI_BS:
        if (!optional)
            return "multiboot2 header requires EFI boot services (tag 7 not optional); "
                   "Kestrel starts kernels without them";
        img->flags |= MB_IMG_EFI_BS_IGNORED;
        return NULL;
    case MB2_HT_ENTRY_EFI32:
    case MB2_HT_ENTRY_EFI64:
        if (tsize < 12)
            return "multiboot2 EFI entry address tag is too small";
        img->flags |= MB_IMG_EFI_ENTRY_IGNORED;   /* the i386 entry is used */
        return NULL;
    case MB2_HT_RELOCATABLE:
        if (tsize < 24)
            return "multiboot2 relocatable tag is too small";
        img->flags |= MB_IMG_RELOCATABLE;
        img->reloc_min = get32(t + 8);
        img->reloc_max = get32(t + 12);
        img->reloc_align = get32(t + 16);
        img->reloc_preference = get32(t + 20);
        if (img->reloc_align != 0 && !is_power_of_two(img->reloc_align))
            return "multiboot2 relocatable tag's alignment is not a power of two";
        return NULL;
    default:
        if (!optional)
            return "multiboot2 header has an unknown tag not marked optional";
        return NULL;
    }
}

/* Walks the tags in [off + 16, off + len); NULL or why. */
static const char *mb2_walk_tags(const uint8_t *f, uint64_t off, uint64_t len,
                                 struct multiboot_image *img, struct mb2_tags *tags)
{
    uint64_t pos = MB2_H_TAGS;

    for (;;) {
        if (len - pos < 8)
            return "multiboot2 header tags run past header_length (no end tag)";

        const uint8_t *t = f + off + pos;
        uint16_t type = get16(t), tflags = get16(t + 2);
        uint32_t tsize = get32(t + 4);

        if (tsize < 8)
            return "multiboot2 header tag is smaller than 8 bytes";
        if (tsize > len - pos)
            return "multiboot2 header tag runs past header_length";
        if (type == MB2_HT_END)
            return NULL;

        const char *reason = mb2_tag(t, type, tflags, tsize, img, tags);
        if (reason != NULL)
            return reason;
        /* No overflow: tsize <= len - pos and len <= 32 KiB. */
        pos = align_up8(pos + tsize);
        if (pos > len)
            return "multiboot2 header tags run past header_length (no end tag)";
    }
}

static const char *parse_mb2(const uint8_t *f, size_t size, uint64_t off,
                             struct multiboot_image *img)
{
    const uint8_t *h = f + off;
    uint64_t window = size < MB2_SEARCH_LIMIT ? size : MB2_SEARCH_LIMIT;
    uint64_t len = get32(h + MB2_H_HEADER_LENGTH);
    struct mb2_tags tags = { .have_address = false };
    uint64_t entry = 0;
    const char *reason;

    if (get32(h + MB2_H_ARCHITECTURE) != MB2_ARCH_I386)
        return "multiboot2 header is not for i386 (architecture is not 0)";
    if (len < MB2_H_TAGS + 8)
        return "multiboot2 header_length is too small for the end tag";
    if (len > size - off)
        return "multiboot2 header_length runs past end of file";
    if (len > window - off)
        return "multiboot2 header does not fit in the first 32 KiB";

    img->version = 2;
    img->header_offset = off;
    reason = mb2_walk_tags(f, off, len, img, &tags);
    if (reason != NULL)
        return reason;

    if (tags.have_address) {
        if (!tags.have_entry)
            return "multiboot2 address tag without an entry address tag";
        reason = load_by_address(size, off, len, &tags.address, true, img);
    } else {
        reason = load_elf(f, size, img, &entry);
    }
    if (reason != NULL)
        return reason;
    if (tags.have_entry)
        entry = tags.entry;

    if (img->flags & MB_IMG_RELOCATABLE) {
        /* The image must fit between min_addr and max_addr somewhere. */
        uint64_t span = img->segments[img->segment_count - 1].phys +
                        img->segments[img->segment_count - 1].mem_size - img->segments[0].phys;

        if (img->reloc_min > img->reloc_max || span > (uint64_t)img->reloc_max - img->reloc_min)
            return "multiboot2 relocatable tag: the image does not fit between min_addr and max_addr";
    }
    return finish_layout(img, entry);
}

/* ---- the search ------------------------------------------------------------ */

enum scan_result { SCAN_NONE, SCAN_BAD_CHECKSUM, SCAN_FOUND };

/* Looks for magic at align-multiples in the window whose checksum (the sum
 * of the first words words, checksum included) is 0. */
static enum scan_result scan(const uint8_t *f, size_t size, uint32_t magic, uint64_t limit,
                             uint64_t align, unsigned words, uint64_t *found)
{
    uint64_t window = size < limit ? size : limit;
    enum scan_result result = SCAN_NONE;

    for (uint64_t off = 0; window >= 4u * words && off <= window - 4u * words; off += align) {
        if (get32(f + off) != magic)
            continue;

        uint32_t sum = 0;
        for (unsigned i = 0; i < words; i++)
            sum += get32(f + off + 4u * i);
        if (sum == 0) {
            *found = off;
            return SCAN_FOUND;
        }
        result = SCAN_BAD_CHECKSUM;
    }
    return result;
}

int multiboot_find(const void *file, size_t size, struct multiboot_image *out, const char **why)
{
    const uint8_t *f = file;
    struct multiboot_image img;
    uint64_t off = 0;
    const char *reason;

    if (file == NULL)
        return reject(why, "no kernel image");
    __builtin_memset(&img, 0, sizeof(img));

    /* Multiboot2 header: magic, architecture, header_length, checksum. */
    enum scan_result mb2 = scan(f, size, MB2_HEADER_MAGIC, MB2_SEARCH_LIMIT, MB2_ALIGN, 4, &off);
    if (mb2 == SCAN_FOUND) {
        reason = parse_mb2(f, size, off, &img);
    } else {
        /* Multiboot 1 header: magic, flags, checksum. */
        enum scan_result mb1 = scan(f, size, MB1_HEADER_MAGIC, MB1_SEARCH_LIMIT, MB1_ALIGN, 3, &off);

        if (mb1 == SCAN_FOUND)
            reason = parse_mb1(f, size, off, &img);
        else if (mb1 == SCAN_BAD_CHECKSUM)
            reason = "multiboot header checksum is wrong";
        else if (mb2 == SCAN_BAD_CHECKSUM)
            reason = "multiboot2 header checksum is wrong";
        else
            reason = "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)";
    }
    if (reason != NULL)
        return reject(why, reason);
    if (out != NULL)
        *out = img;
    return 0;
}

/* ---- building what the kernel receives ------------------------------------ */

static size_t string_length(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

/* Appends to the caller's buffer; once something does not fit, nothing more
 * is written and the build fails. */
struct writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    bool overflow;
};

/* Reserves n zeroed bytes at the next 8-aligned position; returns their
 * offset (meaningless once w->overflow is set). */
static size_t reserve(struct writer *w, size_t n)
{
    if (n == 0)
        return w->pos;                     /* an empty array takes no room */

    size_t at = (size_t)align_up8(w->pos);

    if (w->overflow || at > w->cap || n > w->cap - at) {
        w->overflow = true;
        return 0;
    }
    __builtin_memset(w->buf + w->pos, 0, at + n - w->pos);   /* padding too */
    w->pos = at + n;
    return at;
}

/* Copies a NUL-terminated string; returns its offset. */
static size_t put_string(struct writer *w, const char *s)
{
    size_t len = s != NULL ? string_length(s) : 0;
    size_t at = reserve(w, len + 1);

    if (!w->overflow && len > 0)
        __builtin_memcpy(w->buf + at, s, len);
    return at;
}

/* RAM contiguous from start, whatever the order of the list. */
static uint64_t ram_run_end(const struct e820_entry *mem, unsigned count, uint64_t start)
{
    uint64_t pos = start;
    bool grew = true;

    while (grew) {
        grew = false;
        for (unsigned i = 0; i < count; i++) {
            uint64_t addr = mem[i].addr, size = mem[i].size;
            uint64_t end = size > UINT64_MAX - addr ? UINT64_MAX : addr + size;

            if (mem[i].type == E820_RAM && addr <= pos && pos < end) {
                pos = end;
                grew = true;
            }
        }
    }
    return pos;
}

void mb_basic_meminfo(const struct e820_entry *mem, unsigned count,
                      uint32_t *mem_lower, uint32_t *mem_upper)
{
    uint64_t low_end = mem != NULL ? ram_run_end(mem, count, 0) : 0;
    uint64_t high_end = mem != NULL ? ram_run_end(mem, count, 0x100000) : 0x100000;
    uint64_t upper_kib = (high_end - 0x100000) / 1024;

    if (low_end > 640 * 1024)
        low_end = 640 * 1024;
    *mem_lower = (uint32_t)(low_end / 1024);
    *mem_upper = upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib;
}

/* Bytes per scan line and the channel positions of a 32-bit GOP mode. */
static bool fb_layout(const struct bootinfo_framebuffer *fb, uint32_t *pitch,
                      uint8_t *red_pos, uint8_t *blue_pos)
{
    if (fb->format == BOOTINFO_FB_RGBX) {
        *red_pos = 0;
        *blue_pos = 16;
    } else if (fb->format == BOOTINFO_FB_BGRX) {
        *red_pos = 16;
        *blue_pos = 0;
    } else {
        return false;
    }
    if ((uint64_t)fb->pixels_per_line * 4 > UINT32_MAX)
        return false;
    *pitch = fb->pixels_per_line * 4;
    return true;
}

/* color_info for a direct-RGB framebuffer: position, size per channel. */
static void put_color_info(uint8_t *p, uint8_t red_pos, uint8_t blue_pos)
{
    put8(p + 0, red_pos);
    put8(p + 1, 8);
    put8(p + 2, 8);       /* green position */
    put8(p + 3, 8);
    put8(p + 4, blue_pos);
    put8(p + 5, 8);
}

static bool modules_below_4g(const struct mb_info_input *in)
{
    if (in->module_count > 0 && in->modules == NULL)
        return false;
    for (unsigned i = 0; i < in->module_count; i++) {
        /* Both ends are 32-bit fields: end (exclusive) must fit too. */
        if (in->modules[i].start > in->modules[i].end || in->modules[i].end > UINT32_MAX)
            return false;
    }
    return true;
}

static bool input_usable(const void *buf, uint64_t buf_phys, const struct mb_info_input *in)
{
    return buf != NULL && in != NULL && buf_phys % 8 == 0 && buf_phys < FOUR_GIB &&
           (in->mem_count == 0 || in->mem != NULL) && modules_below_4g(in);
}

size_t mb1_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in)
{
    struct writer w = { .buf = buf, .cap = cap, .pos = 0, .overflow = false };
    uint32_t flags = MB1_INFO_MEMORY | MB1_INFO_MMAP | MB1_INFO_MODS;
    uint32_t mem_lower, mem_upper, pitch = 0;
    uint8_t red_pos = 0, blue_pos = 0;

    if (!input_usable(buf, buf_phys, in))
        return 0;
    if (in->fb != NULL && !fb_layout(in->fb, &pitch, &red_pos, &blue_pos))
        return 0;

    size_t info = reserve(&w, MB1_I_SIZE);
    size_t mmap = reserve(&w, (size_t)in->mem_count * MB1_MMAP_ENTRY_SIZE);
    size_t mods = reserve(&w, (size_t)in->module_count * MB1_MODULE_SIZE);
    size_t cmdline = in->cmdline != NULL ? put_string(&w, in->cmdline) : 0;
    size_t name = in->loader_name != NULL ? put_string(&w, in->loader_name) : 0;
    for (unsigned i = 0; i < in->module_count && !w.overflow; i++) {
        size_t s = put_string(&w, in->modules[i].cmdline);

        if (w.overflow)
            break;
        uint8_t *m = w.buf + mods + (size_t)i * MB1_MODULE_SIZE;
        put32(m + 0, (uint32_t)in->modules[i].start);
        put32(m + 4, (uint32_t)in->modules[i].end);
        put32(m + 8, (uint32_t)(buf_phys + s));
    }
    if (w.overflow || w.pos > FOUR_GIB - buf_phys)
        return 0;

    uint8_t *p = w.buf + info;
    mb_basic_meminfo(in->mem, in->mem_count, &mem_lower, &mem_upper);
    put32(p + MB1_I_MEM_LOWER, mem_lower);
    put32(p + MB1_I_MEM_UPPER, mem_upper);
    put32(p + MB1_I_MODS_COUNT, in->module_count);
    put32(p + MB1_I_MODS_ADDR, (uint32_t)(buf_phys + mods));
    put32(p + MB1_I_MMAP_LENGTH, in->mem_count * MB1_MMAP_ENTRY_SIZE);
    put32(p + MB1_I_MMAP_ADDR, (uint32_t)(buf_phys + mmap));
    for (unsigned i = 0; i < in->mem_count; i++) {
        uint8_t *e = w.buf + mmap + (size_t)i * MB1_MMAP_ENTRY_SIZE;

        put32(e + 0, MB1_MMAP_ENTRY_SIZE - 4);     /* size excludes itself */
        put64(e + 4, in->mem[i].addr);
        put64(e + 12, in->mem[i].size);
        put32(e + 20, in->mem[i].type);
    }
    if (in->cmdline != NULL) {
        flags |= MB1_INFO_CMDLINE;
        put32(p + MB1_I_CMDLINE, (uint32_t)(buf_phys + cmdline));
    }
    if (in->loader_name != NULL) {
        flags |= MB1_INFO_LOADER_NAME;
        put32(p + MB1_I_BOOT_LOADER_NAME, (uint32_t)(buf_phys + name));
    }
    if (in->fb != NULL) {
        flags |= MB1_INFO_FRAMEBUFFER;
        put64(p + MB1_I_FB_ADDR, in->fb->base);
        put32(p + MB1_I_FB_PITCH, pitch);
        put32(p + MB1_I_FB_WIDTH, in->fb->width);
        put32(p + MB1_I_FB_HEIGHT, in->fb->height);
        put8(p + MB1_I_FB_BPP, 32);
        put8(p + MB1_I_FB_TYPE, MB_FB_TYPE_RGB);
        put_color_info(p + MB1_I_FB_COLOR_INFO, red_pos, blue_pos);
    }
    put32(p + MB1_I_FLAGS, flags);
    return w.pos;
}

/* Starts a tag of the given type and total size; returns its offset. */
static size_t begin_tag(struct writer *w, uint32_t type, size_t size)
{
    size_t at = reserve(w, size);

    if (!w->overflow) {
        put32(w->buf + at, type);
        put32(w->buf + at + 4, (uint32_t)size);
    }
    return at;
}

static void string_tag(struct writer *w, uint32_t type, const char *s)
{
    size_t len = string_length(s);
    size_t at = begin_tag(w, type, 8 + len + 1);

    if (!w->overflow)
        __builtin_memcpy(w->buf + at + 8, s, len);
}

#define MB2_FB_TAG_SIZE     38   /* common part (32: u16 reserved, as GRUB) + 6 colour bytes */
#define MB2_RSDP_V1_SIZE    20
#define MB2_RSDP_V2_SIZE    36
#define ACPI_RSDP_REVISION  15   /* offset of the revision byte in the RSDP */

static void mb2_fb_tag(struct writer *w, const struct bootinfo_framebuffer *fb, uint32_t pitch,
                       uint8_t red_pos, uint8_t blue_pos)
{
    size_t at = begin_tag(w, MB2_TAG_FRAMEBUFFER, MB2_FB_TAG_SIZE);

    if (w->overflow)
        return;
    uint8_t *t = w->buf + at;
    put64(t + 8, fb->base);
    put32(t + 16, pitch);
    put32(t + 20, fb->width);
    put32(t + 24, fb->height);
    put8(t + 28, 32);
    put8(t + 29, MB_FB_TYPE_RGB);
    put16(t + 30, 0);
    put_color_info(t + 32, red_pos, blue_pos);
}

static void mb2_memory_tags(struct writer *w, const struct mb_info_input *in)
{
    uint32_t mem_lower, mem_upper;
    size_t at = begin_tag(w, MB2_TAG_BASIC_MEMINFO, 16);

    mb_basic_meminfo(in->mem, in->mem_count, &mem_lower, &mem_upper);
    if (!w->overflow) {
        put32(w->buf + at + 8, mem_lower);
        put32(w->buf + at + 12, mem_upper);
    }

    at = begin_tag(w, MB2_TAG_MMAP, 16 + (size_t)in->mem_count * MB2_MMAP_ENTRY_SIZE);
    if (w->overflow)
        return;
    put32(w->buf + at + 8, MB2_MMAP_ENTRY_SIZE);
    put32(w->buf + at + 12, 0);                     /* entry_version */
    for (unsigned i = 0; i < in->mem_count; i++) {
        uint8_t *e = w->buf + at + 16 + (size_t)i * MB2_MMAP_ENTRY_SIZE;

        put64(e + 0, in->mem[i].addr);
        put64(e + 8, in->mem[i].size);
        put32(e + 16, in->mem[i].type);
        put32(e + 20, 0);
    }
}

static void mb2_acpi_tags(struct writer *w, const struct mb_info_input *in)
{
    size_t at = begin_tag(w, MB2_TAG_ACPI_OLD, 8 + MB2_RSDP_V1_SIZE);

    if (!w->overflow)
        __builtin_memcpy(w->buf + at + 8, in->rsdp, MB2_RSDP_V1_SIZE);
    if (in->rsdp_size >= MB2_RSDP_V2_SIZE && in->rsdp[ACPI_RSDP_REVISION] >= 2) {
        at = begin_tag(w, MB2_TAG_ACPI_NEW, 8 + MB2_RSDP_V2_SIZE);
        if (!w->overflow)
            __builtin_memcpy(w->buf + at + 8, in->rsdp, MB2_RSDP_V2_SIZE);
    }
}

size_t mb2_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in)
{
    struct writer w = { .buf = buf, .cap = cap, .pos = 0, .overflow = false };
    uint32_t pitch = 0;
    uint8_t red_pos = 0, blue_pos = 0;

    if (!input_usable(buf, buf_phys, in))
        return 0;
    if (in->fb != NULL && !fb_layout(in->fb, &pitch, &red_pos, &blue_pos))
        return 0;
    if (in->rsdp != NULL && in->rsdp_size < MB2_RSDP_V1_SIZE)
        return 0;

    reserve(&w, 8);                                  /* total_size, reserved */
    if (in->cmdline != NULL)
        string_tag(&w, MB2_TAG_CMDLINE, in->cmdline);
    if (in->loader_name != NULL)
        string_tag(&w, MB2_TAG_LOADER_NAME, in->loader_name);
    for (unsigned i = 0; i < in->module_count && !w.overflow; i++) {
        const struct mb_module *m = &in->modules[i];
        const char *s = m->cmdline != NULL ? m->cmdline : "";
        size_t len = string_length(s);
        size_t at = begin_tag(&w, MB2_TAG_MODULE, 16 + len + 1);

        if (w.overflow)
            break;
        put32(w.buf + at + 8, (uint32_t)m->start);
        put32(w.buf + at + 12, (uint32_t)m->end);
        __builtin_memcpy(w.buf + at + 16, s, len);
    }
    mb2_memory_tags(&w, in);
    if (in->fb != NULL)
        mb2_fb_tag(&w, in->fb, pitch, red_pos, blue_pos);
    if (in->rsdp != NULL)
        mb2_acpi_tags(&w, in);
    if (in->has_load_base) {
        size_t at = begin_tag(&w, MB2_TAG_LOAD_BASE_ADDR, 12);

        if (!w.overflow)
            put32(w.buf + at + 8, in->load_base);
    }
    begin_tag(&w, MB2_TAG_END, 8);
    if (w.overflow || w.pos > FOUR_GIB - buf_phys || w.pos > UINT32_MAX)
        return 0;

    put32(w.buf + 0, (uint32_t)w.pos);
    put32(w.buf + 4, 0);
    return w.pos;
}
