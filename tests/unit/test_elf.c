/* Unit tests for lib/elf.c: elf64_check (kestrel.elf) and elf_check_phys
 * (ELF32 and ELF64 by physical address; multiboot kernels, whose tests in
 * test_multiboot.c go through every refusal). */
#include "test.h"

#include "lib/elf.h"

#include <stdlib.h>

/* The test builds its images by hand, with its own view of the format. */
struct t_ehdr {
    unsigned char ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define T_PT_LOAD      1u
#define T_PT_NOTE      4u
#define T_PT_GNU_STACK 0x6474e551u
#define T_PF_X 1u
#define T_PF_W 2u
#define T_PF_R 4u

#define IMAGE_SIZE  0x300u
#define TEXT_VADDR  0xffffffff80000000ull
#define DATA_VADDR  0xffffffff80001200ull
#define ENTRY       (TEXT_VADDR + 0x100)
#define PHDR_COUNT  3

/*
 * A small valid kernel-like image:
 *   [0x000, 0x200) text, R+X, at TEXT_VADDR (includes the headers)
 *   [0x200, 0x300) data, R+W, at DATA_VADDR, plus 0x2f00 bytes of bss
 *   a PT_GNU_STACK entry that must be ignored.
 */
struct image {
    struct t_ehdr eh;
    struct t_phdr ph[PHDR_COUNT];
    unsigned char rest[IMAGE_SIZE - sizeof(struct t_ehdr) - PHDR_COUNT * sizeof(struct t_phdr)];
};

_Static_assert(sizeof(struct image) == IMAGE_SIZE, "image layout");

static void build_image(struct image *img)
{
    memset(img, 0, sizeof(*img));
    memcpy(img->eh.ident, "\x7f" "ELF", 4);
    img->eh.ident[4] = 2;   /* ELFCLASS64 */
    img->eh.ident[5] = 1;   /* little-endian */
    img->eh.ident[6] = 1;   /* EV_CURRENT */
    img->eh.type = 2;       /* ET_EXEC */
    img->eh.machine = 62;   /* EM_X86_64 */
    img->eh.version = 1;
    img->eh.entry = ENTRY;
    img->eh.phoff = sizeof(struct t_ehdr);
    img->eh.ehsize = sizeof(struct t_ehdr);
    img->eh.phentsize = sizeof(struct t_phdr);
    img->eh.phnum = PHDR_COUNT;

    img->ph[0] = (struct t_phdr){ .type = T_PT_LOAD, .flags = T_PF_R | T_PF_X, .offset = 0,
                                  .vaddr = TEXT_VADDR, .paddr = 0, .filesz = 0x200,
                                  .memsz = 0x200, .align = 0x1000 };
    img->ph[1] = (struct t_phdr){ .type = T_PT_GNU_STACK, .flags = T_PF_R | T_PF_W };
    img->ph[2] = (struct t_phdr){ .type = T_PT_LOAD, .flags = T_PF_R | T_PF_W, .offset = 0x200,
                                  .vaddr = DATA_VADDR, .paddr = 0x1200, .filesz = 0x100,
                                  .memsz = 0x3000, .align = 0x1000 };
    for (size_t i = 0; i < sizeof(img->rest); i++)
        img->rest[i] = (unsigned char)(i * 7);
}

/* Runs the checker on an exact-size heap copy so ASan sees any overread. */
static int check_bytes(const void *bytes, size_t size, struct elf_image *out, const char **why)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);

    memcpy(copy, bytes, size);
    int r = elf64_check(copy, size, out, why);
    free(copy);
    return r;
}

/* Expects refusal with exactly the given reason. */
static void expect_reject(struct unit_ctx *unit_ctx_, const struct image *img, size_t size,
                          const char *reason, int line)
{
    struct elf_image out;
    const char *why = NULL;

    if (check_bytes(img, size, &out, &why) != -1) {
        unit_fail(unit_ctx_, __FILE__, line, "accepted, wanted \"%s\"", reason);
        return;
    }
    if (why == NULL || strcmp(why, reason) != 0)
        unit_fail(unit_ctx_, __FILE__, line, "reason \"%s\", wanted \"%s\"",
                  why ? why : "(null)", reason);
}

