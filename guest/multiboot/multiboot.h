/*
 * Multiboot 1 (0.6.96) and Multiboot2 (2.0) for kernels Kestrel boots as its
 * guest: finding and checking the header in an untrusted image, describing
 * what to load where (address fields or ELF program headers), and building
 * the information structure the kernel receives in EBX.  Pure code: every
 * offset is checked against the file size with overflow-safe arithmetic and
 * a refusal comes with a one-line reason.
 *
 * The kernel is entered in 32-bit protected mode, paging off, at
 * image.entry, with EAX = MB1_BOOTLOADER_MAGIC or MB2_BOOTLOADER_MAGIC and
 * EBX = the information structure's guest-physical address.
 */
#ifndef KESTREL_GUEST_MULTIBOOT_H
#define KESTREL_GUEST_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "guest/linux/e820.h"

/* ---- Multiboot 1 header -------------------------------------------------- */
#define MB1_HEADER_MAGIC        0x1BADB002u
#define MB1_BOOTLOADER_MAGIC    0x2BADB002u   /* EAX at entry */
#define MB1_SEARCH_LIMIT        8192u         /* header within the first 8 KiB, 4-aligned */
#define MB1_ALIGN               4u

/* Header field offsets. */
#define MB1_H_MAGIC             0
#define MB1_H_FLAGS             4
#define MB1_H_CHECKSUM          8
#define MB1_H_HEADER_ADDR       12    /* flag 16 */
#define MB1_H_LOAD_ADDR         16
#define MB1_H_LOAD_END_ADDR     20
#define MB1_H_BSS_END_ADDR      24
#define MB1_H_ENTRY_ADDR        28
#define MB1_H_MODE_TYPE         32    /* flag 2 */
#define MB1_H_WIDTH             36
#define MB1_H_HEIGHT            40
#define MB1_H_DEPTH             44
#define MB1_H_SIZE_BASIC        12
#define MB1_H_SIZE_ADDRESS      32
#define MB1_H_SIZE_VIDEO        48

/* Header flags: bits 0-15 are requirements (an unknown one means refuse). */
#define MB1_F_PAGE_ALIGN        (1u << 0)     /* modules 4 KiB aligned */
#define MB1_F_MEMORY_INFO       (1u << 1)     /* mem_* (and mmap) required */
#define MB1_F_VIDEO_MODE        (1u << 2)     /* video mode fields valid */
#define MB1_F_REQUIRED_MASK     0x0000FFFFu
#define MB1_F_ADDRESS_FIELDS    (1u << 16)    /* load per header address fields */

/* ---- Multiboot2 header --------------------------------------------------- */
#define MB2_HEADER_MAGIC        0xE85250D6u
#define MB2_BOOTLOADER_MAGIC    0x36D76289u   /* EAX at entry */
#define MB2_SEARCH_LIMIT        32768u        /* header within the first 32 KiB, 8-aligned */
#define MB2_ALIGN               8u
#define MB2_ARCH_I386           0u

#define MB2_H_MAGIC             0
#define MB2_H_ARCHITECTURE      4
#define MB2_H_HEADER_LENGTH     8
#define MB2_H_CHECKSUM          12
#define MB2_H_TAGS              16

/* Header tags: u16 type, u16 flags, u32 size, payload; each starts 8-aligned. */
#define MB2_HT_END              0
#define MB2_HT_INFO_REQUEST     1
#define MB2_HT_ADDRESS          2
#define MB2_HT_ENTRY_ADDRESS    3
#define MB2_HT_CONSOLE_FLAGS    4
#define MB2_HT_FRAMEBUFFER      5
#define MB2_HT_MODULE_ALIGN     6
#define MB2_HT_EFI_BS           7
#define MB2_HT_ENTRY_EFI32      8
#define MB2_HT_ENTRY_EFI64      9
#define MB2_HT_RELOCATABLE      10
#define MB2_HT_FLAG_OPTIONAL    1u

#define MB2_CONSOLE_REQUIRED    (1u << 0)
#define MB2_CONSOLE_EGA_TEXT    (1u << 1)

/* Information tags (in what the kernel receives; also the numbers an
 * information request names). */
#define MB2_TAG_END             0
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_LOADER_NAME     2
#define MB2_TAG_MODULE          3
#define MB2_TAG_BASIC_MEMINFO   4
#define MB2_TAG_BOOTDEV         5
#define MB2_TAG_MMAP            6
#define MB2_TAG_VBE             7
#define MB2_TAG_FRAMEBUFFER     8
#define MB2_TAG_ELF_SECTIONS    9
#define MB2_TAG_APM             10
#define MB2_TAG_EFI32           11
#define MB2_TAG_EFI64           12
#define MB2_TAG_SMBIOS          13
#define MB2_TAG_ACPI_OLD        14
#define MB2_TAG_ACPI_NEW        15
#define MB2_TAG_NETWORK         16
#define MB2_TAG_EFI_MMAP        17
#define MB2_TAG_EFI_BS          18
#define MB2_TAG_EFI32_IH        19
#define MB2_TAG_EFI64_IH        20
#define MB2_TAG_LOAD_BASE_ADDR  21
#define MB2_TAG_LAST_KNOWN      21

