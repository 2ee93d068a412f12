/* Unit tests for guest/linux/bzimage.c. */
#include "test.h"
#include "test_bytes.h"

#include "guest/linux/bzimage.h"

#include <stdlib.h>

/* A fake bzImage that looks like a real 64-bit kernel's first pages:
 * 7 setup sectors after the boot sector, a 2.15 header, then 4 KiB of
 * "compressed kernel". */
#define T_SETUP_SECTS   7
#define T_SETUP_SIZE    ((T_SETUP_SECTS + 1) * 512)
#define T_PAYLOAD_SIZE  4096
#define T_IMAGE_SIZE    (T_SETUP_SIZE + T_PAYLOAD_SIZE)
#define T_HEADER_END    0x26C          /* 0x202 + 0x6A, as in current kernels */

struct image {
    uint8_t b[T_IMAGE_SIZE];
};

static void build_image(struct image *img)
{
    uint8_t *b = img->b;

    memset(b, 0, sizeof(img->b));
    for (unsigned i = 0; i < T_IMAGE_SIZE; i++)
        b[i] = (uint8_t)(i * 13 + 7);                 /* no accidental zeros */
    w8(b, 0x1F1, T_SETUP_SECTS);
    w16(b, 0x1F2, 1);                                 /* root_flags */
    w32(b, 0x1F4, T_PAYLOAD_SIZE / 16);               /* syssize */
    w16(b, 0x1FA, 0xFFFF);                            /* vid_mode: normal */
    w16(b, 0x1FC, 0);
    w16(b, 0x1FE, 0xAA55);
    w8(b, 0x200, 0xEB);
    w8(b, 0x201, T_HEADER_END - 0x202);
    memcpy(b + 0x202, "HdrS", 4);
    w16(b, 0x206, 0x020F);
    w32(b, 0x208, 0);
    w16(b, 0x20C, 0x1000);
    w16(b, 0x20E, 0x3A0);
    w8(b, 0x210, 0x42);                               /* stray loader fields ... */
    w8(b, 0x211, 0x01 | 0x20 | 0x40 | 0x80);          /* LOADED_HIGH + loader bits */
    w16(b, 0x212, 0x8000);
    w32(b, 0x214, 0x100000);                          /* code32_start */
    w32(b, 0x218, 0xDEAD0000);                        /* ramdisk_image */
    w32(b, 0x21C, 0x1234);                            /* ramdisk_size */
    w32(b, 0x220, 0x55);
    w16(b, 0x224, 0x9DFF);                            /* heap_end_ptr */
    w8(b, 0x226, 3);
    w8(b, 0x227, 4);
    w32(b, 0x228, 0xBEEF0000);                        /* cmd_line_ptr */
    w32(b, 0x22C, 0x7FFFFFFF);                        /* initrd_addr_max */
    w32(b, 0x230, 0x200000);                          /* kernel_alignment */
    w8(b, 0x234, 1);                                  /* relocatable */
    w8(b, 0x235, 21);                                 /* min_alignment: 2 MiB */
    w16(b, 0x236, 0x0001 | 0x0002 | 0x0008);          /* KERNEL_64, ABOVE_4G, HANDOVER_64 */
    w32(b, 0x238, 2047);                              /* cmdline_size */
    w32(b, 0x23C, 7);                                 /* hardware_subarch (stray) */
    w64(b, 0x240, 0x1122334455667788ull);
    w32(b, 0x248, 0x3A5);                             /* payload_offset */
    w32(b, 0x24C, 0xC00);                             /* payload_length */
    w64(b, 0x250, 0xFFFF800000001000ull);             /* setup_data (stray) */
    w64(b, 0x258, 0x1000000);                         /* pref_address */
    w32(b, 0x260, 0x2000000);                         /* init_size */
    w32(b, 0x264, 0x190);                             /* handover_offset */
    w32(b, 0x268, 0x1234);                            /* kernel_info_offset */
}

/* Runs the parser on an exact-size heap copy so ASan sees any overread. */
static int parse_bytes(const void *bytes, size_t size, struct bzimage_info *out, const char **why)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);

    memcpy(copy, bytes, size);
    int r = bzimage_parse(copy, size, out, why);
    free(copy);
    return r;
}

static void expect_reject(struct unit_ctx *unit_ctx_, const struct image *img, size_t size,
                          const char *reason, int line)
{
    struct bzimage_info out;
    const char *why = NULL;

    if (parse_bytes(img, size, &out, &why) != -1) {
        unit_fail(unit_ctx_, __FILE__, line, "accepted, wanted \"%s\"", reason);
        return;
    }
    if (why == NULL || strcmp(why, reason) != 0)
        unit_fail(unit_ctx_, __FILE__, line, "reason \"%s\", wanted \"%s\"",
                  why ? why : "(null)", reason);
}