#define CHECK_REJECT(img, reason)                                               \
    do {                                                                        \
        expect_reject(unit_ctx_, (img), sizeof(*(img)), (reason), __LINE__);    \
        CHECK_PASSING();                                                        \
    } while (0)

TEST(elf64_valid_image)
{
    struct image img;
    struct elf_image out;
    const char *why = "untouched";

    build_image(&img);
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    CHECK_STR(why, "untouched");
    CHECK_EQ_U64(out.entry, ENTRY);
    CHECK_EQ_U64(out.segment_count, 2);
    CHECK_EQ_U64(out.vmin, TEXT_VADDR);
    CHECK_EQ_U64(out.vmax, TEXT_VADDR + 0x5000);   /* 0x1200 + 0x3000 rounded up */
    CHECK_EQ_U64(out.segments[0].vaddr, TEXT_VADDR);
    CHECK_EQ_U64(out.segments[0].file_offset, 0);
    CHECK_EQ_U64(out.segments[0].file_size, 0x200);
    CHECK_EQ_U64(out.segments[0].mem_size, 0x200);
    CHECK_EQ_U64(out.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
    CHECK_EQ_U64(out.segments[1].vaddr, DATA_VADDR);
    CHECK_EQ_U64(out.segments[1].file_offset, 0x200);
    CHECK_EQ_U64(out.segments[1].file_size, 0x100);
    CHECK_EQ_U64(out.segments[1].mem_size, 0x3000);
    CHECK_EQ_U64(out.segments[1].flags, ELF_SEG_R | ELF_SEG_W);
}

TEST(elf64_optional_outputs)
{
    struct image img;

    build_image(&img);
    CHECK_EQ_U64(elf64_check(&img, sizeof(img), NULL, NULL), 0);
    img.eh.ident[0] = 0;
    CHECK_EQ_U64(elf64_check(&img, sizeof(img), NULL, NULL), (uint64_t)-1);
    CHECK_EQ_U64(elf64_check(NULL, 1000, NULL, NULL), (uint64_t)-1);
}

TEST(elf64_segments_sorted_by_vaddr)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    struct t_phdr text = img.ph[0];
    img.ph[0] = img.ph[2];
    img.ph[2] = text;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    CHECK_EQ_U64(out.segments[0].vaddr, TEXT_VADDR);
    CHECK_EQ_U64(out.segments[1].vaddr, DATA_VADDR);
}

TEST(elf64_every_truncation_is_refused)
{
    struct image img;
    struct elf_image out;

    build_image(&img);
    for (size_t len = 0; len < sizeof(img); len++) {
        const char *why = NULL;

        if (check_bytes(&img, len, &out, &why) != -1 || why == NULL) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "truncated to %zu bytes was accepted", len);
            return;
        }
    }
}

TEST(elf64_refused_leaves_output_untouched)
{
    struct image img;
    struct elf_image out, before;
    const char *why;

    build_image(&img);
    img.eh.entry = 0x1234;
    memset(&out, 0x5a, sizeof(out));
    before = out;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), (uint64_t)-1);
    CHECK(memcmp(&out, &before, sizeof(out)) == 0);
}

TEST(elf64_ident_checks)
{
    struct image img;

    build_image(&img);
    img.eh.ident[3] = 'f';
    CHECK_REJECT(&img, "bad magic");
    build_image(&img);
    img.eh.ident[4] = 1;
    CHECK_REJECT(&img, "not a 64-bit ELF file");
    build_image(&img);
    img.eh.ident[5] = 2;
    CHECK_REJECT(&img, "not a little-endian ELF file");
    build_image(&img);
    img.eh.ident[6] = 0;
    CHECK_REJECT(&img, "bad ELF identification version");
}