/* Tags mb2_build_info can emit (given the inputs); a request for any other
 * known tag is accepted (the spec lets a loader omit information it does not
 * have) and recorded in multiboot_image.mb2_unprovided. */
#define MB2_PROVIDED_TAGS                                                       \
    ((1ull << MB2_TAG_CMDLINE) | (1ull << MB2_TAG_LOADER_NAME) |                \
     (1ull << MB2_TAG_MODULE) | (1ull << MB2_TAG_BASIC_MEMINFO) |               \
     (1ull << MB2_TAG_MMAP) | (1ull << MB2_TAG_FRAMEBUFFER) |                   \
     (1ull << MB2_TAG_ACPI_OLD) | (1ull << MB2_TAG_ACPI_NEW) |                  \
     (1ull << MB2_TAG_LOAD_BASE_ADDR) | (1ull << MB2_TAG_END))

/* ---- the unified description ------------------------------------------- */

#define MB_MAX_SEGMENTS 16

struct mb_segment {
    uint64_t file_offset;
    uint64_t file_size;          /* bytes copied from the file */
    uint64_t phys;               /* guest-physical destination, below 4 GiB */
    uint64_t mem_size;           /* >= file_size; the rest is zero-filled */
};

enum mb_load_kind {
    MB_LOAD_ADDRESS = 1,         /* header address fields (MB1 flag 16, MB2 tag 2) */
    MB_LOAD_ELF32,
    MB_LOAD_ELF64,
};

/* multiboot_image.flags */
#define MB_IMG_PAGE_ALIGN_MODULES (1u << 0)   /* MB1 flag 0, MB2 tag 6 */
#define MB_IMG_NEEDS_MEMORY_INFO  (1u << 1)   /* MB1 flag 1 */
#define MB_IMG_WANTS_VIDEO        (1u << 2)   /* MB1 flag 2, MB2 tag 5 */
#define MB_IMG_VIDEO_OPTIONAL     (1u << 3)   /* MB2 tag 5 marked optional */
#define MB_IMG_CONSOLE_REQUIRED   (1u << 4)   /* MB2 tag 4 */
#define MB_IMG_EGA_TEXT           (1u << 5)   /* MB2 tag 4: supports EGA text */
#define MB_IMG_RELOCATABLE        (1u << 6)   /* MB2 tag 10: reloc_* valid */
#define MB_IMG_EFI_BS_IGNORED     (1u << 7)   /* MB2 optional tag 7, ignored */
#define MB_IMG_EFI_ENTRY_IGNORED  (1u << 8)   /* MB2 tag 8/9, normal entry used */
#define MB_IMG_REQUESTS_OPTIONAL  (1u << 9)   /* MB2 tag 1 marked optional */

struct multiboot_image {
    unsigned version;            /* 1 or 2 */
    unsigned load_kind;          /* enum mb_load_kind */
    uint64_t header_offset;      /* file offset of the header */
    uint32_t entry;              /* guest-physical, 32-bit protected mode */
    uint32_t flags;              /* MB_IMG_* */
    uint32_t header_flags;       /* MB1: the header's flags word; MB2: 0 */
    uint32_t mb2_console_flags;  /* MB2 tag 4 (MB2_CONSOLE_*) */
    uint64_t phys_start;         /* lowest segment address */
    uint64_t phys_end;           /* end of the highest segment (<= 4 GiB) */
    unsigned segment_count;
    struct mb_segment segments[MB_MAX_SEGMENTS];   /* sorted by phys, disjoint */
    /* Preferred video mode (MB1 flag 2 / MB2 tag 5); 0 = no preference. */
    uint32_t video_mode_type;    /* MB1: 0 linear framebuffer, 1 EGA text */
    uint32_t video_width, video_height, video_depth;
    /* MB2 information request (tag 1): bit t set = tag type t asked for. */
    uint64_t mb2_requested;
    uint64_t mb2_unprovided;     /* requested & ~MB2_PROVIDED_TAGS */
    /* MB2 relocatable tag (10), when MB_IMG_RELOCATABLE. */
    uint32_t reloc_min, reloc_max, reloc_align, reloc_preference;
};

/*
 * Finds the header and works out how to load the image.  A valid Multiboot2
 * header (magic at an 8-aligned offset in the first 32 KiB with a matching
 * checksum) is preferred; otherwise a Multiboot 1 header (4-aligned, first
 * 8 KiB).  Once a header with a good checksum is found, its verdict is
 * final.  Refused: unknown required MB1 flag bits or MB2 tags, a non-i386
 * MB2 architecture, malformed tags, an MB2 EFI boot-services tag (7) not
 * marked optional, inconsistent address fields, an ELF image that is not
 * EXEC i386/x86-64, segments or the entry outside the file, 4 GiB, or each
 * other.  Returns 0 and fills *out (untouched on refusal), or -1 with *why
 * set.  out and why may be NULL.
 */
