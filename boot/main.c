/*
 * Kestrel UEFI loader: entry point.  Reads top to bottom as the boot flow:
 * volume → config → payload files → kernel → CPUs and firmware facts →
 * ExitBootServices → kernel.  Any failure prints one "kestrel: error:" line
 * and returns to the firmware; nothing is half-started.
 */
#include "loader.h"
#include "lib/kstring.h"
#include "lib/fmt.h"

#define KERNEL_PATH "\\kestrel.elf"
#define CONFIG_PATH "\\kestrel.cfg"

static struct kestrel_bootinfo *bootinfo_alloc(void)
{
    struct kestrel_bootinfo tmp;
    UINTN pages = EFI_SIZE_TO_PAGES(sizeof(tmp));
    EFI_PHYSICAL_ADDRESS addr = 0;

    if (uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, pages, &addr) != EFI_SUCCESS) {
        return NULL;
    }
    struct kestrel_bootinfo *bi = (void *)(UINTN)addr;
    __builtin_memset(bi, 0, pages * EFI_PAGE_SIZE);
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    kstrlcpy(bi->loader_version, LOADER_VERSION, sizeof(bi->loader_version));
    loader_record_range(bi, addr, pages * EFI_PAGE_SIZE, BOOTINFO_RANGE_BOOTINFO);
    return bi;
}

static bool add_file(struct kestrel_bootinfo *bi, const char *name, void *data, uint64_t size,
                     enum bootinfo_file_role role, uint32_t index)
{
    if (bi->file_count >= BOOTINFO_MAX_FILES) {
        return false;
    }
    struct bootinfo_file *f = &bi->files[bi->file_count++];
    kstrlcpy(f->name, name, sizeof(f->name));
    f->addr = (uint64_t)(UINTN)data;
    f->size = size;
    f->role = role;
    f->index = index;
    return true;
}

/* "300 MiB" or "12 KiB"; round_up for what is needed (never understated),
 * down for what is available (never overstated). */
static const char *size_text(char *buf, size_t cap, uint64_t bytes, bool round_up)
{
    uint64_t unit = bytes >= (1ull << 20) ? (1ull << 20) : (1ull << 10);
    uint64_t n = (bytes + (round_up ? unit - 1 : 0)) / unit;
    ksnprintf(buf, cap, "%llu %s", (unsigned long long)n, unit == (1ull << 20) ? "MiB" : "KiB");
    return buf;
}

/* A file the firmware has no room for (a large initrd on a small machine):
 * how big it is against what is free, so the user sees by how much. */
static EFI_STATUS fail_no_memory(struct kestrel_bootinfo *bi, const char *path, int line,
                                 uint64_t size)
{
    char need[24], largest_text[24], total_text[24];
    uint64_t largest, total;

    if (bi->reserved_count >= BOOTINFO_MAX_RESERVED) {
        /* The allocation failed for want of a slot to record it, not memory. */
        return loader_fail(EFI_OUT_OF_RESOURCES, "kestrel.cfg line %d: too many files", line);
    }
    size_text(need, sizeof(need), size, true);
    if (!loader_free_memory(&largest, &total)) {
        return loader_fail(EFI_OUT_OF_RESOURCES, "kestrel.cfg line %d: %s (%s) does not fit in free memory",
                           line, path, need);
    }
    return loader_fail(EFI_OUT_OF_RESOURCES,
                       "kestrel.cfg line %d: %s (%s) does not fit in free memory "
                       "(largest free block %s, %s free in all)",
                       line, path, need, size_text(largest_text, sizeof(largest_text), largest, false),
                       size_text(total_text, sizeof(total_text), total, false));
}

/* Reads a file named on a config line; a missing file names that line. */
static EFI_STATUS load_named_file(struct kestrel_bootinfo *bi, const char *path, int line,
                                  enum bootinfo_file_role role, uint32_t index)
{
    void *data;
    uint64_t size;
    EFI_STATUS st = files_read(bi, path, &data, &size);

    if (st == EFI_NOT_FOUND) {
        return loader_fail(st, "kestrel.cfg line %d: file %s not found on the boot volume", line, path);
    }
    if (st == EFI_OUT_OF_RESOURCES && !data && size) {
        return fail_no_memory(bi, path, line, size);
    }
    if (EFI_ERROR(st)) {
        return loader_fail(st, "kestrel.cfg line %d: cannot read %s (status %lu)", line, path,
                           (unsigned long)st);
    }
    if (!add_file(bi, path, data, size, role, index)) {
        return loader_fail(EFI_OUT_OF_RESOURCES, "kestrel.cfg line %d: too many files", line);
    }
    return EFI_SUCCESS;
}

