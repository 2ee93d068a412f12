/* Unit tests for guest/multiboot/ (multiboot_parse.c and multiboot_info.c). */
#include "test.h"
#include "test_bytes.h"

#include "guest/multiboot/multiboot.h"

#include <stdlib.h>

#define IMG_SIZE 0x3000u

struct image {
    uint8_t b[IMG_SIZE];
};

static void fill(struct image *img)
{
    for (size_t i = 0; i < IMG_SIZE; i++)
        img->b[i] = (uint8_t)(i * 29 + 3);
    /* Nothing in the filler may look like a header by accident. */
    for (size_t i = 0; i + 4 <= IMG_SIZE; i++) {
        uint32_t v = r32(img->b, i);
        if (v == MB1_HEADER_MAGIC || v == MB2_HEADER_MAGIC)
            img->b[i] ^= 1;
    }
}

/* ---- Multiboot 1 images ---------------------------------------------------- */

#define MB1_OFF 0x40u

static void mb1_header(uint8_t *b, size_t off, uint32_t flags)
{
    w32(b, off + MB1_H_MAGIC, MB1_HEADER_MAGIC);
    w32(b, off + MB1_H_FLAGS, flags);
    w32(b, off + MB1_H_CHECKSUM, (uint32_t)-(MB1_HEADER_MAGIC + flags));
}

static void mb1_fix_checksum(uint8_t *b, size_t off)
{
    mb1_header(b, off, r32(b, off + MB1_H_FLAGS));
}

/* An MB1 header at MB1_OFF whose address fields load the whole file at
 * 1 MiB, with bss up to 1 MiB + 20 KiB. */
static void put_mb1_address_header(uint8_t *b)
{
    mb1_header(b, MB1_OFF, MB1_F_PAGE_ALIGN | MB1_F_MEMORY_INFO | MB1_F_ADDRESS_FIELDS);
    w32(b, MB1_OFF + MB1_H_HEADER_ADDR, 0x100000 + MB1_OFF);
    w32(b, MB1_OFF + MB1_H_LOAD_ADDR, 0x100000);
    w32(b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x100000 + IMG_SIZE);
    w32(b, MB1_OFF + MB1_H_BSS_END_ADDR, 0x105000);
    w32(b, MB1_OFF + MB1_H_ENTRY_ADDR, 0x100080);
}

static void build_mb1_address(struct image *img)
{
    fill(img);
    put_mb1_address_header(img->b);
}

/* ---- ELF images -------------------------------------------------------------
 * A higher-half kernel: two PT_LOAD segments linked at 0xC0100000 and loaded
 * at 1 MiB, a PT_NOTE in between; the text starts at file offset 0x1000
 * (where the multiboot header goes). */

#define ELF_ENTRY_OFF   0x10u
#define TEXT_PHYS       0x100000u
#define DATA_PHYS       0x102000u

static void build_elf32(struct image *img, uint32_t vbase)
{
    uint8_t *b = img->b;

    fill(img);
    memset(b, 0, 0x100);
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1;                             /* ELFCLASS32 */
    b[5] = 1;                             /* little-endian */
    b[6] = 1;                             /* EV_CURRENT */
    w16(b, 16, 2);                        /* ET_EXEC */
    w16(b, 18, 3);                        /* EM_386 */
    w32(b, 20, 1);
    w32(b, 24, vbase + ELF_ENTRY_OFF);    /* e_entry */
    w32(b, 28, 52);                       /* e_phoff */
    w16(b, 40, 52);                       /* e_ehsize */
    w16(b, 42, 32);                       /* e_phentsize */
    w16(b, 44, 3);                        /* e_phnum */
    /* phdr 0: text */
    w32(b, 52 + 0, 1);
    w32(b, 52 + 4, 0x1000);
    w32(b, 52 + 8, vbase);
    w32(b, 52 + 12, TEXT_PHYS);
    w32(b, 52 + 16, 0x1000);
    w32(b, 52 + 20, 0x1000);
    w32(b, 52 + 24, 5);
    w32(b, 52 + 28, 0x1000);
    /* phdr 1: a note, ignored */
    w32(b, 84 + 0, 4);
    w32(b, 84 + 4, 0x100);
    w32(b, 84 + 16, 0x20);
    w32(b, 84 + 20, 0x20);
    /* phdr 2: data + bss, ending exactly at the end of the file */
    w32(b, 116 + 0, 1);
    w32(b, 116 + 4, 0x2000);
    w32(b, 116 + 8, vbase + 0x2000);
    w32(b, 116 + 12, DATA_PHYS);
    w32(b, 116 + 16, 0x1000);
    w32(b, 116 + 20, 0x3000);
    w32(b, 116 + 24, 6);
    w32(b, 116 + 28, 0x1000);
}

static void build_elf64(struct image *img, uint64_t vbase)
{
    uint8_t *b = img->b;

    fill(img);
    memset(b, 0, 0x200);
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 2;                             /* ELFCLASS64 */
    b[5] = 1;
    b[6] = 1;
    w16(b, 16, 2);
    w16(b, 18, 62);                       /* EM_X86_64 */
    w32(b, 20, 1);
    w64(b, 24, vbase + ELF_ENTRY_OFF);
    w64(b, 32, 64);                       /* e_phoff */
    w16(b, 52, 64);
    w16(b, 54, 56);
    w16(b, 56, 2);
    /* phdr 0: text */
    w32(b, 64 + 0, 1);
    w32(b, 64 + 4, 5);
    w64(b, 64 + 8, 0x1000);
    w64(b, 64 + 16, vbase);
    w64(b, 64 + 24, TEXT_PHYS);
    w64(b, 64 + 32, 0x1000);
    w64(b, 64 + 40, 0x1000);
    w64(b, 64 + 48, 0x1000);
    /* phdr 1: data + bss */
    w32(b, 120 + 0, 1);
    w32(b, 120 + 4, 6);
    w64(b, 120 + 8, 0x2000);
    w64(b, 120 + 16, vbase + 0x2000);
    w64(b, 120 + 24, DATA_PHYS);
    w64(b, 120 + 32, 0x1000);
    w64(b, 120 + 40, 0x3000);
    w64(b, 120 + 48, 0x1000);
}

/* ---- Multiboot2 header builder ---------------------------------------------- */

#define MB2_OFF 0x1000u

struct mb2w {
    uint8_t *b;
    size_t off;               /* header start */
    size_t pos;               /* next tag, from the header start */
};

static struct mb2w mb2_begin(struct image *img, size_t off)
{
    struct mb2w w = { img->b, off, MB2_H_TAGS };

    w32(img->b, off + MB2_H_MAGIC, MB2_HEADER_MAGIC);
    w32(img->b, off + MB2_H_ARCHITECTURE, MB2_ARCH_I386);
    return w;
}

/* A tag with n u32 payload words; the next tag starts 8-aligned. */
static void mb2_tag(struct mb2w *w, uint16_t type, uint16_t flags, const uint32_t *words,
                    unsigned n)
{
    uint8_t *t = w->b + w->off + w->pos;
    uint32_t size = 8 + 4 * n;

    w16(t, 0, type);
    w16(t, 2, flags);
    w32(t, 4, size);
    for (unsigned i = 0; i < n; i++)
        w32(t, 8 + 4 * i, words[i]);
    size_t end = w->pos + size;

    w->pos = (end + 7) & ~(size_t)7;
    memset(w->b + w->off + end, 0, w->pos - end);      /* padding */
}

static void mb2_set_length(uint8_t *b, size_t off, uint32_t len)
{
    w32(b, off + MB2_H_HEADER_LENGTH, len);
    w32(b, off + MB2_H_CHECKSUM, (uint32_t)-(MB2_HEADER_MAGIC + r32(b, off + MB2_H_ARCHITECTURE) + len));
}

static void mb2_end(struct mb2w *w)
{
    mb2_tag(w, MB2_HT_END, 0, NULL, 0);
    mb2_set_length(w->b, w->off, (uint32_t)w->pos);
}

#define TAG(w, type, flags, ...)                                                \
    do {                                                                        \
        const uint32_t words_[] = { __VA_ARGS__ };                              \
        mb2_tag((w), (type), (flags), words_, sizeof(words_) / sizeof(words_[0])); \
    } while (0)