int multiboot_find(const void *file, size_t size, struct multiboot_image *out, const char **why);

/* ---- what the kernel receives ------------------------------------------ */

struct mb_module {
    uint64_t start;              /* guest-physical, first byte */
    uint64_t end;                /* guest-physical, one past the last byte */
    const char *cmdline;         /* NUL-terminated; NULL counts as "" */
};

struct mb_info_input {
    const struct e820_entry *mem;         /* the guest's memory map */
    unsigned mem_count;
    const char *cmdline;                  /* NULL: none given */
    const char *loader_name;              /* NULL: none given */
    const struct mb_module *modules;
    unsigned module_count;
    const struct bootinfo_framebuffer *fb;  /* NULL: no framebuffer */
    /* MB2 only: */
    const uint8_t *rsdp;                  /* the RSDP's bytes; NULL: no ACPI tags */
    size_t rsdp_size;                     /* >= 20; >= 36 for the new-RSDP tag */
    bool has_load_base;                   /* emit tag 21 (relocatable images) */
    uint32_t load_base;
};

/* Multiboot 1 info: struct multiboot_info field offsets. */
#define MB1_I_FLAGS             0
#define MB1_I_MEM_LOWER         4
#define MB1_I_MEM_UPPER         8
#define MB1_I_BOOT_DEVICE       12
#define MB1_I_CMDLINE           16
#define MB1_I_MODS_COUNT        20
#define MB1_I_MODS_ADDR         24
#define MB1_I_SYMS              28     /* 16 bytes: a.out or ELF section info */
#define MB1_I_MMAP_LENGTH       44
#define MB1_I_MMAP_ADDR         48
#define MB1_I_DRIVES_LENGTH     52
#define MB1_I_DRIVES_ADDR       56
#define MB1_I_CONFIG_TABLE      60
#define MB1_I_BOOT_LOADER_NAME  64
#define MB1_I_APM_TABLE         68
#define MB1_I_VBE               72     /* 16 bytes of VBE fields */
#define MB1_I_FB_ADDR           88     /* u64 */
#define MB1_I_FB_PITCH          96
#define MB1_I_FB_WIDTH          100
#define MB1_I_FB_HEIGHT         104
#define MB1_I_FB_BPP            108    /* u8 */
#define MB1_I_FB_TYPE           109    /* u8: 1 = direct RGB */
#define MB1_I_FB_COLOR_INFO     110    /* red pos, red size, green pos/size, blue pos/size */
#define MB1_I_SIZE              116

#define MB1_INFO_MEMORY         (1u << 0)
#define MB1_INFO_CMDLINE        (1u << 2)
#define MB1_INFO_MODS           (1u << 3)
#define MB1_INFO_MMAP           (1u << 6)
#define MB1_INFO_LOADER_NAME    (1u << 9)
#define MB1_INFO_FRAMEBUFFER    (1u << 12)

/* u32 size (= 20: the size field does not count itself), u64 base, u64 length, u32 type */
#define MB1_MMAP_ENTRY_SIZE     24
#define MB1_MODULE_SIZE         16     /* mod_start, mod_end, string, reserved */
#define MB2_MMAP_ENTRY_SIZE     24     /* u64 base, u64 len, u32 type, u32 reserved */
#define MB_FB_TYPE_RGB          1

/*
 * Builds the Multiboot 1 information structure at the start of buf (cap
 * bytes), which the kernel will see at guest-physical buf_phys (8-aligned).
 * Everything it points to (memory map, module list, strings) is placed in
 * buf after it.  Flags: memory (mem_lower: RAM from 0, at most 640 KiB;
 * mem_upper: RAM contiguous from 1 MiB), mmap, mods (always, maybe 0),
 * cmdline and boot_loader_name when given, framebuffer when given.  Returns
 * the bytes used, or 0 if it does not fit, buf_phys is misaligned, or an
 * address the structure holds (itself, modules) is not below 4 GiB.
 */
size_t mb1_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in);

/*
 * Builds the Multiboot2 information structure in buf (the kernel sees it at
 * guest-physical buf_phys, 8-aligned): total_size, reserved, then 8-aligned
 * tags: cmdline (1) and loader name (2) when given, one module tag (3) per
 * module, basic meminfo (4), mmap (6, entry_size 24, version 0),
 * framebuffer (8) when given, old RSDP (14: the first 20 bytes) and new
 * RSDP (15: 36 bytes, when the revision is >= 2) when given, load base (21)
 * when asked, and the end tag.  Returns total_size, or 0 as for mb1.
 */
size_t mb2_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in);

/* mem_lower / mem_upper in KiB from an e820 list (any order): RAM
 * contiguous from 0 (capped at 640 KiB) and from 1 MiB (capped at
 * UINT32_MAX KiB). */
void mb_basic_meminfo(const struct e820_entry *mem, unsigned count,
                      uint32_t *mem_lower, uint32_t *mem_upper);

#endif
