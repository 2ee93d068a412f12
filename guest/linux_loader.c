/*
 * Linux as the guest (Documentation/arch/x86/boot.rst, "64-bit boot
 * protocol"): the protected-mode kernel copied to an aligned address in
 * guest RAM, boot_params (the "zero page") with the e820 map, command line,
 * initrd and ACPI RSDP, and entry at startup_64 with identity-mapped page
 * tables, a GDT holding __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts
 * off and RSI = boot_params.  The guest brings up its own APs (they wait for
 * its SIPI) after finding them in the MADT Kestrel gives it.
 */
#include "guest/linux_loader.h"
#include "guest/linux/bzimage.h"
#include "guest/linux/e820.h"
#include "lib/pagetable.h"
#include "lib/kstring.h"
#include "lib/fmt.h"
#include "guest/guest_acpi.h"
#include "guest/load_failure.h"
#include "guest/guest_alloc.h"
#include "kernel/x86.h"
#include "kernel/log.h"

#define PAGE          4096ull
#define FOUR_GIB      (1ull << 32)
#define E820_MAX      128

/* Linux's boot GDT expectations: 0x10 flat 64-bit code, 0x18 flat data. */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

/* The guest's e820 map: its memory as the hand-over left it (Kestrel's part
 * reserved), the ACPI blob as NVS (it holds the FACS, which must persist). */
static bool build_e820(const struct vm *vm, uint8_t *zp, uint64_t acpi, uint64_t acpi_size,
                       const char **why)
{
    static struct e820_entry e820[E820_MAX];
    unsigned n = e820_from_memmap(vm->map, vm->map_count, e820, E820_MAX);
    if (!n || !e820_add_reserved(e820, &n, E820_MAX, acpi, acpi_size, E820_NVS) ||
        !bzimage_set_e820(zp, e820, n)) {
        *why = "the guest's memory map does not fit boot_params (more than 128 entries)";
        return false;
    }
    return true;
}

/* Page-table pages for the guest's boot tables: zeroed guest RAM below 4 GiB. */
static uint64_t table_page(void *ctx)
{
    return guest_take(ctx, PAGE, PAGE, FOUR_GIB);
}

/* 4 GiB identity map (the protocol: kernel, boot_params and command line
 * identity-mapped; Kestrel puts all of them below 4 GiB) and the boot GDT. */
static bool build_paging_and_gdt(struct frame_pool *guest, struct guest_entry *entry)
{
    uint64_t root = guest_take(guest, PAGE, PAGE, FOUR_GIB);
    uint64_t gdt = guest_take(guest, PAGE, PAGE, FOUR_GIB);
    if (!root || !gdt) {
        return false;
    }
    struct pt_ctx pt = { (uint64_t *)root, table_page, guest, PT_ALLOW_2M };
    if (pt_map(&pt, 0, 0, FOUR_GIB, PTE_WRITE) != PT_OK) {
        return false;
    }
    uint64_t *g = (uint64_t *)gdt;
    g[BOOT_CS / 8] = 0x00af9b000000ffffull;   /* 64-bit code, accessed */
    g[BOOT_DS / 8] = 0x00cf93000000ffffull;   /* flat data, accessed */
    entry->cr3 = root;
    entry->gdtr_base = gdt;
    entry->gdtr_limit = BOOT_DS + 7;
    entry->cs = BOOT_CS;
    entry->ds = BOOT_DS;
    return true;
}

/* Why the initrd found no room: its size against the limit and the largest
 * free guest block below it, so the user sees by how much it misses. */
static const char *initrd_no_room(const struct frame_pool *guest, uint64_t size, uint64_t limit)
{
    static char why[160];
    uint64_t largest = 0;

    for (unsigned i = 0; i < guest->count; i++) {
        uint64_t end = guest->r[i].end < limit ? guest->r[i].end : limit;
        if (guest->r[i].base < end && end - guest->r[i].base > largest) {
            largest = end - guest->r[i].base;
        }
    }
    /* The size rounded up (never understated), the free block down. */
    ksnprintf(why, sizeof(why),
              "the initrd (%llu MiB) does not fit in guest memory below its limit of %llu MiB "
              "(largest free block %llu MiB)",
              (unsigned long long)((size + (1ull << 20) - 1) >> 20), (unsigned long long)(limit >> 20),
              (unsigned long long)(largest >> 20));
    return why;
}