#define TAG0(w, type, flags) mb2_tag((w), (type), (flags), NULL, 0)

/* Every header tag, with address fields: loads the whole file at 1 MiB. */
static void build_mb2_full(struct image *img)
{
    fill(img);
    struct mb2w w = mb2_begin(img, MB2_OFF);
    TAG(&w, MB2_HT_INFO_REQUEST, 0, MB2_TAG_CMDLINE, MB2_TAG_MMAP, MB2_TAG_ELF_SECTIONS,
        MB2_TAG_BASIC_MEMINFO, MB2_TAG_ACPI_NEW);
    TAG(&w, MB2_HT_ADDRESS, 0, 0x100000 + MB2_OFF, 0x100000, 0x100000 + IMG_SIZE, 0x108000);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, 0x101800);
    TAG(&w, MB2_HT_CONSOLE_FLAGS, 0, MB2_CONSOLE_REQUIRED | MB2_CONSOLE_EGA_TEXT);
    TAG(&w, MB2_HT_FRAMEBUFFER, MB2_HT_FLAG_OPTIONAL, 1024, 768, 32);
    TAG0(&w, MB2_HT_MODULE_ALIGN, 0);
    TAG0(&w, MB2_HT_EFI_BS, MB2_HT_FLAG_OPTIONAL);
    TAG(&w, MB2_HT_ENTRY_EFI64, 0, 0x101900);
    TAG(&w, MB2_HT_ENTRY_EFI32, MB2_HT_FLAG_OPTIONAL, 0x101A00);
    TAG(&w, MB2_HT_RELOCATABLE, 0, 0x100000, 0x10000000, 0x1000, 1);
    mb2_end(&w);
}

/* ---- running the parser ---------------------------------------------------- */

static int find_bytes(const void *bytes, size_t size, struct multiboot_image *out, const char **why)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);

    memcpy(copy, bytes, size);
    int r = multiboot_find(copy, size, out, why);
    free(copy);
    return r;
}

static void expect_reject(struct unit_ctx *unit_ctx_, const void *bytes, size_t size,
                          const char *reason, int line)
{
    struct multiboot_image out;
    const char *why = NULL;

    if (find_bytes(bytes, size, &out, &why) != -1) {
        unit_fail(unit_ctx_, __FILE__, line, "accepted, wanted \"%s\"", reason);
        return;
    }
    if (why == NULL || strcmp(why, reason) != 0)
        unit_fail(unit_ctx_, __FILE__, line, "reason \"%s\", wanted \"%s\"",
                  why ? why : "(null)", reason);
}

#define CHECK_REJECT(img, reason)                                               \
    do {                                                                        \
        expect_reject(unit_ctx_, (img)->b, IMG_SIZE, (reason), __LINE__);       \
        CHECK_PASSING();                                                        \
    } while (0)

#define CHECK_ACCEPT(img, out)                                                  \
    do {                                                                        \
        const char *why_ = NULL;                                                \
        if (find_bytes((img)->b, IMG_SIZE, (out), &why_) != 0) {                \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "refused: %s", why_);      \
            return;                                                             \
        }                                                                       \
    } while (0)

static void expect_segment(struct unit_ctx *unit_ctx_, const struct multiboot_image *m, unsigned i,
                           uint64_t file_offset, uint64_t file_size, uint64_t phys,
                           uint64_t mem_size, int line)
{
    const struct mb_segment *s = &m->segments[i];

    if (i >= m->segment_count || s->file_offset != file_offset || s->file_size != file_size ||
        s->phys != phys || s->mem_size != mem_size)
        unit_fail(unit_ctx_, __FILE__, line,
                  "segment %u: {0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 "}",
                  i, s->file_offset, s->file_size, s->phys, s->mem_size);
}

#define CHECK_SEGMENT(m, i, off, fsz, phys, msz)                                \
    do {                                                                        \
        expect_segment(unit_ctx_, (m), (i), (off), (fsz), (phys), (msz), __LINE__); \
        CHECK_PASSING();                                                        \
    } while (0)

/* Every prefix of the image is refused, or accepted only with everything it
 * loads inside the prefix (ASan checks the parser never reads past it). */
static void check_truncations(struct unit_ctx *unit_ctx_, const struct image *img, bool all_refused,
                              int line)
{
    for (size_t len = 0; len < IMG_SIZE; len++) {
        struct multiboot_image out;
        const char *why = NULL;
        int r = find_bytes(img->b, len, &out, &why);

        if (r != 0) {
            if (why == NULL) {
                unit_fail(unit_ctx_, __FILE__, line, "length %zu: refused without a reason", len);
                return;
            }
            continue;
        }
        if (all_refused) {
            unit_fail(unit_ctx_, __FILE__, line, "truncated to %zu bytes was accepted", len);
            return;
        }
        for (unsigned i = 0; i < out.segment_count; i++) {
            if (out.segments[i].file_offset + out.segments[i].file_size > len) {
                unit_fail(unit_ctx_, __FILE__, line, "length %zu: segment %u outside", len, i);
                return;
            }
        }
    }
}

/* ---- Multiboot 1 ----------------------------------------------------------- */

TEST(mb1_address_fields)
{
    struct image img;
    struct multiboot_image m;

    build_mb1_address(&img);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 1);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ADDRESS);
    CHECK_EQ_U64(m.header_offset, MB1_OFF);
    CHECK_EQ_U64(m.entry, 0x100080);
    CHECK_EQ_U64(m.segment_count, 1);
    CHECK_SEGMENT(&m, 0, 0, IMG_SIZE, 0x100000, 0x5000);
    CHECK_EQ_U64(m.phys_start, 0x100000);
    CHECK_EQ_U64(m.phys_end, 0x105000);
    CHECK_EQ_U64(m.flags, MB_IMG_PAGE_ALIGN_MODULES | MB_IMG_NEEDS_MEMORY_INFO);
    CHECK_EQ_U64(m.header_flags, MB1_F_PAGE_ALIGN | MB1_F_MEMORY_INFO | MB1_F_ADDRESS_FIELDS);
}