#define CHECK_REJECT(img, reason)                                               \
    do {                                                                        \
        expect_reject(unit_ctx_, (img), sizeof((img)->b), (reason), __LINE__);  \
        CHECK_PASSING();                                                        \
    } while (0)

#define CHECK_ACCEPT(img, out)                                                  \
    do {                                                                        \
        const char *why_ = NULL;                                                \
        int r_ = parse_bytes((img)->b, sizeof((img)->b), (out), &why_);         \
        if (r_ != 0) {                                                          \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "refused: %s", why_);      \
            return;                                                             \
        }                                                                       \
    } while (0)

TEST(bzimage_valid_image)
{
    struct image img;
    struct bzimage_info info;
    const char *why = "untouched";

    build_image(&img);
    CHECK_EQ_U64(parse_bytes(img.b, sizeof(img.b), &info, &why), 0);
    CHECK_STR(why, "untouched");
    CHECK_EQ_U64(info.version, 0x020F);
    CHECK_EQ_U64(info.setup_sects, T_SETUP_SECTS);
    CHECK_EQ_U64(info.setup_size, T_SETUP_SIZE);
    CHECK_EQ_U64(info.header_end, T_HEADER_END);
    CHECK_EQ_U64(info.payload_offset, T_SETUP_SIZE);
    CHECK_EQ_U64(info.payload_size, T_PAYLOAD_SIZE);
    CHECK_EQ_U64(info.entry64_offset, 0x200);
    CHECK(info.relocatable);
    CHECK_EQ_U64(info.alignment, 0x200000);
    CHECK_EQ_U64(info.min_alignment, 0x200000);
    CHECK_EQ_U64(info.pref_address, 0x1000000);
    CHECK_EQ_U64(info.init_size, 0x2000000);
    CHECK_EQ_U64(info.load_size, 0x2000000);
    CHECK_EQ_U64(info.cmdline_max, 2047);
    CHECK_EQ_U64(info.initrd_max, 0x7FFFFFFF);
    CHECK(info.initrd_above_4g);
    CHECK_EQ_U64(info.code32_start, 0x100000);
    CHECK_EQ_U64(info.handover_offset, 0x190);
    CHECK_EQ_U64(info.kernel_info_offset, 0x1234);
    CHECK_EQ_U64(info.loadflags & BZ_LOADED_HIGH, BZ_LOADED_HIGH);
    CHECK_EQ_U64(info.xloadflags, 0x000B);
}

TEST(bzimage_optional_outputs)
{
    struct image img;

    build_image(&img);
    CHECK_EQ_U64(bzimage_parse(img.b, sizeof(img.b), NULL, NULL), 0);
    CHECK_EQ_U64(bzimage_parse(NULL, sizeof(img.b), NULL, NULL), (uint64_t)-1);
    img.b[0x1FE] = 0;
    CHECK_EQ_U64(bzimage_parse(img.b, sizeof(img.b), NULL, NULL), (uint64_t)-1);
}

TEST(bzimage_every_truncation_is_refused)
{
    struct image img;
    struct bzimage_info out;

    build_image(&img);
    for (size_t len = 0; len < sizeof(img.b); len++) {
        const char *why = NULL;

        if (parse_bytes(img.b, len, &out, &why) != -1 || why == NULL) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "truncated to %zu bytes was accepted", len);
            return;
        }
    }
}

TEST(bzimage_truncation_reasons)
{
    struct image img;

    build_image(&img);
    expect_reject(unit_ctx_, &img, 0x100, "file too small for a Linux boot sector", __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, 0x204, "file ends inside the Linux setup header", __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, 0x207, "file ends inside the Linux setup header", __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, T_HEADER_END - 1, "file ends inside the Linux setup header",
                  __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, T_SETUP_SIZE - 1,
                  "setup sectors (setup_sects) extend past end of file", __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, T_SETUP_SIZE, "no protected-mode kernel after the setup sectors",
                  __LINE__);
    CHECK_PASSING();
    expect_reject(unit_ctx_, &img, T_IMAGE_SIZE - 1,
                  "protected-mode kernel is shorter than syssize says: file truncated", __LINE__);
    CHECK_PASSING();
}

TEST(bzimage_refused_leaves_output_untouched)
{
    struct image img;
    struct bzimage_info out, before;
    const char *why;

    build_image(&img);
    w16(img.b, 0x206, 0x020B);
    memset(&out, 0x5a, sizeof(out));
    before = out;
    CHECK_EQ_U64(parse_bytes(img.b, sizeof(img.b), &out, &why), (uint64_t)-1);
    CHECK(memcmp(&out, &before, sizeof(out)) == 0);
}