bool linux_load(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                struct load_failure *fail)
{
    const char **why = &fail->why;
    const struct bootinfo_file *kf = guest_find_file(bi, BOOTINFO_FILE_KERNEL, 0);
    const struct bootinfo_file *rf = guest_find_file(bi, BOOTINFO_FILE_INITRD, 0);
    const void *file = kf ? (const void *)kf->addr : 0;
    struct bzimage_info info;

    fail->about = LOAD_ABOUT_KERNEL;
    if (!kf) {
        *why = "no kernel file";
        return false;
    }
    if (bzimage_parse(file, kf->size, &info, why) != 0) {
        return false;
    }
    uint64_t load = info.relocatable ? guest_take(guest, info.load_size, info.alignment, FOUR_GIB)
                                     : guest_place_fixed(guest, info.pref_address, info.load_size);
    if (!load) {
        *why = info.relocatable ? "not enough guest memory below 4 GiB for the kernel"
                                : "the kernel is not relocatable and its preferred address is not free guest RAM";
        return false;
    }
    __builtin_memcpy((void *)load, (const uint8_t *)file + info.payload_offset, info.payload_size);
    fail->about = LOAD_ABOUT_NONE;

    uint64_t zp = guest_take(guest, PAGE, PAGE, FOUR_GIB);
    uint64_t cmdline = guest_take(guest, CFG_CMDLINE_MAX + 64, PAGE, FOUR_GIB);
    uint64_t rsdp = 0, acpi_size = 0;
    if (!zp || !cmdline) {
        *why = "not enough guest memory below 4 GiB";
        return false;
    }
    bzimage_boot_params_init((uint8_t *)zp, file, &info);
    if (!guest_acpi_build(vm, guest, &rsdp, &acpi_size, why)) {
        return false;
    }
    size_t len = kstrlcpy((char *)cmdline, cfg->cmdline, CFG_CMDLINE_MAX);
    if (!bzimage_set_rsdp((uint8_t *)zp, rsdp)) {
        /* Protocol < 2.14: no acpi_rsdp_addr field; tell it on the command line. */
        len += (size_t)ksnprintf((char *)cmdline + len, 64, " acpi_rsdp=%#llx", (unsigned long long)rsdp);
    }
    if (!bzimage_set_cmdline((uint8_t *)zp, cmdline, (uint32_t)len)) {
        fail->about = LOAD_ABOUT_CMDLINE;
        *why = "command line longer than the kernel accepts";
        return false;
    }
    if (rf) {
        uint64_t limit = info.initrd_above_4g ? FOUR_GIB : (uint64_t)info.initrd_max + 1;
        uint64_t initrd = guest_take(guest, rf->size, PAGE, limit < FOUR_GIB ? limit : FOUR_GIB);
        fail->about = LOAD_ABOUT_INITRD;
        if (!initrd) {
            *why = initrd_no_room(guest, rf->size, limit < FOUR_GIB ? limit : FOUR_GIB);
            return false;
        }
        __builtin_memcpy((void *)initrd, (const void *)rf->addr, rf->size);
        if (!bzimage_set_initrd((uint8_t *)zp, initrd, rf->size)) {
            *why = "the initrd lies above the kernel's limit";
            return false;
        }
        fail->about = LOAD_ABOUT_NONE;
    }
    if (bi->fb.format != BOOTINFO_FB_NONE) {
        bzimage_set_framebuffer((uint8_t *)zp, &bi->fb);
    }
    if (!build_paging_and_gdt(guest, entry)) {
        *why = "not enough guest memory for the boot page tables";
        return false;
    }
    /* The e820 map last: it must describe memory as it is after all the
     * allocations above (they stay RAM: Linux reserves its own kernel,
     * initrd and boot data itself). */
    if (!build_e820(vm, (uint8_t *)zp, rsdp, acpi_size, why)) {
        return false;
    }
    entry->rip = load + info.entry64_offset;
    entry->rsi = zp;
    entry->rsp = 0;
    log_info("linux: boot protocol %u.%02u, kernel at %#llx (%llu KiB), initrd %llu KiB, ACPI at %#llx",
             info.version >> 8, info.version & 0xff, (unsigned long long)load,
             (unsigned long long)(info.payload_size >> 10),
             (unsigned long long)(rf ? rf->size >> 10 : 0), (unsigned long long)rsdp);
    return true;
}