TEST(elf64_header_field_checks)
{
    struct image img;

    build_image(&img);
    img.eh.type = 3;   /* ET_DYN */
    CHECK_REJECT(&img, "not an executable (ET_EXEC) file");
    build_image(&img);
    img.eh.type = 1;   /* ET_REL */
    CHECK_REJECT(&img, "not an executable (ET_EXEC) file");
    build_image(&img);
    img.eh.machine = 3;   /* EM_386 */
    CHECK_REJECT(&img, "not an x86-64 ELF file");
    build_image(&img);
    img.eh.version = 0;
    CHECK_REJECT(&img, "bad ELF version");
    build_image(&img);
    img.eh.version = 2;
    CHECK_REJECT(&img, "bad ELF version");
    build_image(&img);
    img.eh.ehsize = 52;
    CHECK_REJECT(&img, "ELF header size too small");
    build_image(&img);
    img.eh.phentsize = 32;
    CHECK_REJECT(&img, "bad program header entry size");
    build_image(&img);
    img.eh.phentsize = 64;
    CHECK_REJECT(&img, "bad program header entry size");
}

TEST(elf64_program_header_table_checks)
{
    struct image img;

    build_image(&img);
    img.eh.phnum = 0;
    CHECK_REJECT(&img, "no program headers");
    build_image(&img);
    img.eh.phnum = 65;
    CHECK_REJECT(&img, "too many program headers");
    build_image(&img);
    img.eh.phnum = 0xffff;   /* PN_XNUM: extended numbering, not supported */
    CHECK_REJECT(&img, "too many program headers");
    build_image(&img);
    img.eh.phoff = UINT64_MAX - 10;
    CHECK_REJECT(&img, "program headers extend past end of file");
    build_image(&img);
    img.eh.phoff = UINT64_MAX - 3 * 56 + 1;   /* offset + table size wraps to small */
    CHECK_REJECT(&img, "program headers extend past end of file");
    build_image(&img);
    img.eh.phoff = IMAGE_SIZE;
    CHECK_REJECT(&img, "program headers extend past end of file");
    build_image(&img);
    img.eh.phoff = IMAGE_SIZE - 3 * 56 + 1;
    CHECK_REJECT(&img, "program headers extend past end of file");
    build_image(&img);
    img.eh.phnum = 64;   /* 64 * 56 bytes cannot fit in this small file */
    CHECK_REJECT(&img, "program headers extend past end of file");
}

TEST(elf64_unaligned_program_headers_are_fine)
{
    /* Headers at an odd offset: the checker must copy, not cast. */
    unsigned char buf[IMAGE_SIZE + 8];
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.eh.phoff = 0x101;
    memcpy(buf, &img, sizeof(img));
    memcpy(buf + 0x101, img.ph, sizeof(img.ph));
    CHECK_EQ_U64(check_bytes(buf, IMAGE_SIZE, &out, &why), 0);
    CHECK_EQ_U64(out.segment_count, 2);
}

TEST(elf64_segment_size_checks)
{
    struct image img;

    build_image(&img);
    img.ph[2].filesz = 0x3001;
    CHECK_REJECT(&img, "PT_LOAD segment file size exceeds memory size");
    build_image(&img);
    img.ph[2].filesz = 0x101;
    CHECK_REJECT(&img, "PT_LOAD segment extends past end of file");
    build_image(&img);
    img.ph[2].offset = IMAGE_SIZE + 0x1000;
    img.ph[2].vaddr = DATA_VADDR + 0x1000;
    CHECK_REJECT(&img, "PT_LOAD segment extends past end of file");
    build_image(&img);
    /* offset + filesz wraps around to a small number */
    img.ph[2].offset = UINT64_MAX - 0xff;
    img.ph[2].filesz = 0x200;
    img.ph[2].memsz = 0x200;
    img.ph[2].align = 0;
    CHECK_REJECT(&img, "PT_LOAD segment extends past end of file");
}