static EFI_STATUS load_config_and_payload(struct kestrel_bootinfo *bi)
{
    static struct kestrel_config cfg;   /* large: keep it off the firmware stack */
    struct cfg_error err;
    void *text = NULL;
    uint64_t size = 0;
    EFI_STATUS st = files_read(bi, CONFIG_PATH, &text, &size);

    if (st == EFI_NOT_FOUND) {
        loader_print("kestrel: loader: no kestrel.cfg, using defaults\n");
        return EFI_SUCCESS;
    }
    if (EFI_ERROR(st)) {
        return loader_fail(st, "cannot read kestrel.cfg (status %lu)", (unsigned long)st);
    }
    if (!config_parse(text, size, &cfg, &err)) {
        if (err.line > 0) {
            return loader_fail(EFI_INVALID_PARAMETER, "kestrel.cfg line %d: %s", err.line, err.msg);
        }
        return loader_fail(EFI_INVALID_PARAMETER, "kestrel.cfg: %s", err.msg);
    }
    add_file(bi, "kestrel.cfg", text, size, BOOTINFO_FILE_CONFIG, 0);
    loader_print("kestrel: loader: payload %s\n", config_payload_name(cfg.payload));

    if (cfg.kernel[0]) {
        st = load_named_file(bi, cfg.kernel, cfg.kernel_line, BOOTINFO_FILE_KERNEL, 0);
        if (EFI_ERROR(st)) {
            return st;
        }
    }
    if (cfg.initrd[0]) {
        st = load_named_file(bi, cfg.initrd, cfg.initrd_line, BOOTINFO_FILE_INITRD, 0);
        if (EFI_ERROR(st)) {
            return st;
        }
    }
    for (unsigned i = 0; i < cfg.module_count; i++) {
        st = load_named_file(bi, cfg.modules[i].path, cfg.modules[i].line, BOOTINFO_FILE_MODULE, i);
        if (EFI_ERROR(st)) {
            return st;
        }
    }
    return EFI_SUCCESS;
}

/* GNU-EFI's crt0 calls this with the System V ABI: no EFIAPI here. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    struct kestrel_bootinfo *bi;
    void *kernel_file;
    uint64_t kernel_file_size, pml4, entry;
    EFI_STATUS st;

    InitializeLib(image, systab);
    /* Firmware arms a 5-minute watchdog for boot options; Kestrel never
     * returns to the firmware on success, so disarm it. */
    uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
    loader_print("kestrel: loader %s\n", LOADER_VERSION);

    bi = bootinfo_alloc();
    if (!bi) {
        return loader_fail(EFI_OUT_OF_RESOURCES, "no memory for the boot-info");
    }
    st = files_open_boot_volume(image);
    if (EFI_ERROR(st)) {
        return loader_fail(st, "cannot open the boot volume (status %lu)", (unsigned long)st);
    }
    st = load_config_and_payload(bi);
    if (EFI_ERROR(st)) {
        return st;
    }
    st = files_read(bi, KERNEL_PATH, &kernel_file, &kernel_file_size);
    if (st == EFI_NOT_FOUND) {
        return loader_fail(st, "kernel kestrel.elf not found on the boot volume");
    }
    if (EFI_ERROR(st)) {
        return loader_fail(st, "cannot read kestrel.elf (status %lu)", (unsigned long)st);
    }
    entry = kernel_load(bi, kernel_file, kernel_file_size, &pml4);
    if (!entry) {
        return EFI_LOAD_ERROR;
    }

    cpus_collect(bi);
    firmware_info_collect(bi);
    if (loader_alloc_low_page(bi)) {
        bi->trampoline_phys = bi->reserved[bi->reserved_count - 1].base;
    } else {
        loader_print("kestrel: warning: no free page below 1 MiB: only the boot CPU will run\n");
    }
    loader_print("kestrel: loader: %u cpus, acpi %s, framebuffer %ux%u\n", bi->cpu_count,
                 bi->acpi_rsdp ? "yes" : "no", bi->fb.width, bi->fb.height);
    return handoff(image, bi, entry, pml4);
}
