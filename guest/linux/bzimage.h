/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst): checking a
 * bzImage's setup header and building the boot_params ("zero page") a
 * 64-bit entry expects.  Pure code: the file is untrusted until
 * bzimage_parse returns 0, every offset is checked against its size, and a
 * refusal comes with a one-line reason.
 *
 * How a bzImage is booted through the 64-bit entry:
 *   1. bzimage_parse(file) → info.
 *   2. Copy file[info.payload_offset, + info.payload_size) to a load address
 *      L: pref_address for a kernel that is not relocatable, otherwise any
 *      address aligned to info.alignment; reserve max(init_size,
 *      payload_size) bytes there (the kernel decompresses in place).
 *   3. bzimage_boot_params_init(zp, file, &info), then the setters below.
 *   4. Enter at L + info.entry64_offset in 64-bit mode with RSI = the zero
 *      page's guest-physical address, paging on, the kernel, zero page and
 *      command line identity-mapped, interrupts off, and a GDT with flat
 *      __BOOT_CS (0x10) / __BOOT_DS (0x18) descriptors.
 */
#ifndef KESTREL_GUEST_LINUX_BZIMAGE_H
#define KESTREL_GUEST_LINUX_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "guest/linux/e820.h"

#define BZ_ZERO_PAGE_SIZE      4096u
#define BZ_SECTOR_SIZE         512u

/* ---- struct setup_header: offsets in the file and in boot_params -------- */
#define BZ_HDR_SETUP_SECTS         0x1F1   /* u8: 512-byte setup sectors; 0 means 4 */
#define BZ_HDR_ROOT_FLAGS          0x1F2   /* u16 */
#define BZ_HDR_SYSSIZE             0x1F4   /* u32: protected-mode code, 16-byte units */
#define BZ_HDR_RAM_SIZE            0x1F8   /* u16, obsolete */
#define BZ_HDR_VID_MODE            0x1FA   /* u16 */
#define BZ_HDR_ROOT_DEV            0x1FC   /* u16 */
#define BZ_HDR_BOOT_FLAG           0x1FE   /* u16: 0xAA55 */
#define BZ_HDR_JUMP                0x200   /* u16: 0xEB, then the offset of the header end */
#define BZ_HDR_HEADER              0x202   /* u32: "HdrS" */
#define BZ_HDR_VERSION             0x206   /* u16: protocol, major << 8 | minor */
#define BZ_HDR_REALMODE_SWTCH      0x208   /* u32 */
#define BZ_HDR_START_SYS_SEG       0x20C   /* u16, obsolete */
#define BZ_HDR_KERNEL_VERSION      0x20E   /* u16: pointer to the version string - 0x200 */
#define BZ_HDR_TYPE_OF_LOADER      0x210   /* u8, written by the loader */
#define BZ_HDR_LOADFLAGS           0x211   /* u8 */
#define BZ_HDR_SETUP_MOVE_SIZE     0x212   /* u16 */
#define BZ_HDR_CODE32_START        0x214   /* u32: default protected-mode load address */
#define BZ_HDR_RAMDISK_IMAGE       0x218   /* u32: initrd address, low 32 bits */
#define BZ_HDR_RAMDISK_SIZE        0x21C   /* u32: initrd size, low 32 bits */
#define BZ_HDR_BOOTSECT_KLUDGE     0x220   /* u32, obsolete */
#define BZ_HDR_HEAP_END_PTR        0x224   /* u16: setup heap end - 0x200 */
#define BZ_HDR_EXT_LOADER_VER      0x226   /* u8 */
#define BZ_HDR_EXT_LOADER_TYPE     0x227   /* u8 */
#define BZ_HDR_CMD_LINE_PTR        0x228   /* u32: command line address, low 32 bits */
#define BZ_HDR_INITRD_ADDR_MAX     0x22C   /* u32: highest address the initrd may occupy */
#define BZ_HDR_KERNEL_ALIGNMENT    0x230   /* u32: 2.05+ */
#define BZ_HDR_RELOCATABLE_KERNEL  0x234   /* u8: 2.05+ */
#define BZ_HDR_MIN_ALIGNMENT       0x235   /* u8: 2.10+, log2 */
#define BZ_HDR_XLOADFLAGS          0x236   /* u16: 2.12+ */
#define BZ_HDR_CMDLINE_SIZE        0x238   /* u32: 2.06+, without the NUL */
#define BZ_HDR_HARDWARE_SUBARCH    0x23C   /* u32: 2.07+, 0 = PC */
#define BZ_HDR_HARDWARE_SUBARCH_DATA 0x240 /* u64: 2.07+ */
#define BZ_HDR_PAYLOAD_OFFSET      0x248   /* u32: 2.08+, from the protected-mode start */
#define BZ_HDR_PAYLOAD_LENGTH      0x24C   /* u32: 2.08+ */
#define BZ_HDR_SETUP_DATA          0x250   /* u64: 2.09+, linked list of setup_data */
#define BZ_HDR_PREF_ADDRESS        0x258   /* u64: 2.10+ */
#define BZ_HDR_INIT_SIZE           0x260   /* u32: 2.10+ */
#define BZ_HDR_HANDOVER_OFFSET     0x264   /* u32: 2.11+, EFI handover */
#define BZ_HDR_KERNEL_INFO_OFFSET  0x268   /* u32: 2.15+ */

