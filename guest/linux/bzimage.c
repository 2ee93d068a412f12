/*
 * Linux x86 boot protocol: setup-header checks and boot_params building
 * (see guest/linux/bzimage.h; facts from Documentation/arch/x86/boot.rst).
 *
 * The image is untrusted: fields are read byte by byte (no alignment
 * assumptions) and only after the file is known to reach them.
 */
#include "lib/le.h"
#include "lib/parse_checks.h"
#include "guest/linux/bzimage.h"

_Static_assert(2 * BZ_SECTOR_SIZE >= BZ_HDR_END_MAX,
               "a header boot_params can hold always fits the smallest setup");

/* ---- parsing ------------------------------------------------------------- */

/* One message per refused version, so the user sees which one it was. */
static const char *version_too_old(uint16_t version)
{
    static const char *const messages[] = {
        "Linux boot protocol 2.00 is too old (need 2.12 or later)",
        "Linux boot protocol 2.01 is too old (need 2.12 or later)",
        "Linux boot protocol 2.02 is too old (need 2.12 or later)",
        "Linux boot protocol 2.03 is too old (need 2.12 or later)",
        "Linux boot protocol 2.04 is too old (need 2.12 or later)",
        "Linux boot protocol 2.05 is too old (need 2.12 or later)",
        "Linux boot protocol 2.06 is too old (need 2.12 or later)",
        "Linux boot protocol 2.07 is too old (need 2.12 or later)",
        "Linux boot protocol 2.08 is too old (need 2.12 or later)",
        "Linux boot protocol 2.09 is too old (need 2.12 or later)",
        "Linux boot protocol 2.10 is too old (need 2.12 or later)",
        "Linux boot protocol 2.11 is too old (need 2.12 or later)",
    };

    if (version >= 0x0200 && version < 0x0200 + sizeof(messages) / sizeof(messages[0]))
        return messages[version - 0x0200];
    return "Linux boot protocol version is older than 2.00 or malformed (need 2.12 or later)";
}

/* Checks the signatures and the header's extent; fills the size fields. */
static const char *check_header(const uint8_t *f, size_t size, struct bzimage_info *info)
{
    if (size < BZ_HDR_BOOT_FLAG + 2)
        return "file too small for a Linux boot sector";
    if (get16(f + BZ_HDR_BOOT_FLAG) != BZ_BOOT_FLAG)
        return "no boot flag 0xAA55 at offset 0x1FE: not a Linux kernel image";
    if (size < BZ_HDR_HEADER + 4)
        return "file ends inside the Linux setup header";
    if (get32(f + BZ_HDR_HEADER) != BZ_HDRS_MAGIC)
        return "no \"HdrS\" signature at offset 0x202: not a bzImage";
    if (size < BZ_HDR_VERSION + 2)
        return "file ends inside the Linux setup header";

    info->version = get16(f + BZ_HDR_VERSION);
    if (info->version < BZ_MIN_VERSION)
        return version_too_old(info->version);

    /* The jump at 0x200 skips the header: its end is 0x202 + the byte at 0x201. */
    info->header_end = BZ_HDR_HEADER + f[BZ_HDR_JUMP + 1];
    if (info->header_end < BZ_HDR_END_MIN)
        return "setup header too short for its boot protocol version";
    if (info->header_end > BZ_HDR_END_MAX)
        return "setup header longer than boot_params has room for";
    if (size < info->header_end)
        return "file ends inside the Linux setup header";

    info->setup_sects = f[BZ_HDR_SETUP_SECTS] != 0 ? f[BZ_HDR_SETUP_SECTS] : 4;
    info->setup_size = ((uint32_t)info->setup_sects + 1) * BZ_SECTOR_SIZE;
    /* The header always lies inside the setup: even one setup sector ends
     * at 1024, past BZ_HDR_END_MAX. */
    if (size < info->setup_size)
        return "setup sectors (setup_sects) extend past end of file";
    if (size == info->setup_size)
        return "no protected-mode kernel after the setup sectors";

    info->payload_offset = info->setup_size;
    info->payload_size = (uint64_t)size - info->setup_size;
    /* syssize counts 16-byte paragraphs of the protected-mode kernel; a file
     * shorter than that was cut off (a copy that did not finish). */
    if ((uint64_t)get32(f + BZ_HDR_SYSSIZE) * 16 > info->payload_size)
        return "protected-mode kernel is shorter than syssize says: file truncated";
    return NULL;
}

