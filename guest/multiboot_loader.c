/*
 * Multiboot kernels as the guest (Multiboot 0.6.96 and 2.0 specifications):
 * the image is checked (guest/multiboot/multiboot_parse.c), its segments copied
 * to their load addresses, modules and the information structure placed in
 * guest RAM, and the kernel entered in 32-bit protected mode with paging
 * off.  Multiboot 2 kernels get Kestrel's RSDP in the ACPI tags; EFI
 * boot-services and EFI entry tags are not honoured (Kestrel has exited boot
 * services long before): optional ones are ignored, a mandatory tag 7 was
 * already refused by the parser, naming it.
 */
#include "guest/multiboot_loader.h"
#include "guest/multiboot/multiboot.h"
#include "guest/linux/e820.h"
#include "guest/guest_alloc.h"
#include "guest/guest_acpi.h"
#include "kernel/log.h"

#define PAGE          4096ull
#define INFO_BYTES    (4 * PAGE)
#define E820_MAX      128
#define ACPI_RSDP_V2_SIZE 36

static bool load_segments(const struct multiboot_image *img, const uint8_t *file,
                          struct frame_pool *guest, const char **why)
{
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct mb_segment *s = &img->segments[i];
        if (!guest_place_fixed(guest, s->phys, s->mem_size)) {
            *why = "the kernel's load address is not free guest RAM";
            return false;
        }
        __builtin_memcpy((void *)s->phys, file + s->file_offset, s->file_size);
    }
    return true;
}

static bool load_modules(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                         struct frame_pool *guest, struct mb_module *mods,
                         struct load_failure *fail)
{
    for (unsigned i = 0; i < cfg->module_count; i++) {
        const struct bootinfo_file *f = guest_find_file(bi, BOOTINFO_FILE_MODULE, i);
        uint64_t at = f ? guest_take(guest, f->size ? f->size : 1, PAGE, GUEST_FOUR_GIB) : 0;
        if (!at) {
            fail->about = LOAD_ABOUT_MODULE;
            fail->module = i;
            fail->why = "not enough guest memory below 4 GiB for the module";
            return false;
        }
        __builtin_memcpy((void *)at, (const void *)f->addr, f->size);
        mods[i].start = at;
        mods[i].end = at + f->size;
        mods[i].cmdline = cfg->modules[i].args;
    }
    return true;
}

bool multiboot_load(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                    struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                    struct load_failure *fail)
{
    const char **why = &fail->why;
    const struct bootinfo_file *kf = guest_find_file(bi, BOOTINFO_FILE_KERNEL, 0);
    static struct multiboot_image img;
    static struct e820_entry e820[E820_MAX];
    static struct mb_module mods[CFG_MODULES_MAX];
    uint64_t rsdp, acpi_size;

    fail->about = LOAD_ABOUT_KERNEL;
    if (!kf) {
        *why = "no kernel file";
        return false;
    }
    if (multiboot_find((const void *)kf->addr, kf->size, &img, why) != 0 ||
        !load_segments(&img, (const uint8_t *)kf->addr, guest, why)) {
        return false;
    }
    fail->about = LOAD_ABOUT_NONE;
    if (!load_modules(bi, cfg, guest, mods, fail) ||
        !guest_acpi_build(vm, guest, &rsdp, &acpi_size, why)) {
        return false;
    }
    if (img.mb2_unprovided) {
        log_warn("multiboot: the kernel asks for information Kestrel does not provide (tag mask %#llx)",
                 (unsigned long long)img.mb2_unprovided);
    }
    unsigned n = e820_from_memmap(vm->map, vm->map_count, e820, E820_MAX);
    if (!n || !e820_add_reserved(e820, &n, E820_MAX, rsdp, acpi_size, E820_NVS)) {
        *why = "the guest's memory map has too many entries";
        return false;
    }
    uint64_t info = guest_take(guest, INFO_BYTES, PAGE, GUEST_FOUR_GIB);
    struct mb_info_input in = {
        .mem = e820,
        .mem_count = n,
        .cmdline = cfg->cmdline,
        .loader_name = "Kestrel",
        .modules = mods,
        .module_count = cfg->module_count,
        .fb = bi->fb.format != BOOTINFO_FB_NONE ? &bi->fb : 0,
        .rsdp = (const uint8_t *)rsdp,
        .rsdp_size = ACPI_RSDP_V2_SIZE,
    };
    size_t used = !info ? 0
                  : img.version == 1 ? mb1_build_info((void *)info, INFO_BYTES, info, &in)
                                     : mb2_build_info((void *)info, INFO_BYTES, info, &in);
    if (!used) {
        *why = "the multiboot information does not fit";
        return false;
    }
    entry->mode32 = true;
    entry->rip = img.entry;
    entry->rax = img.version == 1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC;
    entry->rbx = info;
    log_info("multiboot%u: kernel at %#llx-%#llx, entry %#x, %u module(s)", img.version,
             (unsigned long long)img.phys_start, (unsigned long long)img.phys_end, img.entry,
             cfg->module_count);
    return true;
}