TEST(bzimage_signatures)
{
    struct image img;

    build_image(&img);
    w16(img.b, 0x1FE, 0x55AA);
    CHECK_REJECT(&img, "no boot flag 0xAA55 at offset 0x1FE: not a Linux kernel image");
    build_image(&img);
    memcpy(img.b + 0x202, "HdrT", 4);
    CHECK_REJECT(&img, "no \"HdrS\" signature at offset 0x202: not a bzImage");
    build_image(&img);
    memcpy(img.b, "MZ", 2);           /* EFI stub kernels start with MZ: fine */
    struct bzimage_info info;
    CHECK_ACCEPT(&img, &info);
}

TEST(bzimage_protocol_versions)
{
    struct image img;
    struct bzimage_info info;

    build_image(&img);
    w16(img.b, 0x206, 0x020B);
    CHECK_REJECT(&img, "Linux boot protocol 2.11 is too old (need 2.12 or later)");
    w16(img.b, 0x206, 0x0200);
    CHECK_REJECT(&img, "Linux boot protocol 2.00 is too old (need 2.12 or later)");
    w16(img.b, 0x206, 0x0206);
    CHECK_REJECT(&img, "Linux boot protocol 2.06 is too old (need 2.12 or later)");
    w16(img.b, 0x206, 0x0105);
    CHECK_REJECT(&img, "Linux boot protocol version is older than 2.00 or malformed "
                       "(need 2.12 or later)");
    w16(img.b, 0x206, 0x0000);
    CHECK_REJECT(&img, "Linux boot protocol version is older than 2.00 or malformed "
                       "(need 2.12 or later)");
    w16(img.b, 0x206, 0x020C);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.version, 0x020C);
    CHECK_EQ_U64(info.kernel_info_offset, 0);     /* only from 2.15 */
    w16(img.b, 0x206, 0x020E);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.kernel_info_offset, 0);
    w16(img.b, 0x206, 0x0300);                    /* a future protocol */
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.kernel_info_offset, 0x1234);
    /* A 2.15 kernel whose header stops before kernel_info_offset. */
    w16(img.b, 0x206, 0x020F);
    w8(img.b, 0x201, 0x268 - 0x202);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.header_end, 0x268);
    CHECK_EQ_U64(info.kernel_info_offset, 0);
}

TEST(bzimage_header_length)
{
    struct image img;

    build_image(&img);
    w8(img.b, 0x201, 0x60);           /* ends at 0x262: no handover_offset */
    CHECK_REJECT(&img, "setup header too short for its boot protocol version");
    w8(img.b, 0x201, 0x8F);           /* ends at 0x291: past boot_params.hdr */
    CHECK_REJECT(&img, "setup header longer than boot_params has room for");
    w8(img.b, 0x201, 0xFF);
    CHECK_REJECT(&img, "setup header longer than boot_params has room for");
    w8(img.b, 0x201, 0x8E);           /* exactly 0x290: allowed */
    struct bzimage_info info;
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.header_end, 0x290);
}

TEST(bzimage_setup_sects)
{
    struct image img;
    struct bzimage_info info;

    build_image(&img);
    w8(img.b, 0x1F1, 255);            /* 128 KiB of setup in an 8 KiB file */
    CHECK_REJECT(&img, "setup sectors (setup_sects) extend past end of file");
    w8(img.b, 0x1F1, 15);             /* setup = the whole file */
    CHECK_REJECT(&img, "no protected-mode kernel after the setup sectors");
    w8(img.b, 0x1F1, 0);              /* 0 means 4: 2560 bytes of setup */
    w32(img.b, 0x1F4, 0);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.setup_sects, 4);
    CHECK_EQ_U64(info.setup_size, 2560);
    CHECK_EQ_U64(info.payload_offset, 2560);
    CHECK_EQ_U64(info.payload_size, T_IMAGE_SIZE - 2560);
    /* The smallest setup (one sector after the boot sector) still holds
     * any header boot_params can take (it ends by 0x290 < 1024). */
    build_image(&img);
    w8(img.b, 0x1F1, 1);
    w8(img.b, 0x201, 0x8E);
    w32(img.b, 0x1F4, 0);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.setup_size, 1024);
}