/* Checks what the kernel says about loading it; fills the rest of info. */
static const char *check_load_fields(const uint8_t *f, struct bzimage_info *info)
{
    info->loadflags = f[BZ_HDR_LOADFLAGS];
    info->xloadflags = get16(f + BZ_HDR_XLOADFLAGS);
    if (!(info->loadflags & BZ_LOADED_HIGH))
        return "kernel is not a bzImage (LOADED_HIGH clear: it wants to load below 1 MiB)";
    if (!(info->xloadflags & BZ_XLF_KERNEL_64))
        return "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)";

    /* Where the kernel may go: alignment matters only for a relocatable
     * kernel; a fixed one goes to pref_address (code32_start, or the
     * traditional 1 MiB, when that is 0). */
    uint8_t min_log2 = f[BZ_HDR_MIN_ALIGNMENT];
    info->relocatable = f[BZ_HDR_RELOCATABLE_KERNEL] != 0;
    info->alignment = get32(f + BZ_HDR_KERNEL_ALIGNMENT);
    info->min_alignment = min_log2 < 32 ? 1ull << min_log2 : 0;
    if (info->relocatable) {
        if (!is_power_of_two(info->alignment))
            return "kernel_alignment is not a power of two";
        if (info->min_alignment == 0 || info->min_alignment > info->alignment)
            return "min_alignment is larger than kernel_alignment";
    }
    info->code32_start = get32(f + BZ_HDR_CODE32_START);
    info->pref_address = get64(f + BZ_HDR_PREF_ADDRESS);
    if (info->pref_address == 0)
        info->pref_address = info->code32_start != 0 ? info->code32_start : BZ_DEFAULT_LOAD_ADDRESS;

    info->init_size = get32(f + BZ_HDR_INIT_SIZE);
    info->load_size = info->init_size > info->payload_size ? info->init_size : info->payload_size;
    if (info->load_size > UINT64_MAX - info->pref_address)
        return "pref_address + init_size overflows";

    info->cmdline_max = get32(f + BZ_HDR_CMDLINE_SIZE);
    info->initrd_max = get32(f + BZ_HDR_INITRD_ADDR_MAX);
    if (info->initrd_max == 0)
        info->initrd_max = BZ_DEFAULT_INITRD_MAX;
    info->initrd_above_4g = (info->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
    info->handover_offset = get32(f + BZ_HDR_HANDOVER_OFFSET);
    info->kernel_info_offset = 0;
    if (info->version >= BZ_KERNEL_INFO_VERSION && info->header_end >= BZ_HDR_KERNEL_INFO_OFFSET + 4)
        info->kernel_info_offset = get32(f + BZ_HDR_KERNEL_INFO_OFFSET);
    info->entry64_offset = BZ_ENTRY64_OFFSET;
    return NULL;
}

int bzimage_parse(const void *file, size_t size, struct bzimage_info *out, const char **why)
{
    struct bzimage_info info;
    const char *reason;

    if (file == NULL)
        return reject(why, "no kernel image");
    /* Built in a local so *out is untouched when the image is refused. */
    __builtin_memset(&info, 0, sizeof(info));
    reason = check_header(file, size, &info);
    if (reason == NULL)
        reason = check_load_fields(file, &info);
    if (reason != NULL)
        return reject(why, reason);
    if (out != NULL)
        *out = info;
    return 0;
}

/* ---- boot_params ------------------------------------------------------- */

void bzimage_boot_params_init(uint8_t zero_page[BZ_ZERO_PAGE_SIZE], const void *file,
                              const struct bzimage_info *info)
{
    const uint8_t *f = file;
    uint8_t *zp = zero_page;
    uint32_t end = info->header_end;

    __builtin_memset(zp, 0, BZ_ZERO_PAGE_SIZE);
    /* bzimage_parse guaranteed BZ_HDR_END_MIN <= end <= BZ_HDR_END_MAX and
     * that the file reaches it; clamp anyway so a wrong info cannot write
     * outside the header area. */
    if (end > BZ_HDR_END_MAX)
        end = BZ_HDR_END_MAX;
    if (end > BZ_HDR_START)
        __builtin_memcpy(zp + BZ_HDR_START, f + BZ_HDR_START, end - BZ_HDR_START);

    /* Fields the loader writes: whatever the image carried is not ours to pass on. */
    put8(zp + BZ_HDR_TYPE_OF_LOADER, BZ_LOADER_UNDEFINED);
    put8(zp + BZ_HDR_LOADFLAGS,
         zp[BZ_HDR_LOADFLAGS] & (uint8_t)~(BZ_QUIET_FLAG | BZ_KEEP_SEGMENTS | BZ_CAN_USE_HEAP));
    put32(zp + BZ_HDR_RAMDISK_IMAGE, 0);
    put32(zp + BZ_HDR_RAMDISK_SIZE, 0);
    put32(zp + BZ_HDR_BOOTSECT_KLUDGE, 0);
    put16(zp + BZ_HDR_HEAP_END_PTR, 0);
    put8(zp + BZ_HDR_EXT_LOADER_VER, 0);
    put8(zp + BZ_HDR_EXT_LOADER_TYPE, 0);
    put32(zp + BZ_HDR_CMD_LINE_PTR, 0);
    put32(zp + BZ_HDR_HARDWARE_SUBARCH, 0);          /* a normal PC */
    put64(zp + BZ_HDR_HARDWARE_SUBARCH_DATA, 0);
    put64(zp + BZ_HDR_SETUP_DATA, 0);                /* no setup_data list */
}

bool bzimage_set_cmdline(uint8_t *zp, uint64_t cmdline_phys, uint32_t len)
{
    uint32_t max = get32(zp + BZ_HDR_CMDLINE_SIZE);
    bool above_4g_ok = get16(zp + BZ_HDR_XLOADFLAGS) & BZ_XLF_CAN_BE_LOADED_ABOVE_4G;

    if (len > max)
        return false;
    /* The string and its NUL: [cmdline_phys, cmdline_phys + len]. */
    if (cmdline_phys > UINT64_MAX - len)
        return false;
    if (cmdline_phys + len > UINT32_MAX && !above_4g_ok)
        return false;
    put32(zp + BZ_HDR_CMD_LINE_PTR, (uint32_t)cmdline_phys);
    put32(zp + BZ_BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_phys >> 32));
    return true;
}