#define BZ_BOOT_FLAG               0xAA55u
#define BZ_HDRS_MAGIC              0x53726448u   /* "HdrS" little-endian */
#define BZ_MIN_VERSION             0x020Cu       /* 2.12: first with xloadflags */
#define BZ_RSDP_VERSION            0x020Eu       /* 2.14: acpi_rsdp_addr */
#define BZ_KERNEL_INFO_VERSION     0x020Fu       /* 2.15: kernel_info_offset */
#define BZ_ENTRY64_OFFSET          0x200u        /* startup_64, from the load address */
#define BZ_DEFAULT_LOAD_ADDRESS    0x100000u     /* code32_start's traditional value */
#define BZ_DEFAULT_INITRD_MAX      0x37FFFFFFu   /* protocols before 2.03 */
#define BZ_DEFAULT_CMDLINE_MAX     255u          /* protocols before 2.06 */

/* loadflags (BZ_HDR_LOADFLAGS) */
#define BZ_LOADED_HIGH             0x01u   /* kernel: protected-mode code at 0x100000 */
#define BZ_KASLR_FLAG              0x02u   /* kernel-internal */
#define BZ_QUIET_FLAG              0x20u   /* loader: suppress early messages */
#define BZ_KEEP_SEGMENTS           0x40u   /* obsolete */
#define BZ_CAN_USE_HEAP            0x80u   /* loader: heap_end_ptr is valid */

/* xloadflags (BZ_HDR_XLOADFLAGS) */
#define BZ_XLF_KERNEL_64                 0x0001u  /* 64-bit entry at load address + 0x200 */
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G    0x0002u  /* kernel, boot_params, cmdline, initrd */
#define BZ_XLF_EFI_HANDOVER_32           0x0004u
#define BZ_XLF_EFI_HANDOVER_64           0x0008u
#define BZ_XLF_EFI_KEXEC                 0x0010u
#define BZ_XLF_5LEVEL                    0x0020u
#define BZ_XLF_5LEVEL_ENABLED            0x0040u

/* The setup header lives in boot_params at the same offsets as in the file
 * and must end before edd_mbr_sig_buffer. */
#define BZ_HDR_START               BZ_HDR_SETUP_SECTS
#define BZ_HDR_END_MAX             0x290u
/* Fields a protocol-2.12 header must reach: everything through handover_offset. */
#define BZ_HDR_END_MIN             0x268u