TEST(bzimage_syssize)
{
    struct image img;
    struct bzimage_info info;

    build_image(&img);
    w32(img.b, 0x1F4, T_PAYLOAD_SIZE / 16 + 1);
    CHECK_REJECT(&img, "protected-mode kernel is shorter than syssize says: file truncated");
    w32(img.b, 0x1F4, 0xFFFFFFFF);    /* * 16 must not wrap */
    CHECK_REJECT(&img, "protected-mode kernel is shorter than syssize says: file truncated");
    w32(img.b, 0x1F4, T_PAYLOAD_SIZE / 16 - 1);   /* shorter is fine (padding) */
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.payload_size, T_PAYLOAD_SIZE);
}

TEST(bzimage_load_flags)
{
    struct image img;

    build_image(&img);
    w8(img.b, 0x211, 0x80);
    CHECK_REJECT(&img, "kernel is not a bzImage (LOADED_HIGH clear: it wants to load below 1 MiB)");
    build_image(&img);
    w16(img.b, 0x236, 0x0002);
    CHECK_REJECT(&img, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
    build_image(&img);
    w16(img.b, 0x236, 0x0001);
    struct bzimage_info info;
    CHECK_ACCEPT(&img, &info);
    CHECK(!info.initrd_above_4g);
}

TEST(bzimage_alignment)
{
    struct image img;
    struct bzimage_info info;

    build_image(&img);
    w32(img.b, 0x230, 0x300000);
    CHECK_REJECT(&img, "kernel_alignment is not a power of two");
    w32(img.b, 0x230, 0);
    CHECK_REJECT(&img, "kernel_alignment is not a power of two");
    build_image(&img);
    w8(img.b, 0x235, 22);             /* 4 MiB minimum > 2 MiB alignment */
    CHECK_REJECT(&img, "min_alignment is larger than kernel_alignment");
    w8(img.b, 0x235, 200);
    CHECK_REJECT(&img, "min_alignment is larger than kernel_alignment");
    w8(img.b, 0x235, 12);
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.min_alignment, 0x1000);
    /* Alignment is not checked for a kernel that is not relocatable. */
    build_image(&img);
    w8(img.b, 0x234, 0);
    w32(img.b, 0x230, 0x300000);
    w8(img.b, 0x235, 40);
    CHECK_ACCEPT(&img, &info);
    CHECK(!info.relocatable);
    CHECK_EQ_U64(info.pref_address, 0x1000000);
    CHECK_EQ_U64(info.min_alignment, 0);
}

TEST(bzimage_defaults_and_sizes)
{
    struct image img;
    struct bzimage_info info;

    build_image(&img);
    w64(img.b, 0x258, 0);             /* no pref_address: code32_start */
    w32(img.b, 0x22C, 0);             /* no initrd_addr_max: the old default */
    w32(img.b, 0x260, 0x100);         /* init_size smaller than the payload */
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.pref_address, 0x100000);
    CHECK_EQ_U64(info.initrd_max, 0x37FFFFFF);
    CHECK_EQ_U64(info.load_size, T_PAYLOAD_SIZE);
    w32(img.b, 0x214, 0);             /* nor code32_start: 1 MiB */
    CHECK_ACCEPT(&img, &info);
    CHECK_EQ_U64(info.pref_address, 0x100000);
    build_image(&img);
    w64(img.b, 0x258, UINT64_MAX - 0x1000);
    CHECK_REJECT(&img, "pref_address + init_size overflows");
}

/* ---- boot_params ------------------------------------------------------- */

static void init_zero_page(struct unit_ctx *unit_ctx_, struct image *img, uint8_t *zp)
{
    struct bzimage_info info;

    build_image(img);
    CHECK_ACCEPT(img, &info);
    memset(zp, 0xCC, BZ_ZERO_PAGE_SIZE);
    bzimage_boot_params_init(zp, img->b, &info);
}

#define INIT_ZP(img, zp)                                                        \
    do {                                                                        \
        init_zero_page(unit_ctx_, (img), (zp));                                 \
        CHECK_PASSING();                                                        \
    } while (0)