bool bzimage_set_initrd(uint8_t *zp, uint64_t addr, uint64_t size)
{
    bool above_4g_ok = get16(zp + BZ_HDR_XLOADFLAGS) & BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
    uint64_t max = get32(zp + BZ_HDR_INITRD_ADDR_MAX);

    if (max == 0)
        max = BZ_DEFAULT_INITRD_MAX;
    if (size == 0 || size - 1 > UINT64_MAX - addr)
        return false;
    if (!above_4g_ok && addr + (size - 1) > max)
        return false;
    put32(zp + BZ_HDR_RAMDISK_IMAGE, (uint32_t)addr);
    put32(zp + BZ_BP_EXT_RAMDISK_IMAGE, (uint32_t)(addr >> 32));
    put32(zp + BZ_HDR_RAMDISK_SIZE, (uint32_t)size);
    put32(zp + BZ_BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
    return true;
}

bool bzimage_set_rsdp(uint8_t *zp, uint64_t rsdp_phys)
{
    if (get16(zp + BZ_HDR_VERSION) < BZ_RSDP_VERSION)
        return false;
    put64(zp + BZ_BP_ACPI_RSDP_ADDR, rsdp_phys);
    return true;
}

void bzimage_set_loader(uint8_t *zp, unsigned id, unsigned version)
{
    if (id == BZ_LOADER_UNDEFINED) {
        put8(zp + BZ_HDR_TYPE_OF_LOADER, BZ_LOADER_UNDEFINED);
        put8(zp + BZ_HDR_EXT_LOADER_TYPE, 0);
        put8(zp + BZ_HDR_EXT_LOADER_VER, 0);
        return;
    }
    /* 0xTV: T = ID (0xE means "see ext_loader_type"), V = low version bits. */
    if (id < 0x10) {
        put8(zp + BZ_HDR_TYPE_OF_LOADER, (uint8_t)(id << 4 | (version & 0xF)));
        put8(zp + BZ_HDR_EXT_LOADER_TYPE, 0);
    } else {
        put8(zp + BZ_HDR_TYPE_OF_LOADER, (uint8_t)(0xE0 | (version & 0xF)));
        put8(zp + BZ_HDR_EXT_LOADER_TYPE, (uint8_t)(id - 0x10));
    }
    put8(zp + BZ_HDR_EXT_LOADER_VER, (uint8_t)(version >> 4));
}

void bzimage_set_heap(uint8_t *zp, uint16_t heap_end_ptr)
{
    put16(zp + BZ_HDR_HEAP_END_PTR, heap_end_ptr);
    put8(zp + BZ_HDR_LOADFLAGS, zp[BZ_HDR_LOADFLAGS] | BZ_CAN_USE_HEAP);
}

bool bzimage_set_e820(uint8_t *zp, const struct e820_entry *e, unsigned n)
{
    if (n > E820_MAX_ZEROPAGE || (n > 0 && e == NULL))
        return false;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *slot = zp + BZ_BP_E820_TABLE + (size_t)i * sizeof(struct e820_entry);

        put64(slot, e[i].addr);
        put64(slot + 8, e[i].size);
        put32(slot + 16, e[i].type);
    }
    put8(zp + BZ_BP_E820_ENTRIES, (uint8_t)n);
    return true;
}