TEST(elf64_address_overflow)
{
    struct image img;

    build_image(&img);
    img.ph[2].vaddr = 0xfffffffffffff000ull;
    img.ph[2].offset = 0x200;
    img.ph[2].align = 0;
    img.ph[2].memsz = 0x2000;
    CHECK_REJECT(&img, "PT_LOAD segment address range overflows");
    /* Ends inside the last page: rounding vmax up would wrap. */
    build_image(&img);
    img.ph[2].vaddr = 0xffffffffffffe000ull;
    img.ph[2].align = 0;
    img.ph[2].memsz = 0x1800;
    CHECK_REJECT(&img, "PT_LOAD segment address range overflows");
    build_image(&img);
    img.ph[2].vaddr = UINT64_MAX;
    img.ph[2].align = 0;
    img.ph[2].memsz = 0x100;
    CHECK_REJECT(&img, "PT_LOAD segment address range overflows");
}

TEST(elf64_alignment_checks)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.ph[2].align = 0x1800;
    CHECK_REJECT(&img, "PT_LOAD segment alignment is not a power of two");
    build_image(&img);
    img.ph[2].vaddr = DATA_VADDR + 0x10;
    CHECK_REJECT(&img, "PT_LOAD segment address and offset disagree modulo alignment");
    /* align 0 and 1 mean "no constraint". */
    build_image(&img);
    img.ph[2].vaddr = DATA_VADDR + 0x10;
    img.ph[2].align = 1;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    img.ph[2].align = 0;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    /* 2 MiB alignment with a congruent vaddr is fine. */
    build_image(&img);
    img.ph[0].align = 0x200000;
    img.ph[2].align = 0x200000;
    img.ph[2].vaddr = TEXT_VADDR + 0x200000 + 0x200;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
}

TEST(elf64_overlapping_segments)
{
    struct image img;

    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR + 0x100;   /* inside text's bytes */
    img.ph[2].align = 0;
    CHECK_REJECT(&img, "PT_LOAD segments overlap");
    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR;
    img.ph[2].align = 0;
    CHECK_REJECT(&img, "PT_LOAD segments overlap");
    /* By a single byte. */
    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR + 0x1ff;
    img.ph[2].align = 0;
    CHECK_REJECT(&img, "PT_LOAD segments overlap");
    /* Data before text, its bss running into text. */
    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR - 0x1000 + 0x200;
    CHECK_REJECT(&img, "PT_LOAD segments overlap");
}

TEST(elf64_touching_segments_are_fine)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR + 0x200;   /* starts right where text ends */
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    CHECK_EQ_U64(out.vmax, TEXT_VADDR + 0x4000);
}

TEST(elf64_entry_checks)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.eh.entry = 0x1000;
    CHECK_REJECT(&img, "entry point is not inside an executable segment");
    build_image(&img);
    img.eh.entry = DATA_VADDR + 8;   /* mapped, but not executable */
    CHECK_REJECT(&img, "entry point is not inside an executable segment");
    build_image(&img);
    img.eh.entry = TEXT_VADDR + 0x200;   /* one past the end of text */
    CHECK_REJECT(&img, "entry point is not inside an executable segment");
    build_image(&img);
    img.eh.entry = TEXT_VADDR;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    img.eh.entry = TEXT_VADDR + 0x1ff;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
}

TEST(elf64_span_limit)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR + ELF_MAX_IMAGE_SPAN + 0x200;
    CHECK_REJECT(&img, "image spans too much address space");
    /* Exactly the limit is allowed. */
    build_image(&img);
    img.ph[2].vaddr = TEXT_VADDR + ELF_MAX_IMAGE_SPAN - 0x3000 + 0x200;
    img.ph[2].memsz = 0x2e00;
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    CHECK_EQ_U64(out.vmax - out.vmin, ELF_MAX_IMAGE_SPAN);
}

TEST(elf64_no_load_segments)
{
    struct image img;

    build_image(&img);
    img.ph[0].type = T_PT_NOTE;
    img.ph[2].type = T_PT_NOTE;
    CHECK_REJECT(&img, "no PT_LOAD segments");
}

