/*
 * Multiboot 1 and 2, the image side: header search and checks, and the
 * description of what to load where (see guest/multiboot/multiboot.h; the
 * information structures are built by multiboot_info.c).
 *
 * The image is untrusted until multiboot_find returns 0: fields are read
 * byte by byte (no alignment assumptions) and only after the file is known
 * to reach them; sizes are compared by subtraction, never by adding an
 * untrusted value to an offset.
 */
#include "lib/elf.h"
#include "lib/le.h"
#include "lib/parse_checks.h"
#include "guest/multiboot/multiboot.h"

#define FOUR_GIB        (1ull << 32)

static uint64_t align_up8(uint64_t v)
{
    return (v + 7) & ~7ull;
}

/* ---- ELF program headers (checked by lib/elf.c) ------------------------- */

_Static_assert(ELF_MAX_PHYS_SEGMENTS <= MB_MAX_SEGMENTS, "every ELF segment fits the image");

/* Fills img->segments from an ELF32 or ELF64 image; *entry gets e_entry
 * translated to physical.  Returns NULL or a reason. */
static const char *load_elf(const uint8_t *f, size_t size, struct multiboot_image *img,
                            uint64_t *entry)
{
    struct elf_phys_image elf;
    const char *why;

    if (size < 16 || !elf_has_magic(f, size))
        return "image is neither ELF nor described by multiboot address fields";
    if (elf_check_phys(f, size, &elf, &why) != 0)
        return why;
    img->segment_count = elf.segment_count;
    for (unsigned i = 0; i < elf.segment_count; i++) {
        img->segments[i] = (struct mb_segment){
            .file_offset = elf.segments[i].file_offset,
            .file_size = elf.segments[i].file_size,
            .phys = elf.segments[i].phys,
            .mem_size = elf.segments[i].mem_size,
        };
    }
    img->load_kind = elf.elf_class == 64 ? MB_LOAD_ELF64 : MB_LOAD_ELF32;
    *entry = elf.entry;
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