TEST(mb1_address_fields_variants)
{
    struct image img;
    struct multiboot_image m;

    /* load_end_addr 0: the rest of the file; bss_end 0: no bss. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0);
    w32(img.b, MB1_OFF + MB1_H_BSS_END_ADDR, 0);
    CHECK_ACCEPT(&img, &m);
    CHECK_SEGMENT(&m, 0, 0, IMG_SIZE, 0x100000, IMG_SIZE);
    /* Text starting 0x20 into the file, loading 0x1000 bytes. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_ADDR, 0x100000 + 0x20);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x101020);
    CHECK_ACCEPT(&img, &m);
    CHECK_SEGMENT(&m, 0, 0x20, 0x1000, 0x100020, 0x105000 - 0x100020);
    /* The header itself first: load_addr == header_addr. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_ADDR, 0x100000 + MB1_OFF);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0);
    CHECK_ACCEPT(&img, &m);
    CHECK_SEGMENT(&m, 0, MB1_OFF, IMG_SIZE - MB1_OFF, 0x100040, 0x105000 - 0x100040);
    /* bss_end exactly at load_end. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_BSS_END_ADDR, 0x100000 + IMG_SIZE);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.segments[0].mem_size, IMG_SIZE);
}

TEST(mb1_address_fields_inconsistent)
{
    struct image img;

    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_ADDR, 0x100000 + MB1_OFF + 4);
    CHECK_REJECT(&img, "load_addr is above header_addr");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_ADDR, 0x100000 - 0x1000);   /* before the file */
    CHECK_REJECT(&img, "address fields would load from before the start of the file");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x100000);
    CHECK_REJECT(&img, "load_end_addr is not above load_addr");
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x1000);
    CHECK_REJECT(&img, "load_end_addr is not above load_addr");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x100000 + IMG_SIZE + 1);
    CHECK_REJECT(&img, "load_end_addr asks for more bytes than the file has");
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0xFFFFFFFF);
    CHECK_REJECT(&img, "load_end_addr asks for more bytes than the file has");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x100000 + MB1_OFF + 16);   /* cuts the header */
    CHECK_REJECT(&img, "header_addr is not inside the loaded part of the image");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_BSS_END_ADDR, 0x100000 + IMG_SIZE - 1);
    CHECK_REJECT(&img, "bss_end_addr is below load_end_addr");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_ENTRY_ADDR, 0x100000 + IMG_SIZE);   /* in the bss */
    CHECK_REJECT(&img, "entry address is not inside the loaded image");
    w32(img.b, MB1_OFF + MB1_H_ENTRY_ADDR, 0xFFFFF);
    CHECK_REJECT(&img, "entry address is not inside the loaded image");
    /* The rest of the file, loaded just below 4 GiB, crosses it. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_HEADER_ADDR, 0xFFFFF000 + MB1_OFF);
    w32(img.b, MB1_OFF + MB1_H_LOAD_ADDR, 0xFFFFF000);
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0);
    w32(img.b, MB1_OFF + MB1_H_BSS_END_ADDR, 0);
    w32(img.b, MB1_OFF + MB1_H_ENTRY_ADDR, 0xFFFFF100);
    CHECK_REJECT(&img, "loaded image extends past 4 GiB");
}

TEST(mb1_header_checks)
{
    struct image img;
    struct multiboot_image m;

    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_CHECKSUM, r32(img.b, MB1_OFF + MB1_H_CHECKSUM) + 1);
    CHECK_REJECT(&img, "multiboot header checksum is wrong");
    build_mb1_address(&img);
    w32(img.b, MB1_OFF, 0x1BADB003);
    CHECK_REJECT(&img, "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)");
    /* Unknown required bits (3-15) refuse; unknown optional bits (17-31) do not. */
    for (unsigned bit = 3; bit < 16; bit++) {
        build_mb1_address(&img);
        w32(img.b, MB1_OFF + MB1_H_FLAGS, r32(img.b, MB1_OFF + MB1_H_FLAGS) | 1u << bit);
        mb1_fix_checksum(img.b, MB1_OFF);
        CHECK_REJECT(&img, "multiboot header requires features Kestrel does not know (flag bits 3-15)");
    }
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_FLAGS, r32(img.b, MB1_OFF + MB1_H_FLAGS) | 0xFFFE0000u);
    mb1_fix_checksum(img.b, MB1_OFF);
    CHECK_ACCEPT(&img, &m);
    /* Not 4-aligned: not found. */
    build_mb1_address(&img);
    memmove(img.b + MB1_OFF + 2, img.b + MB1_OFF, 32);
    memset(img.b + MB1_OFF, 0, 2);
    CHECK_REJECT(&img, "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)");
}

TEST(mb1_header_placement)
{
    struct image img;
    struct multiboot_image m;
    static uint8_t big[0x4000];

    /* Address fields present but the header's end is past the file. */
    memset(big, 0, 0x1000);
    mb1_header(big, 0x1000 - 16, MB1_F_ADDRESS_FIELDS);
    expect_reject(unit_ctx_, big, 0x1000, "multiboot header runs past end of file", __LINE__);
    CHECK_PASSING();
    /* ... or past the first 8 KiB, in a bigger file. */
    memset(big, 0, sizeof(big));
    mb1_header(big, 8192 - 16, MB1_F_ADDRESS_FIELDS);
    expect_reject(unit_ctx_, big, sizeof(big), "multiboot header does not fit in the first 8 KiB",
                  __LINE__);
    CHECK_PASSING();
    /* Magic just past 8 KiB: not searched. */
    memset(big, 0, sizeof(big));
    mb1_header(big, 8192, MB1_F_ADDRESS_FIELDS);
    expect_reject(unit_ctx_, big, sizeof(big),
                  "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)", __LINE__);
    CHECK_PASSING();
    /* The video fields make the header 48 bytes long. */
    build_mb1_address(&img);
    w32(img.b, MB1_OFF + MB1_H_FLAGS, MB1_F_ADDRESS_FIELDS | MB1_F_VIDEO_MODE);
    mb1_fix_checksum(img.b, MB1_OFF);
    w32(img.b, MB1_OFF + MB1_H_MODE_TYPE, 0);
    w32(img.b, MB1_OFF + MB1_H_WIDTH, 1024);
    w32(img.b, MB1_OFF + MB1_H_HEIGHT, 768);
    w32(img.b, MB1_OFF + MB1_H_DEPTH, 32);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.flags, MB_IMG_WANTS_VIDEO);
    CHECK_EQ_U64(m.video_mode_type, 0);
    CHECK_EQ_U64(m.video_width, 1024);
    CHECK_EQ_U64(m.video_height, 768);
    CHECK_EQ_U64(m.video_depth, 32);
    /* The loaded part must then hold all 48 header bytes. */
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0x100000 + MB1_OFF + 40);
    CHECK_REJECT(&img, "header_addr is not inside the loaded part of the image");
}

TEST(mb1_every_truncation_is_refused)
{
    struct image img;

    build_mb1_address(&img);
    check_truncations(unit_ctx_, &img, true, __LINE__);
    CHECK_PASSING();
    /* load_end_addr 0 loads "the rest": a prefix may be accepted, but only
     * with a segment inside it. */
    w32(img.b, MB1_OFF + MB1_H_LOAD_END_ADDR, 0);
    w32(img.b, MB1_OFF + MB1_H_BSS_END_ADDR, 0);
    check_truncations(unit_ctx_, &img, false, __LINE__);
    CHECK_PASSING();
}

TEST(mb1_elf32)
{
    struct image img;
    struct multiboot_image m;

    build_elf32(&img, 0xC0100000);
    mb1_header(img.b, 0x1000, MB1_F_MEMORY_INFO);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 1);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ELF32);
    CHECK_EQ_U64(m.header_offset, 0x1000);
    CHECK_EQ_U64(m.segment_count, 2);
    CHECK_SEGMENT(&m, 0, 0x1000, 0x1000, TEXT_PHYS, 0x1000);
    CHECK_SEGMENT(&m, 1, 0x2000, 0x1000, DATA_PHYS, 0x3000);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + ELF_ENTRY_OFF);     /* virtual entry translated */
    CHECK_EQ_U64(m.phys_start, TEXT_PHYS);
    CHECK_EQ_U64(m.phys_end, DATA_PHYS + 0x3000);
    CHECK_EQ_U64(m.flags, MB_IMG_NEEDS_MEMORY_INFO);
    check_truncations(unit_ctx_, &img, true, __LINE__);
    CHECK_PASSING();

    /* Identity-linked: the entry is already physical. */
    build_elf32(&img, TEXT_PHYS);
    mb1_header(img.b, 0x1000, 0);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + ELF_ENTRY_OFF);
    /* Address fields win over the ELF headers. */
    build_elf32(&img, 0xC0100000);
    mb1_header(img.b, 0x1000, MB1_F_ADDRESS_FIELDS);
    w32(img.b, 0x1000 + MB1_H_HEADER_ADDR, 0x200000);
    w32(img.b, 0x1000 + MB1_H_LOAD_ADDR, 0x200000);
    w32(img.b, 0x1000 + MB1_H_LOAD_END_ADDR, 0x201000);
    w32(img.b, 0x1000 + MB1_H_BSS_END_ADDR, 0);
    w32(img.b, 0x1000 + MB1_H_ENTRY_ADDR, 0x200040);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ADDRESS);
    CHECK_SEGMENT(&m, 0, 0x1000, 0x1000, 0x200000, 0x1000);
}

TEST(mb1_elf64)
{
    struct image img;
    struct multiboot_image m;

    build_elf64(&img, 0xFFFFFFFF80100000ull);
    mb1_header(img.b, 0x1000, MB1_F_PAGE_ALIGN);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ELF64);
    CHECK_EQ_U64(m.segment_count, 2);
    CHECK_SEGMENT(&m, 0, 0x1000, 0x1000, TEXT_PHYS, 0x1000);
    CHECK_SEGMENT(&m, 1, 0x2000, 0x1000, DATA_PHYS, 0x3000);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + ELF_ENTRY_OFF);
    check_truncations(unit_ctx_, &img, true, __LINE__);
    CHECK_PASSING();
}