TEST(elf64_empty_load_segment_ignored)
{
    struct image img;
    struct elf_image out;
    const char *why;

    build_image(&img);
    img.ph[1] = (struct t_phdr){ .type = T_PT_LOAD, .vaddr = 0x1000, .align = 0x1000 };
    CHECK_EQ_U64(check_bytes(&img, sizeof(img), &out, &why), 0);
    CHECK_EQ_U64(out.segment_count, 2);
    CHECK_EQ_U64(out.vmin, TEXT_VADDR);
}

/* An image with n PT_LOAD segments of 0x10 bytes each, one page apart. */
static size_t build_many_segments(unsigned char *buf, size_t bufsize, unsigned n)
{
    struct t_ehdr eh;
    size_t data_off = sizeof(eh) + n * sizeof(struct t_phdr);
    size_t size = data_off + n * 0x10;

    if (size > bufsize)
        abort();
    memset(buf, 0, size);
    memset(&eh, 0, sizeof(eh));
    memcpy(eh.ident, "\x7f" "ELF\x02\x01\x01", 7);
    eh.type = 2;
    eh.machine = 62;
    eh.version = 1;
    eh.entry = 0x400000;
    eh.phoff = sizeof(eh);
    eh.ehsize = sizeof(eh);
    eh.phentsize = sizeof(struct t_phdr);
    eh.phnum = (uint16_t)n;
    memcpy(buf, &eh, sizeof(eh));
    for (unsigned i = 0; i < n; i++) {
        struct t_phdr ph = { .type = T_PT_LOAD, .flags = T_PF_R | T_PF_X,
                             .offset = data_off + i * 0x10, .vaddr = 0x400000 + i * 0x1000ull,
                             .filesz = 0x10, .memsz = 0x10, .align = 0 };
        memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
    }
    return size;
}

TEST(elf64_load_segment_limit)
{
    unsigned char buf[8192];
    struct elf_image out;
    const char *why;
    size_t size;

    size = build_many_segments(buf, sizeof(buf), ELF_MAX_LOAD_SEGMENTS);
    CHECK_EQ_U64(check_bytes(buf, size, &out, &why), 0);
    CHECK_EQ_U64(out.segment_count, ELF_MAX_LOAD_SEGMENTS);
    CHECK_EQ_U64(out.vmax, 0x400000 + ELF_MAX_LOAD_SEGMENTS * 0x1000ull);

    size = build_many_segments(buf, sizeof(buf), ELF_MAX_LOAD_SEGMENTS + 1);
    CHECK_EQ_U64(check_bytes(buf, size, &out, &why), (uint64_t)-1);
    CHECK_STR(why, "too many PT_LOAD segments");

    size = build_many_segments(buf, sizeof(buf), 64);
    CHECK_EQ_U64(check_bytes(buf, size, &out, &why), (uint64_t)-1);
    CHECK_STR(why, "too many PT_LOAD segments");
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Whatever an accepted image says must hold against the file. */
static void check_invariants(struct unit_ctx *unit_ctx_, const struct elf_image *out, size_t size)
{
    bool entry_ok = false;

    CHECK(out->segment_count >= 1 && out->segment_count <= ELF_MAX_LOAD_SEGMENTS);
    for (unsigned i = 0; i < out->segment_count; i++) {
        const struct elf_segment *s = &out->segments[i];

        CHECK(s->file_offset <= size && s->file_size <= size - s->file_offset);
        CHECK(s->file_size <= s->mem_size);
        CHECK(s->vaddr + s->mem_size >= s->vaddr);
        CHECK(s->vaddr >= out->vmin && s->vaddr + s->mem_size <= out->vmax);
        if (i > 0)
            CHECK(out->segments[i - 1].vaddr + out->segments[i - 1].mem_size <= s->vaddr);
        if ((s->flags & ELF_SEG_X) && out->entry >= s->vaddr && out->entry < s->vaddr + s->mem_size)
            entry_ok = true;
    }
    CHECK(entry_ok);
    CHECK(out->vmax - out->vmin <= ELF_MAX_IMAGE_SPAN);
}

TEST(elf64_random_header_corruption)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    struct image img;
    struct elf_image out;
    unsigned accepted = 0;

    for (int round = 0; round < 20000; round++) {
        build_image(&img);
        unsigned char *bytes = (unsigned char *)&img;
        int flips = 1 + (int)(next_random(&seed) % 4);

        /* Corrupt the header area, where all the interesting fields are. */
        for (int f = 0; f < flips; f++) {
            size_t at = next_random(&seed) % (sizeof(struct t_ehdr) + sizeof(img.ph));
            bytes[at] = (unsigned char)next_random(&seed);
        }
        size_t size = sizeof(img) - (size_t)(next_random(&seed) % 2 ? 0 : next_random(&seed) % 64);
        const char *why = NULL;

        if (check_bytes(&img, size, &out, &why) == 0) {
            accepted++;
            check_invariants(unit_ctx_, &out, size);
            CHECK_PASSING();
        } else {
            CHECK(why != NULL && why[0] != '\0');
        }
    }
    /* Harmless flips (padding, paddr, flags) keep some images valid. */
    CHECK(accepted > 0);
}