TEST(bzimage_boot_params_copies_header)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    INIT_ZP(&img, zp);
    /* Zero outside the header. */
    for (unsigned i = 0; i < BZ_ZERO_PAGE_SIZE; i++) {
        if (i >= 0x1F1 && i < T_HEADER_END)
            continue;
        if (zp[i] != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "byte 0x%x is 0x%x", i, zp[i]);
            return;
        }
    }
    /* The image's own fields, unchanged. */
    CHECK_EQ_U64(r8(zp, 0x1F1), T_SETUP_SECTS);
    CHECK_EQ_U64(r16(zp, 0x1F2), 1);
    CHECK_EQ_U64(r32(zp, 0x1F4), T_PAYLOAD_SIZE / 16);
    CHECK_EQ_U64(r16(zp, 0x1FA), 0xFFFF);
    CHECK_EQ_U64(r16(zp, 0x1FE), 0xAA55);
    CHECK(memcmp(zp + 0x202, "HdrS", 4) == 0);
    CHECK_EQ_U64(r16(zp, 0x206), 0x020F);
    CHECK_EQ_U64(r32(zp, 0x214), 0x100000);
    CHECK_EQ_U64(r32(zp, 0x22C), 0x7FFFFFFF);
    CHECK_EQ_U64(r32(zp, 0x230), 0x200000);
    CHECK_EQ_U64(r8(zp, 0x234), 1);
    CHECK_EQ_U64(r16(zp, 0x236), 0x000B);
    CHECK_EQ_U64(r32(zp, 0x238), 2047);
    CHECK_EQ_U64(r64(zp, 0x258), 0x1000000);
    CHECK_EQ_U64(r32(zp, 0x260), 0x2000000);
    CHECK_EQ_U64(r32(zp, 0x268), 0x1234);
    /* Fields the loader owns: cleared, type_of_loader undefined. */
    CHECK_EQ_U64(r8(zp, 0x210), 0xFF);
    CHECK_EQ_U64(r8(zp, 0x211), BZ_LOADED_HIGH);
    CHECK_EQ_U64(r32(zp, 0x218), 0);
    CHECK_EQ_U64(r32(zp, 0x21C), 0);
    CHECK_EQ_U64(r32(zp, 0x220), 0);
    CHECK_EQ_U64(r16(zp, 0x224), 0);
    CHECK_EQ_U64(r8(zp, 0x226), 0);
    CHECK_EQ_U64(r8(zp, 0x227), 0);
    CHECK_EQ_U64(r32(zp, 0x228), 0);
    CHECK_EQ_U64(r32(zp, 0x23C), 0);
    CHECK_EQ_U64(r64(zp, 0x240), 0);
    CHECK_EQ_U64(r64(zp, 0x250), 0);
}

TEST(bzimage_boot_params_shorter_header)
{
    struct image img;
    struct bzimage_info info;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    build_image(&img);
    w16(img.b, 0x206, 0x020C);
    w8(img.b, 0x201, 0x268 - 0x202);
    CHECK_ACCEPT(&img, &info);
    memset(zp, 0xCC, sizeof(zp));
    bzimage_boot_params_init(zp, img.b, &info);
    CHECK_EQ_U64(r32(zp, 0x264), 0x190);
    CHECK_EQ_U64(r32(zp, 0x268), 0);      /* past this header's end: not copied */
    /* A wrong info cannot make it write past the header area. */
    info.header_end = 0x1000;
    bzimage_boot_params_init(zp, img.b, &info);
    CHECK_EQ_U64(r8(zp, 0x290), 0);
    CHECK_EQ_U64(r8(zp, 0x28F), img.b[0x28F]);
}

TEST(bzimage_cmdline)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    INIT_ZP(&img, zp);
    CHECK(bzimage_set_cmdline(zp, 0x20000, 2047));
    CHECK_EQ_U64(r32(zp, 0x228), 0x20000);
    CHECK_EQ_U64(r32(zp, 0x0C8), 0);
    CHECK(!bzimage_set_cmdline(zp, 0x30000, 2048));
    CHECK_EQ_U64(r32(zp, 0x228), 0x20000);
    CHECK(bzimage_set_cmdline(zp, 0x123456000ull, 10));   /* above 4 GiB: flag set */
    CHECK_EQ_U64(r32(zp, 0x228), 0x23456000);
    CHECK_EQ_U64(r32(zp, 0x0C8), 0x1);
    CHECK(!bzimage_set_cmdline(zp, UINT64_MAX - 4, 10));
    /* Without XLF_CAN_BE_LOADED_ABOVE_4G. */
    w16(zp, 0x236, BZ_XLF_KERNEL_64);
    CHECK(!bzimage_set_cmdline(zp, 0x123456000ull, 10));
    CHECK(!bzimage_set_cmdline(zp, 0xFFFFFFFF - 5, 10));   /* the NUL crosses 4 GiB */
    CHECK(bzimage_set_cmdline(zp, 0xFFFFFFFF - 10, 10));   /* NUL at 0xFFFFFFFF */
}