TEST(mb1_elf_refusals)
{
    struct image img;

    build_elf32(&img, 0xC0100000);
    mb1_header(img.b, 0x1000, 0);
    img.b[0] = 0;
    CHECK_REJECT(&img, "image is neither ELF nor described by multiboot address fields");
#define ELF32_CASE(stmt, reason)                                                \
    do {                                                                        \
        build_elf32(&img, 0xC0100000);                                          \
        mb1_header(img.b, 0x1000, 0);                                           \
        stmt;                                                                   \
        CHECK_REJECT(&img, reason);                                             \
    } while (0)
    ELF32_CASE(img.b[4] = 3, "ELF class is neither 32- nor 64-bit");
    ELF32_CASE(img.b[5] = 2, "ELF image is not little-endian");
    ELF32_CASE(img.b[6] = 0, "bad ELF identification version");
    ELF32_CASE(w16(img.b, 16, 3), "ELF image is not an executable (ET_EXEC)");
    ELF32_CASE(w16(img.b, 18, 62), "ELF machine is not i386 (ELF32) or x86-64 (ELF64)");
    ELF32_CASE(w32(img.b, 20, 2), "bad ELF version");
    ELF32_CASE(w16(img.b, 42, 56), "bad ELF program header entry size");
    ELF32_CASE(w16(img.b, 44, 0), "ELF image has no program headers");
    ELF32_CASE(w16(img.b, 44, 65), "ELF image has too many program headers");
    ELF32_CASE(w16(img.b, 44, 0xFFFF), "ELF image has too many program headers");
    ELF32_CASE(w32(img.b, 28, IMG_SIZE - 64), "ELF program headers extend past end of file");
    ELF32_CASE(w32(img.b, 28, 0xFFFFFFF0), "ELF program headers extend past end of file");
    ELF32_CASE(w32(img.b, 116 + 16, 0x3001), "ELF segment's file size exceeds its memory size");
    ELF32_CASE(w32(img.b, 116 + 4, 0x2001), "ELF segment extends past end of file");
    ELF32_CASE(w32(img.b, 116 + 4, 0xFFFFF800), "ELF segment extends past end of file");
    ELF32_CASE(w32(img.b, 116 + 12, 0xFFFFE000), "ELF segment is not below 4 GiB "
                                                 "(loaded by physical address)");
    ELF32_CASE(w32(img.b, 116 + 12, TEXT_PHYS + 0xFFF), "ELF segments overlap in physical memory");
    ELF32_CASE(w32(img.b, 116 + 12, TEXT_PHYS - 0x2FFF), "ELF segments overlap in physical memory");
    ELF32_CASE((w32(img.b, 52, 4), w32(img.b, 116, 6)), "ELF image has no PT_LOAD segments");
    ELF32_CASE(w32(img.b, 24, 0xC0100000 + 0x1000), "entry address is not inside the loaded image");
    ELF32_CASE(w32(img.b, 24, 0xC0102000 + 0x1800), "entry address is not inside the loaded image");
#undef ELF32_CASE
    /* ELF64: machine and 4 GiB. */
    build_elf64(&img, 0xFFFFFFFF80100000ull);
    mb1_header(img.b, 0x1000, 0);
    w16(img.b, 18, 3);
    CHECK_REJECT(&img, "ELF machine is not i386 (ELF32) or x86-64 (ELF64)");
    build_elf64(&img, 0xFFFFFFFF80100000ull);
    mb1_header(img.b, 0x1000, 0);
    w64(img.b, 120 + 24, 0x100000000ull);
    CHECK_REJECT(&img, "ELF segment is not below 4 GiB (loaded by physical address)");
    build_elf64(&img, 0xFFFFFFFF80100000ull);
    mb1_header(img.b, 0x1000, 0);
    w64(img.b, 120 + 16, UINT64_MAX - 0x1000);
    CHECK_REJECT(&img, "ELF segment's virtual address range overflows");
    build_elf64(&img, 0xFFFFFFFF80100000ull);
    mb1_header(img.b, 0x1000, 0);
    w64(img.b, 64 + 8, UINT64_MAX - 0x10);
    CHECK_REJECT(&img, "ELF segment extends past end of file");
    /* Too many PT_LOAD segments (17 small ones). */
    build_elf32(&img, 0xC0100000);
    mb1_header(img.b, 0x1000, 0);
    w32(img.b, 28, 0x200);
    w16(img.b, 44, 17);
    for (unsigned i = 0; i < 17; i++) {
        uint8_t *ph = img.b + 0x200 + 32 * i;

        memset(ph, 0, 32);
        w32(ph, 0, 1);
        w32(ph, 4, 0x1000);
        w32(ph, 12, TEXT_PHYS + 0x100 * i);
        w32(ph, 16, 0x100);
        w32(ph, 20, 0x100);
    }
    CHECK_REJECT(&img, "ELF image has too many PT_LOAD segments");
}

/* ---- Multiboot2 ------------------------------------------------------------ */

TEST(mb2_every_tag)
{
    struct image img;
    struct multiboot_image m;

    build_mb2_full(&img);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 2);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ADDRESS);
    CHECK_EQ_U64(m.header_offset, MB2_OFF);
    CHECK_EQ_U64(m.entry, 0x101800);
    CHECK_SEGMENT(&m, 0, 0, IMG_SIZE, 0x100000, 0x8000);
    CHECK_EQ_U64(m.flags, MB_IMG_PAGE_ALIGN_MODULES | MB_IMG_WANTS_VIDEO | MB_IMG_VIDEO_OPTIONAL |
                          MB_IMG_CONSOLE_REQUIRED | MB_IMG_EGA_TEXT | MB_IMG_RELOCATABLE |
                          MB_IMG_EFI_BS_IGNORED | MB_IMG_EFI_ENTRY_IGNORED);
    CHECK_EQ_U64(m.mb2_console_flags, 3);
    CHECK_EQ_U64(m.video_width, 1024);
    CHECK_EQ_U64(m.video_height, 768);
    CHECK_EQ_U64(m.video_depth, 32);
    CHECK_EQ_U64(m.mb2_requested, (1u << 1) | (1u << 6) | (1u << 9) | (1u << 4) | (1u << 15));
    CHECK_EQ_U64(m.mb2_unprovided, 1u << 9);                  /* ELF sections */
    CHECK_EQ_U64(m.reloc_min, 0x100000);
    CHECK_EQ_U64(m.reloc_max, 0x10000000);
    CHECK_EQ_U64(m.reloc_align, 0x1000);
    CHECK_EQ_U64(m.reloc_preference, 1);
    check_truncations(unit_ctx_, &img, true, __LINE__);
    CHECK_PASSING();
}

/* ELF kernel, optional info request with an unknown type, no address tag. */
static void build_mb2_elf(struct image *img, bool entry_tag)
{
    build_elf32(img, 0xC0100000);
    struct mb2w w = mb2_begin(img, MB2_OFF);
    TAG(&w, MB2_HT_INFO_REQUEST, MB2_HT_FLAG_OPTIONAL, MB2_TAG_MMAP, 99, MB2_TAG_SMBIOS);
    if (entry_tag)
        TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, TEXT_PHYS + 0x40);
    mb2_end(&w);
}

TEST(mb2_elf)
{
    struct image img;
    struct multiboot_image m;

    build_mb2_elf(&img, false);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 2);
    CHECK_EQ_U64(m.load_kind, MB_LOAD_ELF32);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + ELF_ENTRY_OFF);
    CHECK_EQ_U64(m.segment_count, 2);
    CHECK_EQ_U64(m.flags, MB_IMG_REQUESTS_OPTIONAL);
    CHECK_EQ_U64(m.mb2_requested, (1u << MB2_TAG_MMAP) | (1u << MB2_TAG_SMBIOS));
    CHECK_EQ_U64(m.mb2_unprovided, 1u << MB2_TAG_SMBIOS);
    /* The entry address tag overrides e_entry. */
    build_mb2_elf(&img, true);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + 0x40);
    check_truncations(unit_ctx_, &img, true, __LINE__);
    CHECK_PASSING();
    /* ... and must point into the image. */
    build_elf32(&img, 0xC0100000);
    struct mb2w w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, 0x50000);
    mb2_end(&w);
    CHECK_REJECT(&img, "entry address is not inside the loaded image");
}