/* ---- elf_check_phys: ELF32 and ELF64 by physical address -------------------
 * The refusals are driven through multiboot_find in test_multiboot.c; these
 * check the results and the class-independent rules directly. */

static void put_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

#define PHYS_IMAGE_SIZE 0x400u

/* An ELF32 i386 image linked at 0xC0100000, loaded at 1 MiB: its data
 * segment comes first in the program headers but lies higher. */
static void build_elf32_phys(unsigned char *b)
{
    memset(b, 0, PHYS_IMAGE_SIZE);
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1, b[5] = 1, b[6] = 1;
    put_le(b + 16, 2, 2);                 /* ET_EXEC */
    put_le(b + 18, 3, 2);                 /* EM_386 */
    put_le(b + 20, 1, 4);
    put_le(b + 24, 0xC0100010u, 4);       /* e_entry: virtual */
    put_le(b + 28, 52, 4);                /* e_phoff */
    put_le(b + 42, 32, 2);
    put_le(b + 44, 2, 2);
    /* data, then text */
    put_le(b + 52, 1, 4);
    put_le(b + 52 + 4, 0x300, 4);
    put_le(b + 52 + 8, 0xC0101000u, 4);
    put_le(b + 52 + 12, 0x101000, 4);
    put_le(b + 52 + 16, 0x100, 4);
    put_le(b + 52 + 20, 0x2000, 4);
    put_le(b + 84, 1, 4);
    put_le(b + 84 + 4, 0x100, 4);
    put_le(b + 84 + 8, 0xC0100000u, 4);
    put_le(b + 84 + 12, 0x100000, 4);
    put_le(b + 84 + 16, 0x200, 4);
    put_le(b + 84 + 20, 0x1000, 4);
}

static int check_phys_bytes(const unsigned char *b, size_t size, struct elf_phys_image *out,
                            const char **why)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);

    memcpy(copy, b, size);
    int r = elf_check_phys(copy, size, out, why);
    free(copy);
    return r;
}

TEST(elf_phys_elf32_sorted_and_entry_translated)
{
    unsigned char b[PHYS_IMAGE_SIZE];
    struct elf_phys_image img;
    const char *why = NULL;

    build_elf32_phys(b);
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), &img, &why), 0);
    CHECK_EQ_U64(img.elf_class, 32);
    CHECK_EQ_U64(img.segment_count, 2);
    CHECK_EQ_U64(img.segments[0].phys, 0x100000);
    CHECK_EQ_U64(img.segments[0].file_offset, 0x100);
    CHECK_EQ_U64(img.segments[0].vaddr, 0xC0100000u);
    CHECK_EQ_U64(img.segments[1].phys, 0x101000);
    CHECK_EQ_U64(img.segments[1].mem_size, 0x2000);
    CHECK_EQ_U64(img.entry, 0x100010);
    /* An entry outside every virtual range is taken as physical. */
    put_le(b + 24, 0x100020, 4);
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), &img, &why), 0);
    CHECK_EQ_U64(img.entry, 0x100020);
}