TEST(bzimage_initrd)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    INIT_ZP(&img, zp);
    w16(zp, 0x236, BZ_XLF_KERNEL_64);     /* honour initrd_addr_max 0x7FFFFFFF */
    CHECK(bzimage_set_initrd(zp, 0x7F000000, 0x1000000));  /* last byte 0x7FFFFFFF */
    CHECK_EQ_U64(r32(zp, 0x218), 0x7F000000);
    CHECK_EQ_U64(r32(zp, 0x21C), 0x1000000);
    CHECK_EQ_U64(r32(zp, 0x0C0), 0);
    CHECK_EQ_U64(r32(zp, 0x0C4), 0);
    CHECK(!bzimage_set_initrd(zp, 0x7F000001, 0x1000000));
    CHECK(!bzimage_set_initrd(zp, 0x100000000ull, 0x1000));
    CHECK(!bzimage_set_initrd(zp, 0x1000000, 0));
    CHECK_EQ_U64(r32(zp, 0x218), 0x7F000000);              /* refusals write nothing */
    /* initrd_addr_max 0 in the page: the old default. */
    w32(zp, 0x22C, 0);
    CHECK(bzimage_set_initrd(zp, 0x37000000, 0x1000000));
    CHECK(!bzimage_set_initrd(zp, 0x37000000, 0x1000001));
    /* With XLF_CAN_BE_LOADED_ABOVE_4G: anywhere, high halves in ext_*. */
    w16(zp, 0x236, BZ_XLF_KERNEL_64 | BZ_XLF_CAN_BE_LOADED_ABOVE_4G);
    CHECK(bzimage_set_initrd(zp, 0x240001000ull, 0x100002000ull));
    CHECK_EQ_U64(r32(zp, 0x218), 0x40001000);
    CHECK_EQ_U64(r32(zp, 0x0C0), 0x2);
    CHECK_EQ_U64(r32(zp, 0x21C), 0x2000);
    CHECK_EQ_U64(r32(zp, 0x0C4), 0x1);
    CHECK(!bzimage_set_initrd(zp, UINT64_MAX - 0xFFF, 0x2000));
    CHECK(bzimage_set_initrd(zp, UINT64_MAX - 0xFFF, 0x1000));
}

TEST(bzimage_rsdp)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    INIT_ZP(&img, zp);
    CHECK(bzimage_set_rsdp(zp, 0x7FB7E014));
    CHECK_EQ_U64(r64(zp, 0x070), 0x7FB7E014);
    w16(zp, 0x206, 0x020E);
    CHECK(bzimage_set_rsdp(zp, 0x1234567890ull));
    CHECK_EQ_U64(r64(zp, 0x070), 0x1234567890ull);
    w16(zp, 0x206, 0x020D);
    memset(zp + 0x70, 0, 8);
    CHECK(!bzimage_set_rsdp(zp, 0x7FB7E014));
    CHECK_EQ_U64(r64(zp, 0x070), 0);
}

TEST(bzimage_loader_type_and_heap)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];

    INIT_ZP(&img, zp);
    bzimage_set_loader(zp, 0x7, 0x23);        /* GRUB, version 0x23 */
    CHECK_EQ_U64(r8(zp, 0x210), 0x73);
    CHECK_EQ_U64(r8(zp, 0x226), 0x2);
    CHECK_EQ_U64(r8(zp, 0x227), 0);
    bzimage_set_loader(zp, 0x12, 0x5);        /* extended ID */
    CHECK_EQ_U64(r8(zp, 0x210), 0xE5);
    CHECK_EQ_U64(r8(zp, 0x227), 0x2);
    CHECK_EQ_U64(r8(zp, 0x226), 0);
    bzimage_set_loader(zp, BZ_LOADER_UNDEFINED, 9);
    CHECK_EQ_U64(r8(zp, 0x210), 0xFF);
    CHECK_EQ_U64(r8(zp, 0x226), 0);
    CHECK_EQ_U64(r8(zp, 0x227), 0);

    bzimage_set_heap(zp, 0xFE00 - 0x200);
    CHECK_EQ_U64(r16(zp, 0x224), 0xFC00);
    CHECK_EQ_U64(r8(zp, 0x211), BZ_LOADED_HIGH | BZ_CAN_USE_HEAP);
}