TEST(mb2_header_checks)
{
    struct image img;

    build_mb2_full(&img);
    w32(img.b, MB2_OFF + MB2_H_CHECKSUM, r32(img.b, MB2_OFF + MB2_H_CHECKSUM) ^ 0x100);
    CHECK_REJECT(&img, "multiboot2 header checksum is wrong");
    build_mb2_full(&img);
    w32(img.b, MB2_OFF + MB2_H_ARCHITECTURE, 4);      /* MIPS */
    mb2_set_length(img.b, MB2_OFF, r32(img.b, MB2_OFF + MB2_H_HEADER_LENGTH));
    CHECK_REJECT(&img, "multiboot2 header is not for i386 (architecture is not 0)");
    build_mb2_full(&img);
    mb2_set_length(img.b, MB2_OFF, 16);
    CHECK_REJECT(&img, "multiboot2 header_length is too small for the end tag");
    mb2_set_length(img.b, MB2_OFF, 23);
    CHECK_REJECT(&img, "multiboot2 header_length is too small for the end tag");
    mb2_set_length(img.b, MB2_OFF, IMG_SIZE - MB2_OFF + 1);
    CHECK_REJECT(&img, "multiboot2 header_length runs past end of file");
    mb2_set_length(img.b, MB2_OFF, 0xFFFFFFF8);
    CHECK_REJECT(&img, "multiboot2 header_length runs past end of file");
    /* Shorter than the tags: the end tag is cut off. */
    mb2_set_length(img.b, MB2_OFF, 64);
    CHECK_REJECT(&img, "multiboot2 header tag runs past header_length");
    /* Only at 8-aligned offsets. */
    build_mb2_full(&img);
    memmove(img.b + MB2_OFF + 4, img.b + MB2_OFF, 0x200);
    memset(img.b + MB2_OFF, 0, 4);
    CHECK_REJECT(&img, "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)");
}

TEST(mb2_header_window)
{
    static uint8_t big[0x9000];
    struct image tmp;

    /* A header starting inside the first 32 KiB but ending past it. */
    memset(big, 0, sizeof(big));
    fill(&tmp);
    struct mb2w w = mb2_begin(&tmp, 0x100);
    TAG(&w, MB2_HT_ADDRESS, 0, 0x100000 + 0x7FF0, 0x100000, 0, 0);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, 0x100000);
    mb2_end(&w);
    memcpy(big + 0x7FF0, tmp.b + 0x100, w.pos);
    expect_reject(unit_ctx_, big, sizeof(big), "multiboot2 header does not fit in the first 32 KiB",
                  __LINE__);
    CHECK_PASSING();
    /* The same header at 32 KiB: not searched. */
    memset(big, 0, sizeof(big));
    memcpy(big + 0x8000, tmp.b + 0x100, w.pos);
    expect_reject(unit_ctx_, big, sizeof(big),
                  "no multiboot header (v1 in the first 8 KiB or v2 in the first 32 KiB)", __LINE__);
    CHECK_PASSING();
    /* At 0x7000 it fits. */
    memset(big, 0, sizeof(big));
    memcpy(big + 0x7000, tmp.b + 0x100, w.pos);
    w32(big, 0x7000 + 8 + 16, 0x100000 + 0x7000);      /* header_addr */
    struct multiboot_image m;
    const char *why = NULL;
    CHECK_EQ_U64(find_bytes(big, sizeof(big), &m, &why), 0);
    CHECK_SEGMENT(&m, 0, 0, sizeof(big), 0x100000, sizeof(big));
}

TEST(mb2_tag_sizes)
{
    struct image img;
    struct mb2w w;

    /* A tag smaller than its own header. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG0(&w, MB2_HT_MODULE_ALIGN, 0);
    mb2_end(&w);
    w32(img.b, MB2_OFF + 16 + 4, 4);
    CHECK_REJECT(&img, "multiboot2 header tag is smaller than 8 bytes");
    /* Tag sizes that run past the header or wrap. */
    static const uint32_t sizes[] = { 25, 0x1000, 0x7FFFFFFF, 0xFFFFFFF8, 0xFFFFFFFF };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        build_elf32(&img, 0xC0100000);
        w = mb2_begin(&img, MB2_OFF);
        TAG0(&w, MB2_HT_MODULE_ALIGN, 0);
        mb2_end(&w);                           /* header_length 32 */
        w32(img.b, MB2_OFF + 16 + 4, sizes[i]);
        CHECK_REJECT(&img, "multiboot2 header tag runs past header_length");
    }
    /* No end tag: the last tag ends exactly at header_length. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG0(&w, MB2_HT_MODULE_ALIGN, 0);
    mb2_set_length(img.b, MB2_OFF, 24 + 4);    /* 4 stray bytes after it */
    CHECK_REJECT(&img, "multiboot2 header tags run past header_length (no end tag)");
    /* A tag of size 12 padded to 16: the padding may reach header_length. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, TEXT_PHYS);
    mb2_set_length(img.b, MB2_OFF, 16 + 12);
    CHECK_REJECT(&img, "multiboot2 header tags run past header_length (no end tag)");
    /* Each fixed-size tag too small for its fields. */
    static const uint16_t fixed[] = {
        MB2_HT_ADDRESS, MB2_HT_ENTRY_ADDRESS, MB2_HT_CONSOLE_FLAGS, MB2_HT_FRAMEBUFFER,
        MB2_HT_ENTRY_EFI32, MB2_HT_ENTRY_EFI64, MB2_HT_RELOCATABLE,
    };
    static const char *const why[] = {
        "multiboot2 address tag is too small",
        "multiboot2 entry address tag is too small",
        "multiboot2 console flags tag is too small",
        "multiboot2 framebuffer tag is too small",
        "multiboot2 EFI entry address tag is too small",
        "multiboot2 EFI entry address tag is too small",
        "multiboot2 relocatable tag is too small",
    };
    for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        build_elf32(&img, 0xC0100000);
        w = mb2_begin(&img, MB2_OFF);
        TAG0(&w, fixed[i], MB2_HT_FLAG_OPTIONAL);
        mb2_end(&w);
        CHECK_REJECT(&img, why[i]);
    }
}

TEST(mb2_info_requests)
{
    struct image img;
    struct multiboot_image m;
    struct mb2w w;

    /* A mandatory request for an unknown tag type is refused ... */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_INFO_REQUEST, 0, MB2_TAG_MMAP, 22);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 information request names an unknown tag type");
    /* ... known types are fine even when Kestrel does not provide them. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_INFO_REQUEST, 0, MB2_TAG_BOOTDEV, MB2_TAG_VBE, MB2_TAG_APM, MB2_TAG_EFI64,
        MB2_TAG_EFI_MMAP, MB2_TAG_NETWORK, MB2_TAG_LOAD_BASE_ADDR, MB2_TAG_FRAMEBUFFER, 0);
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.mb2_unprovided, (1u << MB2_TAG_BOOTDEV) | (1u << MB2_TAG_VBE) |
                                   (1u << MB2_TAG_APM) | (1u << MB2_TAG_EFI64) |
                                   (1u << MB2_TAG_EFI_MMAP) | (1u << MB2_TAG_NETWORK));
    /* An empty request list. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG0(&w, MB2_HT_INFO_REQUEST, 0);
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.mb2_requested, 0);
    /* A partial entry. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_INFO_REQUEST, 0, MB2_TAG_MMAP, MB2_TAG_CMDLINE);
    mb2_end(&w);
    w32(img.b, MB2_OFF + 16 + 4, 8 + 6);
    CHECK_REJECT(&img, "multiboot2 information request tag has a partial entry");
}

TEST(mb2_efi_and_unknown_tags)
{
    struct image img;
    struct multiboot_image m;
    struct mb2w w;

    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG0(&w, MB2_HT_EFI_BS, 0);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 header requires EFI boot services (tag 7 not optional); "
                       "Kestrel starts kernels without them");
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG0(&w, MB2_HT_EFI_BS, MB2_HT_FLAG_OPTIONAL);
    TAG(&w, MB2_HT_ENTRY_EFI32, 0, 0x12345678);      /* ignored, even if not optional */
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.flags, MB_IMG_EFI_BS_IGNORED | MB_IMG_EFI_ENTRY_IGNORED);
    CHECK_EQ_U64(m.entry, TEXT_PHYS + ELF_ENTRY_OFF);
    /* Unknown tags: refused unless optional. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, 11, 0, 1, 2);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 header has an unknown tag not marked optional");
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, 0xFFFF, MB2_HT_FLAG_OPTIONAL, 1, 2, 3);
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.flags, 0);
}

TEST(mb2_address_tag)
{
    struct image img;
    struct multiboot_image m;
    struct mb2w w;

    /* Without an entry address tag. */
    fill(&img);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_ADDRESS, 0, 0x100000 + MB2_OFF, 0x100000, 0, 0);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 address tag without an entry address tag");
    /* load_addr -1: load from the start of the file. */
    fill(&img);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_ADDRESS, 0, 0x200000 + MB2_OFF, 0xFFFFFFFF, 0, 0x210000);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, 0x200010);
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_SEGMENT(&m, 0, 0, IMG_SIZE, 0x200000, 0x10000);
    /* ... with header_addr too low for that. */
    fill(&img);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_ADDRESS, 0, MB2_OFF - 1, 0xFFFFFFFF, 0, 0);
    TAG(&w, MB2_HT_ENTRY_ADDRESS, 0, 0x10);
    mb2_end(&w);
    CHECK_REJECT(&img, "header_addr is below the header's file offset (load_addr -1)");
    /* Inconsistent fields, as for MB1. */
    build_mb2_full(&img);
    w32(img.b, MB2_OFF + 16 + 32 + 8 + 4, 0x100000 + MB2_OFF + 8);     /* load_addr > header_addr */
    CHECK_REJECT(&img, "load_addr is above header_addr");
    build_mb2_full(&img);
    w32(img.b, MB2_OFF + 16 + 32 + 8 + 8, 0x100000 + MB2_OFF + 64);    /* load_end cuts the header */
    CHECK_REJECT(&img, "header_addr is not inside the loaded part of the image");
    build_mb2_full(&img);
    w32(img.b, MB2_OFF + 16 + 32 + 8 + 12, 0x100000 + 0x1000);         /* bss_end < load_end */
    CHECK_REJECT(&img, "bss_end_addr is below load_end_addr");
}