/* ---- boot_params (the zero page) outside the setup header -------------- */
#define BZ_BP_SCREEN_INFO          0x000   /* struct screen_info, 0x40 bytes */
#define BZ_BP_ACPI_RSDP_ADDR       0x070   /* u64: 2.14+ */
#define BZ_BP_EXT_RAMDISK_IMAGE    0x0C0   /* u32: initrd address, high 32 bits */
#define BZ_BP_EXT_RAMDISK_SIZE     0x0C4   /* u32: initrd size, high 32 bits */
#define BZ_BP_EXT_CMD_LINE_PTR     0x0C8   /* u32: command line address, high 32 bits */
#define BZ_BP_E820_ENTRIES         0x1E8   /* u8 */
#define BZ_BP_E820_TABLE           0x2D0   /* struct e820_entry[128] */

/* ---- struct screen_info (at BZ_BP_SCREEN_INFO) ------------------------- */
#define BZ_SI_ORIG_VIDEO_ISVGA     0x0F    /* u8: video type */
#define BZ_SI_LFB_WIDTH            0x12    /* u16 */
#define BZ_SI_LFB_HEIGHT           0x14    /* u16 */
#define BZ_SI_LFB_DEPTH            0x16    /* u16: bits per pixel */
#define BZ_SI_LFB_BASE             0x18    /* u32: low 32 bits */
#define BZ_SI_LFB_SIZE             0x1C    /* u32: bytes for EFI (64 KiB units for VESA) */
#define BZ_SI_LFB_LINELENGTH       0x24    /* u16: bytes per scan line */
#define BZ_SI_RED_SIZE             0x26    /* u8 each: size and position of each channel */
#define BZ_SI_RED_POS              0x27
#define BZ_SI_GREEN_SIZE           0x28
#define BZ_SI_GREEN_POS            0x29
#define BZ_SI_BLUE_SIZE            0x2A
#define BZ_SI_BLUE_POS             0x2B
#define BZ_SI_RSVD_SIZE            0x2C
#define BZ_SI_RSVD_POS             0x2D
#define BZ_SI_PAGES                0x32    /* u16 */
#define BZ_SI_CAPABILITIES         0x36    /* u32 */
#define BZ_SI_EXT_LFB_BASE         0x3A    /* u32: high 32 bits */

#define BZ_VIDEO_TYPE_EFI                0x70u
#define BZ_VIDEO_CAPABILITY_SKIP_QUIRKS  0x1u
#define BZ_VIDEO_CAPABILITY_64BIT_BASE   0x2u

/* type_of_loader: 0xFF when the loader has no assigned ID (Kestrel has none). */
#define BZ_LOADER_UNDEFINED        0xFFu

struct bzimage_info {
    uint16_t version;            /* boot protocol, e.g. 0x020F for 2.15 */
    uint8_t  loadflags;
    uint8_t  setup_sects;        /* as used: 0 in the header counts as 4 */
    uint16_t xloadflags;
    uint16_t reserved0;
    uint32_t setup_size;         /* (setup_sects + 1) * 512: boot sector + setup */
    uint32_t header_end;         /* file offset one past the setup header (0x202 + jump byte) */
    uint64_t payload_offset;     /* file offset of the protected-mode kernel (= setup_size) */
    uint64_t payload_size;       /* its bytes: the rest of the file */
    uint64_t entry64_offset;     /* 64-bit entry, from the load address (0x200) */
    uint64_t alignment;          /* kernel_alignment: load alignment (checked: a power of 2
                                    when relocatable; as in the header otherwise) */
    uint64_t min_alignment;      /* 1 << min_alignment: the least it tolerates (checked
                                    <= alignment when relocatable) */
    uint64_t pref_address;       /* preferred (for a fixed kernel: the only) load address */
    uint64_t load_size;          /* bytes to reserve at the load address: max(init_size, payload) */
    uint32_t init_size;          /* memory the kernel needs from its load address */
    uint32_t cmdline_max;        /* longest command line, without the NUL */
    uint32_t initrd_max;         /* highest address the initrd may occupy (inclusive) */
    uint32_t code32_start;
    uint32_t handover_offset;    /* EFI handover entry (not used by Kestrel) */
    uint32_t kernel_info_offset; /* 2.15+, else 0 */
    bool     relocatable;        /* may be loaded at any aligned address */
    bool     initrd_above_4g;    /* XLF_CAN_BE_LOADED_ABOVE_4G: no initrd limit */
};