TEST(bzimage_e820_table)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];
    struct e820_entry e[129];

    INIT_ZP(&img, zp);
    for (unsigned i = 0; i < 129; i++)
        e[i] = (struct e820_entry){ 0x100000ull * i, 0x80000, i % 2 ? E820_RESERVED : E820_RAM };
    CHECK(bzimage_set_e820(zp, e, 3));
    CHECK_EQ_U64(r8(zp, 0x1E8), 3);
    CHECK_EQ_U64(r64(zp, 0x2D0), 0);
    CHECK_EQ_U64(r64(zp, 0x2D8), 0x80000);
    CHECK_EQ_U64(r32(zp, 0x2E0), E820_RAM);
    CHECK_EQ_U64(r64(zp, 0x2E4), 0x100000);           /* 20-byte stride */
    CHECK_EQ_U64(r32(zp, 0x2F4), E820_RESERVED);
    CHECK_EQ_U64(r64(zp, 0x2F8), 0x200000);
    CHECK(bzimage_set_e820(zp, e, 128));
    CHECK_EQ_U64(r8(zp, 0x1E8), 128);
    CHECK_EQ_U64(r64(zp, 0x2D0 + 127 * 20), 0x100000ull * 127);
    CHECK_EQ_U64(r32(zp, 0x2D0 + 127 * 20 + 16), E820_RESERVED);
    CHECK_EQ_U64(r32(zp, 0xD00), 0);                  /* eddbuf untouched */
    CHECK(!bzimage_set_e820(zp, e, 129));
    CHECK_EQ_U64(r8(zp, 0x1E8), 128);
    CHECK(bzimage_set_e820(zp, NULL, 0));
    CHECK_EQ_U64(r8(zp, 0x1E8), 0);
    CHECK(!bzimage_set_e820(zp, NULL, 1));
}

TEST(bzimage_framebuffer_below_4g)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];
    struct bootinfo_framebuffer fb = {
        .base = 0x80000000, .size = 0x300000, .width = 1024, .height = 768,
        .pixels_per_line = 1024, .format = BOOTINFO_FB_BGRX,
    };

    INIT_ZP(&img, zp);
    CHECK(bzimage_set_framebuffer(zp, &fb));
    CHECK_EQ_U64(r8(zp, 0x0F), 0x70);
    CHECK_EQ_U64(r16(zp, 0x12), 1024);
    CHECK_EQ_U64(r16(zp, 0x14), 768);
    CHECK_EQ_U64(r16(zp, 0x16), 32);
    CHECK_EQ_U64(r32(zp, 0x18), 0x80000000);
    CHECK_EQ_U64(r32(zp, 0x1C), 0x300000);
    CHECK_EQ_U64(r16(zp, 0x24), 4096);
    CHECK_EQ_U64(r8(zp, 0x26), 8);
    CHECK_EQ_U64(r8(zp, 0x27), 16);                   /* red at bits 16-23 */
    CHECK_EQ_U64(r8(zp, 0x28), 8);
    CHECK_EQ_U64(r8(zp, 0x29), 8);
    CHECK_EQ_U64(r8(zp, 0x2A), 8);
    CHECK_EQ_U64(r8(zp, 0x2B), 0);
    CHECK_EQ_U64(r8(zp, 0x2C), 8);
    CHECK_EQ_U64(r8(zp, 0x2D), 24);
    CHECK_EQ_U64(r16(zp, 0x32), 1);
    CHECK_EQ_U64(r32(zp, 0x36), BZ_VIDEO_CAPABILITY_SKIP_QUIRKS);
    CHECK_EQ_U64(r32(zp, 0x3A), 0);
}

TEST(bzimage_framebuffer_above_4g_rgbx)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];
    struct bootinfo_framebuffer fb = {
        .base = 0x3800000000ull, .size = 0x1E8000, .width = 800, .height = 600,
        .pixels_per_line = 832, .format = BOOTINFO_FB_RGBX,
    };

    INIT_ZP(&img, zp);
    CHECK(bzimage_set_framebuffer(zp, &fb));
    CHECK_EQ_U64(r32(zp, 0x18), 0);
    CHECK_EQ_U64(r32(zp, 0x3A), 0x38);
    CHECK_EQ_U64(r32(zp, 0x36), BZ_VIDEO_CAPABILITY_SKIP_QUIRKS | BZ_VIDEO_CAPABILITY_64BIT_BASE);
    CHECK_EQ_U64(r16(zp, 0x24), 832 * 4);
    CHECK_EQ_U64(r8(zp, 0x27), 0);                    /* red at bits 0-7 */
    CHECK_EQ_U64(r8(zp, 0x2B), 16);
}

TEST(bzimage_framebuffer_refusals)
{
    struct image img;
    uint8_t zp[BZ_ZERO_PAGE_SIZE];
    const struct bootinfo_framebuffer good = {
        .base = 0x80000000, .size = 0x300000, .width = 1024, .height = 768,
        .pixels_per_line = 1024, .format = BOOTINFO_FB_RGBX,
    };
    struct bootinfo_framebuffer fb;

    INIT_ZP(&img, zp);
    CHECK(!bzimage_set_framebuffer(zp, NULL));
    fb = good; fb.format = BOOTINFO_FB_NONE;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.format = 7;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.base = 0;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.width = 0x10000; fb.pixels_per_line = 0x10000;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.pixels_per_line = 0x4000;          /* linelength 0x10000 */
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.height = 0x10000;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.width = 1025;                       /* wider than a scan line */
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.size = 0x100000000ull;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    fb = good; fb.size = 1024 * 4 * 768 - 1;
    CHECK(!bzimage_set_framebuffer(zp, &fb));
    for (unsigned i = 0; i < 0x40; i++)
        CHECK_EQ_U64(zp[i], 0);                       /* nothing written */
}