TEST(mb2_relocatable_tag)
{
    struct image img;
    struct mb2w w;

    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_RELOCATABLE, 0, 0x100000, 0x200000, 0x3000, 0);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 relocatable tag's alignment is not a power of two");
    /* The image spans 0x5000 bytes: [min, max] must leave room. */
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_RELOCATABLE, 0, 0x100000, 0x104FFF, 0x1000, 2);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 relocatable tag: the image does not fit between min_addr "
                       "and max_addr");
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_RELOCATABLE, 0, 0x200000, 0x100000, 0, 0);
    mb2_end(&w);
    CHECK_REJECT(&img, "multiboot2 relocatable tag: the image does not fit between min_addr "
                       "and max_addr");
    struct multiboot_image m;
    build_elf32(&img, 0xC0100000);
    w = mb2_begin(&img, MB2_OFF);
    TAG(&w, MB2_HT_RELOCATABLE, 0, 0x100000, 0x105000, 0, 0);
    mb2_end(&w);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.flags, MB_IMG_RELOCATABLE);
}

TEST(mb_version_preference)
{
    struct image img;
    struct multiboot_image m;

    /* Both headers: Multiboot2 wins. */
    build_mb2_full(&img);
    put_mb1_address_header(img.b);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 2);
    CHECK_EQ_U64(m.entry, 0x101800);
    /* A Multiboot2 magic with a bad checksum does not hide a good MB1. */
    w32(img.b, MB2_OFF + MB2_H_CHECKSUM, 0);
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.version, 1);
    CHECK_EQ_U64(m.entry, 0x100080);
    /* Both checksums bad: the MB1 complaint. */
    w32(img.b, MB1_OFF + MB1_H_CHECKSUM, 0);
    CHECK_REJECT(&img, "multiboot header checksum is wrong");
    /* A refused Multiboot2 header is final (no fallback to MB1). */
    build_mb2_full(&img);
    w32(img.b, MB2_OFF + MB2_H_ARCHITECTURE, 4);
    mb2_set_length(img.b, MB2_OFF, r32(img.b, MB2_OFF + MB2_H_HEADER_LENGTH));
    put_mb1_address_header(img.b);
    CHECK_REJECT(&img, "multiboot2 header is not for i386 (architecture is not 0)");
    /* The first good header wins: a second MB2 header later is ignored. */
    build_mb2_full(&img);
    memcpy(img.b + 0x2000, img.b + MB2_OFF, 0x100);
    w32(img.b, 0x2000 + 16 + 32 + 8 + 8 + 8 + 4, 0);       /* would-be different entry */
    CHECK_ACCEPT(&img, &m);
    CHECK_EQ_U64(m.header_offset, MB2_OFF);
    /* No file. */
    CHECK_EQ_U64(multiboot_find(NULL, 10, &m, NULL), (uint64_t)-1);
    CHECK_EQ_U64(multiboot_find(img.b, 0, NULL, NULL), (uint64_t)-1);
}

TEST(mb_refused_leaves_output_untouched)
{
    struct image img;
    struct multiboot_image out, before;
    const char *why;

    build_mb2_full(&img);
    w32(img.b, MB2_OFF + 16 + 4, 9);      /* info request size: partial entry */
    memset(&out, 0x5a, sizeof(out));
    before = out;
    CHECK_EQ_U64(find_bytes(img.b, IMG_SIZE, &out, &why), (uint64_t)-1);
    CHECK(memcmp(&out, &before, sizeof(out)) == 0);
}

TEST(mb_random_corruption_is_safe)
{
    struct image img, base[3];

    build_mb1_address(&base[0]);
    build_mb2_full(&base[1]);
    build_mb2_elf(&base[2], true);
    srand(2002);
    for (int round = 0; round < 3000; round++) {
        struct multiboot_image m;
        const char *why = NULL;

        img = base[round % 3];
        for (int k = 0; k < 4; k++) {
            size_t at = (round % 3 == 2 && k < 2) ? (size_t)rand() % 0x100
                                                  : MB2_OFF + (size_t)rand() % 0x80;
            if (round % 3 == 0)
                at = MB1_OFF + (size_t)rand() % 32;
            img.b[at] = (uint8_t)rand();
        }
        if (round % 2)
            mb1_fix_checksum(img.b, MB1_OFF);
        mb2_set_length(img.b, MB2_OFF, r32(img.b, MB2_OFF + MB2_H_HEADER_LENGTH));
        size_t len = IMG_SIZE - (size_t)rand() % 64;
        if (find_bytes(img.b, len, &m, &why) == 0) {
            for (unsigned i = 0; i < m.segment_count; i++)
                CHECK(m.segments[i].file_offset + m.segments[i].file_size <= len);
            CHECK(m.phys_end <= 0x100000000ull);
        } else {
            CHECK(why != NULL);
        }
    }
}

/* ---- information structures ------------------------------------------------ */

#define BUF_PHYS 0x9000u

static const struct e820_entry test_mem[] = {
    { 0x0, 0x9F000, E820_RAM },
    { 0x9F000, 0x1000, E820_RESERVED },
    { 0x100000, 0x700000, E820_RAM },
    { 0x800000, 0x100000, E820_RAM },          /* contiguous: mem_upper continues */
    { 0x900000, 0x100000, E820_RESERVED },
    { 0xA00000, 0x1000000, E820_RAM },
    { 0x100000000ull, 0x40000000, E820_RAM },
};

static const struct mb_module test_mods[] = {
    { 0x2000000, 0x2001234, "initrd.img quiet" },
    { 0x2002000, 0x2002000, NULL },            /* empty, no command line */
};

static const struct bootinfo_framebuffer test_fb = {
    .base = 0xFD000000, .size = 0x300000, .width = 1024, .height = 768,
    .pixels_per_line = 1280, .format = BOOTINFO_FB_BGRX,
};

static struct mb_info_input test_input(void)
{
    struct mb_info_input in = {
        .mem = test_mem, .mem_count = sizeof(test_mem) / sizeof(test_mem[0]),
        .cmdline = "console=ttyS0 debug", .loader_name = "Kestrel",
        .modules = test_mods, .module_count = 2, .fb = &test_fb,
    };

    return in;
}

/* Host pointer for a guest-physical address inside buf. */
static const uint8_t *at_phys(const uint8_t *buf, uint32_t phys)
{
    return buf + (phys - BUF_PHYS);
}