TEST(elf_phys_elf64_and_class_rules)
{
    unsigned char b[PHYS_IMAGE_SIZE];
    struct elf_phys_image img;
    const char *why = NULL;

    memset(b, 0, sizeof(b));
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 2, b[5] = 1, b[6] = 1;
    put_le(b + 16, 2, 2);
    put_le(b + 18, 62, 2);                /* EM_X86_64 */
    put_le(b + 20, 1, 4);
    put_le(b + 24, 0xFFFFFFFF80200008ull, 8);
    put_le(b + 32, 64, 8);
    put_le(b + 54, 56, 2);
    put_le(b + 56, 1, 2);
    put_le(b + 64, 1, 4);
    put_le(b + 64 + 8, 0x200, 8);
    put_le(b + 64 + 16, 0xFFFFFFFF80200000ull, 8);
    put_le(b + 64 + 24, 0x200000, 8);
    put_le(b + 64 + 32, 0x100, 8);
    put_le(b + 64 + 40, 0x100, 8);
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), &img, &why), 0);
    CHECK_EQ_U64(img.elf_class, 64);
    CHECK_EQ_U64(img.entry, 0x200008);
    /* The ELF64 checker of kestrel.elf is stricter: no executable segment. */
    CHECK_EQ_U64(elf64_check(b, sizeof(b), NULL, &why), (uint64_t)-1);
    /* ELF64 must be x86-64, ELF32 must be i386. */
    put_le(b + 18, 3, 2);
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), NULL, &why), (uint64_t)-1);
    CHECK_STR(why, "ELF machine is not i386 (ELF32) or x86-64 (ELF64)");
    /* Above 4 GiB by physical address. */
    put_le(b + 18, 62, 2);
    put_le(b + 64 + 24, 0xFFFFFF80ull, 8);
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), NULL, &why), (uint64_t)-1);
    CHECK_STR(why, "ELF segment is not below 4 GiB (loaded by physical address)");
}

TEST(elf_phys_magic_and_truncation)
{
    unsigned char b[PHYS_IMAGE_SIZE];
    struct elf_phys_image img, before;
    const char *why;

    build_elf32_phys(b);
    CHECK(elf_has_magic(b, sizeof(b)));
    CHECK(!elf_has_magic(b, 3));
    CHECK(!elf_has_magic(NULL, 4));
    /* Every truncation is refused, and a refusal leaves *img alone. */
    memset(&before, 0x5a, sizeof(before));
    for (size_t n = 0; n < 0x300; n++) {
        img = before;
        why = NULL;
        CHECK_EQ_U64(check_phys_bytes(b, n, &img, &why), (uint64_t)-1);
        CHECK(why != NULL);
        CHECK(memcmp(&img, &before, sizeof(img)) == 0);
    }
    b[0] = 'X';
    CHECK_EQ_U64(check_phys_bytes(b, sizeof(b), NULL, &why), (uint64_t)-1);
    CHECK_STR(why, "not an ELF image");
}

TEST_SUITE(elf,
    UNIT(elf64_valid_image),
    UNIT(elf64_optional_outputs),
    UNIT(elf64_segments_sorted_by_vaddr),
    UNIT(elf64_every_truncation_is_refused),
    UNIT(elf64_refused_leaves_output_untouched),
    UNIT(elf64_ident_checks),
    UNIT(elf64_header_field_checks),
    UNIT(elf64_program_header_table_checks),
    UNIT(elf64_unaligned_program_headers_are_fine),
    UNIT(elf64_segment_size_checks),
    UNIT(elf64_address_overflow),
    UNIT(elf64_alignment_checks),
    UNIT(elf64_overlapping_segments),
    UNIT(elf64_touching_segments_are_fine),
    UNIT(elf64_entry_checks),
    UNIT(elf64_span_limit),
    UNIT(elf64_no_load_segments),
    UNIT(elf64_empty_load_segment_ignored),
    UNIT(elf64_load_segment_limit),
    UNIT(elf64_random_header_corruption),
    UNIT(elf_phys_elf32_sorted_and_entry_translated),
    UNIT(elf_phys_elf64_and_class_rules),
    UNIT(elf_phys_magic_and_truncation),
);