bool bzimage_set_framebuffer(uint8_t *zp, const struct bootinfo_framebuffer *fb)
{
    uint8_t *si = zp + BZ_BP_SCREEN_INFO;
    uint8_t red_pos, blue_pos;

    if (fb == NULL || fb->base == 0)
        return false;
    switch (fb->format) {
    case BOOTINFO_FB_RGBX:                 /* byte 0 red */
        red_pos = 0;
        blue_pos = 16;
        break;
    case BOOTINFO_FB_BGRX:                 /* byte 0 blue */
        red_pos = 16;
        blue_pos = 0;
        break;
    default:
        return false;
    }

    uint64_t pitch = (uint64_t)fb->pixels_per_line * 4;
    if (fb->width == 0 || fb->height == 0 || fb->width > 0xFFFF || fb->height > 0xFFFF ||
        pitch > 0xFFFF || fb->width > fb->pixels_per_line)
        return false;
    if (fb->size > UINT32_MAX || fb->size < pitch * fb->height)
        return false;

    __builtin_memset(si, 0, 0x40);
    put8(si + BZ_SI_ORIG_VIDEO_ISVGA, BZ_VIDEO_TYPE_EFI);
    put16(si + BZ_SI_LFB_WIDTH, (uint16_t)fb->width);
    put16(si + BZ_SI_LFB_HEIGHT, (uint16_t)fb->height);
    put16(si + BZ_SI_LFB_DEPTH, 32);
    put32(si + BZ_SI_LFB_BASE, (uint32_t)fb->base);
    put32(si + BZ_SI_LFB_SIZE, (uint32_t)fb->size);
    put16(si + BZ_SI_LFB_LINELENGTH, (uint16_t)pitch);
    put8(si + BZ_SI_RED_SIZE, 8);
    put8(si + BZ_SI_RED_POS, red_pos);
    put8(si + BZ_SI_GREEN_SIZE, 8);
    put8(si + BZ_SI_GREEN_POS, 8);
    put8(si + BZ_SI_BLUE_SIZE, 8);
    put8(si + BZ_SI_BLUE_POS, blue_pos);
    put8(si + BZ_SI_RSVD_SIZE, 8);
    put8(si + BZ_SI_RSVD_POS, 24);
    put16(si + BZ_SI_PAGES, 1);

    uint32_t caps = BZ_VIDEO_CAPABILITY_SKIP_QUIRKS;
    if (fb->base >> 32) {
        caps |= BZ_VIDEO_CAPABILITY_64BIT_BASE;
        put32(si + BZ_SI_EXT_LFB_BASE, (uint32_t)(fb->base >> 32));
    }
    put32(si + BZ_SI_CAPABILITIES, caps);
    return true;
}