TEST(mb_basic_meminfo_values)
{
    uint32_t lower, upper;

    mb_basic_meminfo(test_mem, 7, &lower, &upper);
    CHECK_EQ_U64(lower, 0x9F000 / 1024);
    CHECK_EQ_U64(upper, 0x800000 / 1024);
    /* Unsorted, lower memory over 640 KiB. */
    const struct e820_entry odd[] = {
        { 0x300000, 0x100000, E820_RAM },
        { 0x0, 0x100000, E820_RAM },
        { 0x100000, 0x200000, E820_RAM },
    };
    mb_basic_meminfo(odd, 3, &lower, &upper);
    CHECK_EQ_U64(lower, 640);
    CHECK_EQ_U64(upper, 3 * 1024);
    /* No RAM at 0 or at 1 MiB. */
    const struct e820_entry none[] = { { 0x100000, 0x100000, E820_RESERVED } };
    mb_basic_meminfo(none, 1, &lower, &upper);
    CHECK_EQ_U64(lower, 0);
    CHECK_EQ_U64(upper, 0);
    mb_basic_meminfo(NULL, 0, &lower, &upper);
    CHECK_EQ_U64(lower, 0);
    CHECK_EQ_U64(upper, 0);
    /* Huge: capped. */
    const struct e820_entry huge[] = { { 0x100000, UINT64_MAX - 0x100000, E820_RAM } };
    mb_basic_meminfo(huge, 1, &lower, &upper);
    CHECK_EQ_U64(upper, UINT32_MAX);
}

TEST(mb1_info_structure)
{
    static uint8_t buf[4096];
    struct mb_info_input in = test_input();

    memset(buf, 0xEE, sizeof(buf));
    size_t n = mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in);
    CHECK(n > MB1_I_SIZE);
    CHECK_EQ_U64(r32(buf, MB1_I_FLAGS), MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
                                        MB1_INFO_MMAP | MB1_INFO_LOADER_NAME | MB1_INFO_FRAMEBUFFER);
    CHECK_EQ_U64(r32(buf, MB1_I_MEM_LOWER), 636);
    CHECK_EQ_U64(r32(buf, MB1_I_MEM_UPPER), 8192);
    CHECK_EQ_U64(r32(buf, MB1_I_BOOT_DEVICE), 0);
    CHECK_STR((const char *)at_phys(buf, r32(buf, MB1_I_CMDLINE)), "console=ttyS0 debug");
    CHECK_STR((const char *)at_phys(buf, r32(buf, MB1_I_BOOT_LOADER_NAME)), "Kestrel");
    /* Modules. */
    CHECK_EQ_U64(r32(buf, MB1_I_MODS_COUNT), 2);
    const uint8_t *mods = at_phys(buf, r32(buf, MB1_I_MODS_ADDR));
    CHECK_EQ_U64(r32(mods, 0), 0x2000000);
    CHECK_EQ_U64(r32(mods, 4), 0x2001234);
    CHECK_STR((const char *)at_phys(buf, r32(mods, 8)), "initrd.img quiet");
    CHECK_EQ_U64(r32(mods, 12), 0);
    CHECK_EQ_U64(r32(mods, 16), 0x2002000);
    CHECK_STR((const char *)at_phys(buf, r32(mods, 16 + 8)), "");
    /* Memory map: 24-byte entries whose size field says 20. */
    CHECK_EQ_U64(r32(buf, MB1_I_MMAP_LENGTH), 7 * 24);
    const uint8_t *mm = at_phys(buf, r32(buf, MB1_I_MMAP_ADDR));
    for (unsigned i = 0; i < 7; i++) {
        CHECK_EQ_U64(r32(mm, 24 * i), 20);
        CHECK_EQ_U64(r64(mm, 24 * i + 4), test_mem[i].addr);
        CHECK_EQ_U64(r64(mm, 24 * i + 12), test_mem[i].size);
        CHECK_EQ_U64(r32(mm, 24 * i + 20), test_mem[i].type);
    }
    /* Framebuffer. */
    CHECK_EQ_U64(r64(buf, MB1_I_FB_ADDR), 0xFD000000);
    CHECK_EQ_U64(r32(buf, MB1_I_FB_PITCH), 1280 * 4);
    CHECK_EQ_U64(r32(buf, MB1_I_FB_WIDTH), 1024);
    CHECK_EQ_U64(r32(buf, MB1_I_FB_HEIGHT), 768);
    CHECK_EQ_U64(buf[MB1_I_FB_BPP], 32);
    CHECK_EQ_U64(buf[MB1_I_FB_TYPE], 1);
    static const uint8_t bgrx[6] = { 16, 8, 8, 8, 0, 8 };
    CHECK(memcmp(buf + MB1_I_FB_COLOR_INFO, bgrx, 6) == 0);
    /* Everything pointed to lies inside the bytes reported. */
    CHECK(r32(buf, MB1_I_MMAP_ADDR) + 7 * 24 <= BUF_PHYS + n);
    CHECK(buf[n] == 0xEE);
}

TEST(mb1_info_minimal)
{
    static uint8_t buf[512];
    struct mb_info_input in = { .mem = NULL };

    size_t n = mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in);
    CHECK_EQ_U64(n, MB1_I_SIZE);
    CHECK_EQ_U64(r32(buf, MB1_I_FLAGS), MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MMAP);
    CHECK_EQ_U64(r32(buf, MB1_I_MODS_COUNT), 0);
    CHECK_EQ_U64(r32(buf, MB1_I_MMAP_LENGTH), 0);
    CHECK_EQ_U64(r32(buf, MB1_I_CMDLINE), 0);
    CHECK_EQ_U64(r64(buf, MB1_I_FB_ADDR), 0);
}

TEST(mb1_info_refusals)
{
    static uint8_t buf[4096];
    struct mb_info_input in = test_input();
    size_t need = mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in);

    CHECK(need > 0);
    for (size_t cap = 0; cap < need; cap++) {
        uint8_t *small = malloc(cap > 0 ? cap : 1);
        size_t r = mb1_build_info(small, cap, BUF_PHYS, &in);
        free(small);
        if (r != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "cap %zu: built %zu bytes", cap, r);
            return;
        }
    }
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), BUF_PHYS + 4, &in), 0);     /* misaligned */
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), 0x100000000ull, &in), 0);
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), 0xFFFFFF00ull, &in), 0);    /* ends past 4 GiB */
    CHECK_EQ_U64(mb1_build_info(NULL, sizeof(buf), BUF_PHYS, &in), 0);
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), BUF_PHYS, NULL), 0);
    struct mb_module high = { 0xFFFFF000, 0x100000000ull, "x" };
    in.modules = &high;
    in.module_count = 1;
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
    struct mb_module backwards = { 0x3000, 0x2000, "x" };
    in.modules = &backwards;
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
    in = test_input();
    struct bootinfo_framebuffer fb = test_fb;
    fb.format = BOOTINFO_FB_NONE;
    in.fb = &fb;
    CHECK_EQ_U64(mb1_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
}

/* Walks MB2 tags; returns the offset of the n-th tag of a type, or 0. */
static size_t mb2_find_tag(const uint8_t *buf, uint32_t type, unsigned nth)
{
    size_t total = r32(buf, 0), pos = 8;

    while (pos + 8 <= total) {
        uint32_t t = r32(buf, pos), size = r32(buf, pos + 4);

        if (t == type && nth-- == 0)
            return pos;
        if (t == MB2_TAG_END)
            break;
        pos = (pos + size + 7) & ~(size_t)7;
    }
    return 0;
}

static uint8_t test_rsdp[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x42, 'K', 'E', 'S',
                                 'T', 'R', 'L', 2, 0x00, 0x10, 0xFE, 0x7F, 36, 0, 0, 0,
                                 0x40, 0x10, 0xFE, 0x7F, 0, 0, 0, 0, 0x77, 0, 0, 0 };