/* ---- a real kernel, when one is cached --------------------------------------
 * scripts/fetch-linux.sh leaves Debian's cloud kernel in the cache; nothing is
 * downloaded here.  Without it the test has nothing to check and passes. */

static uint8_t *read_cached_kernel(size_t *size)
{
    char path[512];
    const char *cache = getenv("KESTREL_CACHE");
    const char *home = getenv("HOME");

    if (cache != NULL)
        snprintf(path, sizeof(path), "%s/linux/vmlinuz", cache);
    else if (home != NULL)
        snprintf(path, sizeof(path), "%s/.cache/kestrel/linux/vmlinuz", home);
    else
        return NULL;

    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *b = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        b = malloc((size_t)n);
        if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
            free(b);
            b = NULL;
        }
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

TEST(bzimage_cached_debian_kernel)
{
    size_t size = 0;
    uint8_t *k = read_cached_kernel(&size);
    struct bzimage_info info;
    const char *why = NULL;

    if (k == NULL)
        return;
    int r = bzimage_parse(k, size, &info, &why);
    if (r != 0) {
        free(k);
        unit_fail(unit_ctx_, __FILE__, __LINE__, "the cached kernel was refused: %s", why);
        return;
    }
    bool ok = info.version >= 0x020C && info.relocatable && info.entry64_offset == 0x200 &&
              (info.xloadflags & BZ_XLF_KERNEL_64) && info.payload_offset == info.setup_size &&
              info.payload_offset + info.payload_size == size && info.load_size >= info.payload_size;
    /* Signed kernels carry bytes past syssize: cutting those is fine,
     * cutting into the kernel is not. */
    uint64_t sys_end = info.setup_size + (uint64_t)r32(k, 0x1F4) * 16;
    bool cut_ok = sys_end <= size && bzimage_parse(k, sys_end, NULL, NULL) == 0 &&
                  bzimage_parse(k, sys_end - 1, NULL, NULL) == -1;
    /* Every truncation of the setup part is refused, without overreads. */
    bool prefixes_refused = true;
    for (size_t len = 0; len <= info.setup_size && len < size; len++) {
        uint8_t *copy = malloc(len > 0 ? len : 1);

        memcpy(copy, k, len);
        if (bzimage_parse(copy, len, NULL, NULL) != -1)
            prefixes_refused = false;
        free(copy);
    }
    uint8_t zp[BZ_ZERO_PAGE_SIZE];
    bzimage_boot_params_init(zp, k, &info);
    bool zp_ok = memcmp(zp + 0x202, "HdrS", 4) == 0 && r8(zp, 0x210) == 0xFF &&
                 r32(zp, 0x238) == info.cmdline_max;
    free(k);
    CHECK(ok);
    CHECK(cut_ok);
    CHECK(prefixes_refused);
    CHECK(zp_ok);
}

TEST_SUITE(bzimage,
    UNIT(bzimage_valid_image),
    UNIT(bzimage_optional_outputs),
    UNIT(bzimage_every_truncation_is_refused),
    UNIT(bzimage_truncation_reasons),
    UNIT(bzimage_refused_leaves_output_untouched),
    UNIT(bzimage_signatures),
    UNIT(bzimage_protocol_versions),
    UNIT(bzimage_header_length),
    UNIT(bzimage_setup_sects),
    UNIT(bzimage_syssize),
    UNIT(bzimage_load_flags),
    UNIT(bzimage_alignment),
    UNIT(bzimage_defaults_and_sizes),
    UNIT(bzimage_boot_params_copies_header),
    UNIT(bzimage_boot_params_shorter_header),
    UNIT(bzimage_cmdline),
    UNIT(bzimage_initrd),
    UNIT(bzimage_rsdp),
    UNIT(bzimage_loader_type_and_heap),
    UNIT(bzimage_e820_table),
    UNIT(bzimage_framebuffer_below_4g),
    UNIT(bzimage_framebuffer_above_4g_rgbx),
    UNIT(bzimage_framebuffer_refusals),
    UNIT(bzimage_cached_debian_kernel),
);