/*
 * Checks a bzImage: boot flag 0xAA55, "HdrS", protocol >= 2.12, a setup
 * header that reaches handover_offset and fits boot_params, the setup and a
 * non-empty protected-mode kernel inside the file (and not shorter than
 * syssize says; signed kernels carry extra bytes after it, which is fine),
 * LOADED_HIGH, XLF_KERNEL_64, and for a relocatable kernel a power-of-two
 * kernel_alignment no smaller than 1 << min_alignment.  Returns 0 and
 * fills *out, or -1 with *why set to a short reason ("Linux boot protocol
 * 2.11 is too old (need 2.12 or later)"); *out is untouched on refusal.
 * out and why may be NULL.
 */
int bzimage_parse(const void *file, size_t size, struct bzimage_info *out, const char **why);

/*
 * Zeroes the page and copies the setup header from the file (offsets 0x1F1
 * up to info->header_end) as the protocol asks, then clears the fields the
 * loader owns (type_of_loader, the loader bits of loadflags, ramdisk and
 * command line pointers, heap_end_ptr, setup_data, hardware_subarch...), so
 * stray values in the image cannot reach the kernel, and sets
 * type_of_loader to BZ_LOADER_UNDEFINED.  file and info must be what
 * bzimage_parse accepted.
 */
void bzimage_boot_params_init(uint8_t zero_page[BZ_ZERO_PAGE_SIZE], const void *file,
                              const struct bzimage_info *info);

/* Command line at cmdline_phys, len bytes plus its NUL.  False (nothing
 * written) if len exceeds the kernel's cmdline_size, or the string reaches
 * past 4 GiB and the kernel lacks XLF_CAN_BE_LOADED_ABOVE_4G. */
bool bzimage_set_cmdline(uint8_t *zp, uint64_t cmdline_phys, uint32_t len);

/* Initrd at [addr, addr + size), ext_ramdisk_* holding the high halves.
 * False (nothing written) if size is 0, the range wraps, or it ends above
 * initrd_addr_max while the kernel lacks XLF_CAN_BE_LOADED_ABOVE_4G. */
bool bzimage_set_initrd(uint8_t *zp, uint64_t addr, uint64_t size);

/* acpi_rsdp_addr (protocol 2.14+).  False for older kernels: the caller then
 * appends "acpi_rsdp=0x..." to the command line instead. */
bool bzimage_set_rsdp(uint8_t *zp, uint64_t rsdp_phys);

/* type_of_loader: id BZ_LOADER_UNDEFINED (0xFF) for a loader without an
 * assigned ID; otherwise 0xTV, or T = 0xE with ext_loader_type = id - 0x10
 * for IDs from 0x10, and the version's upper bits in ext_loader_ver. */
void bzimage_set_loader(uint8_t *zp, unsigned id, unsigned version);

/* CAN_USE_HEAP with heap_end_ptr (offset of the setup heap's end from the
 * real-mode code, minus 0x200).  Only the 16-bit setup code uses the heap;
 * a 64-bit entry ignores it. */
void bzimage_set_heap(uint8_t *zp, uint16_t heap_end_ptr);

/* e820_entries and e820_table.  False (nothing written) if n > 128: the
 * rest would need a SETUP_E820_EXT setup_data entry. */
bool bzimage_set_e820(uint8_t *zp, const struct e820_entry *e, unsigned n);

/* screen_info for a GOP framebuffer (32 bits per pixel, RGBX or BGRX), as
 * the EFI stub fills it: VIDEO_TYPE_EFI, one page, SKIP_QUIRKS, and
 * ext_lfb_base with the 64BIT_BASE capability above 4 GiB.  fb->size should
 * be GOP's FrameBufferSize: Linux refuses a framebuffer whose page-rounded
 * height * pitch exceeds lfb_size.  False (nothing written) for an unknown
 * format, a zero base, sizes that do not fit their 16/32-bit fields, or
 * size smaller than height * pitch. */
bool bzimage_set_framebuffer(uint8_t *zp, const struct bootinfo_framebuffer *fb);

#endif