TEST(mb2_info_structure)
{
    static uint8_t buf[4096];
    struct mb_info_input in = test_input();

    in.rsdp = test_rsdp;
    in.rsdp_size = sizeof(test_rsdp);
    in.has_load_base = true;
    in.load_base = 0x100000;
    memset(buf, 0xEE, sizeof(buf));
    size_t n = mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in);
    CHECK(n > 0);
    CHECK_EQ_U64(r32(buf, 0), n);
    CHECK_EQ_U64(r32(buf, 4), 0);
    CHECK_EQ_U64(n % 8, 0);
    CHECK(buf[n] == 0xEE);

    /* Every tag 8-aligned, sizes inside, ending with the end tag. */
    size_t pos = 8;
    unsigned tags = 0;
    for (;;) {
        CHECK_EQ_U64(pos % 8, 0);
        CHECK(pos + 8 <= n);
        uint32_t t = r32(buf, pos), size = r32(buf, pos + 4);
        CHECK(size >= 8 && pos + size <= n);
        tags++;
        if (t == MB2_TAG_END) {
            CHECK_EQ_U64(size, 8);
            CHECK_EQ_U64(pos + 8, n);
            break;
        }
        pos = (pos + size + 7) & ~(size_t)7;
    }
    CHECK_EQ_U64(tags, 11);    /* cmdline, name, 2 modules, meminfo, mmap, fb, 2 ACPI, base, end */

    size_t t = mb2_find_tag(buf, MB2_TAG_CMDLINE, 0);
    CHECK(t != 0);
    CHECK_EQ_U64(r32(buf, t + 4), 8 + sizeof("console=ttyS0 debug"));
    CHECK_STR((const char *)buf + t + 8, "console=ttyS0 debug");
    t = mb2_find_tag(buf, MB2_TAG_LOADER_NAME, 0);
    CHECK_STR((const char *)buf + t + 8, "Kestrel");
    t = mb2_find_tag(buf, MB2_TAG_MODULE, 0);
    CHECK_EQ_U64(r32(buf, t + 8), 0x2000000);
    CHECK_EQ_U64(r32(buf, t + 12), 0x2001234);
    CHECK_STR((const char *)buf + t + 16, "initrd.img quiet");
    t = mb2_find_tag(buf, MB2_TAG_MODULE, 1);
    CHECK_EQ_U64(r32(buf, t + 4), 17);
    CHECK_STR((const char *)buf + t + 16, "");
    t = mb2_find_tag(buf, MB2_TAG_BASIC_MEMINFO, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 16);
    CHECK_EQ_U64(r32(buf, t + 8), 636);
    CHECK_EQ_U64(r32(buf, t + 12), 8192);
    t = mb2_find_tag(buf, MB2_TAG_MMAP, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 16 + 7 * 24);
    CHECK_EQ_U64(r32(buf, t + 8), 24);
    CHECK_EQ_U64(r32(buf, t + 12), 0);
    for (unsigned i = 0; i < 7; i++) {
        CHECK_EQ_U64(r64(buf, t + 16 + 24 * i), test_mem[i].addr);
        CHECK_EQ_U64(r64(buf, t + 16 + 24 * i + 8), test_mem[i].size);
        CHECK_EQ_U64(r32(buf, t + 16 + 24 * i + 16), test_mem[i].type);
        CHECK_EQ_U64(r32(buf, t + 16 + 24 * i + 20), 0);
    }
    t = mb2_find_tag(buf, MB2_TAG_FRAMEBUFFER, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 38);
    CHECK_EQ_U64(r64(buf, t + 8), 0xFD000000);
    CHECK_EQ_U64(r32(buf, t + 16), 1280 * 4);
    CHECK_EQ_U64(r32(buf, t + 20), 1024);
    CHECK_EQ_U64(r32(buf, t + 24), 768);
    CHECK_EQ_U64(buf[t + 28], 32);
    CHECK_EQ_U64(buf[t + 29], 1);
    CHECK_EQ_U64(r16(buf, t + 30), 0);
    static const uint8_t bgrx[6] = { 16, 8, 8, 8, 0, 8 };
    CHECK(memcmp(buf + t + 32, bgrx, 6) == 0);
    t = mb2_find_tag(buf, MB2_TAG_ACPI_OLD, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 28);
    CHECK(memcmp(buf + t + 8, test_rsdp, 20) == 0);
    t = mb2_find_tag(buf, MB2_TAG_ACPI_NEW, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 44);
    CHECK(memcmp(buf + t + 8, test_rsdp, 36) == 0);
    t = mb2_find_tag(buf, MB2_TAG_LOAD_BASE_ADDR, 0);
    CHECK_EQ_U64(r32(buf, t + 4), 12);
    CHECK_EQ_U64(r32(buf, t + 8), 0x100000);
}

TEST(mb2_info_optional_parts)
{
    static uint8_t buf[1024];
    struct mb_info_input in = { .mem = test_mem, .mem_count = 2 };

    /* Only meminfo, mmap and end. */
    size_t n = mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in);
    CHECK_EQ_U64(n, 8 + 16 + (16 + 2 * 24) + 8);
    CHECK_EQ_U64(mb2_find_tag(buf, MB2_TAG_CMDLINE, 0), 0);
    CHECK_EQ_U64(mb2_find_tag(buf, MB2_TAG_FRAMEBUFFER, 0), 0);
    CHECK_EQ_U64(mb2_find_tag(buf, MB2_TAG_ACPI_OLD, 0), 0);
    /* A revision-0 RSDP: only the old tag. */
    uint8_t v1[20];
    memcpy(v1, test_rsdp, 20);
    v1[15] = 0;
    in.rsdp = v1;
    in.rsdp_size = 20;
    CHECK(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in) != 0);
    CHECK(mb2_find_tag(buf, MB2_TAG_ACPI_OLD, 0) != 0);
    CHECK_EQ_U64(mb2_find_tag(buf, MB2_TAG_ACPI_NEW, 0), 0);
    /* Revision 2 but only 20 bytes given: only the old tag. */
    v1[15] = 2;
    CHECK(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in) != 0);
    CHECK_EQ_U64(mb2_find_tag(buf, MB2_TAG_ACPI_NEW, 0), 0);
    /* Fewer than 20 bytes: refused. */
    in.rsdp_size = 19;
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
}

TEST(mb2_info_refusals)
{
    static uint8_t buf[4096];
    struct mb_info_input in = test_input();

    in.rsdp = test_rsdp;
    in.rsdp_size = sizeof(test_rsdp);
    size_t need = mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in);
    CHECK(need > 0);
    for (size_t cap = 0; cap < need; cap++) {
        uint8_t *small = malloc(cap > 0 ? cap : 1);
        size_t r = mb2_build_info(small, cap, BUF_PHYS, &in);
        free(small);
        if (r != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "cap %zu: built %zu bytes", cap, r);
            return;
        }
    }
    CHECK_EQ_U64(mb2_build_info(buf, need, BUF_PHYS, &in), need);
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), BUF_PHYS + 4, &in), 0);
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), 0xFFFFFF00ull, &in), 0);
    struct mb_module high = { 0x1000, 0x100000000ull, "x" };
    in.modules = &high;
    in.module_count = 1;
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
    in = test_input();
    in.modules = NULL;
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
    in = test_input();
    in.mem = NULL;
    CHECK_EQ_U64(mb2_build_info(buf, sizeof(buf), BUF_PHYS, &in), 0);
}

TEST_SUITE(multiboot,
    UNIT(mb1_address_fields),
    UNIT(mb1_address_fields_variants),
    UNIT(mb1_address_fields_inconsistent),
    UNIT(mb1_header_checks),
    UNIT(mb1_header_placement),
    UNIT(mb1_every_truncation_is_refused),
    UNIT(mb1_elf32),
    UNIT(mb1_elf64),
    UNIT(mb1_elf_refusals),
    UNIT(mb2_every_tag),
    UNIT(mb2_elf),
    UNIT(mb2_header_checks),
    UNIT(mb2_header_window),
    UNIT(mb2_tag_sizes),
    UNIT(mb2_info_requests),
    UNIT(mb2_efi_and_unknown_tags),
    UNIT(mb2_address_tag),
    UNIT(mb2_relocatable_tag),
    UNIT(mb_version_preference),
    UNIT(mb_refused_leaves_output_untouched),
    UNIT(mb_random_corruption_is_safe),
    UNIT(mb_basic_meminfo_values),
    UNIT(mb1_info_structure),
    UNIT(mb1_info_minimal),
    UNIT(mb1_info_refusals),
    UNIT(mb2_info_structure),
    UNIT(mb2_info_optional_parts),
    UNIT(mb2_info_refusals),
);
