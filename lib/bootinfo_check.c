/*
 * Boot-info validation (see include/lib/bootinfo_check.h).
 *
 * The kernel indexes arrays with these counts and walks these ranges before
 * it has any other defence, so every count is bounded and every range is
 * checked for wrap-around here, once.
 */
#include "lib/bootinfo_check.h"
#include "lib/parse_checks.h"

#include <stdbool.h>
#include <stddef.h>

#define EFI_DESC_MIN 40          /* sizeof(EFI_MEMORY_DESCRIPTOR) in UEFI 2.x */

static bool range_wraps(uint64_t base, uint64_t size)
{
    return size > UINT64_MAX - base;
}

static bool is_terminated(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0')
            return true;
    }
    return false;
}

static const char *check_header(const struct kestrel_bootinfo *bi)
{
    if (bi->magic != BOOTINFO_MAGIC)
        return "wrong magic";
    if (bi->version != BOOTINFO_VERSION)
        return "unsupported version";
    /* Larger is fine: a newer loader may append fields within a version. */
    if (bi->size < sizeof(*bi))
        return "structure smaller than this kernel expects";
    return NULL;
}

static const char *check_kernel(const struct kestrel_bootinfo *bi)
{
    if (range_wraps(bi->kernel_phys, bi->kernel_size))
        return "kernel physical range overflows";
    if (range_wraps(bi->kernel_virt, bi->kernel_size))
        return "kernel virtual range overflows";
    return NULL;
}

static const char *check_memory_map(const struct kestrel_bootinfo *bi)
{
    /* The stride is the firmware's, but never shorter than the UEFI 2.x
     * descriptor and always 8-byte aligned (UEFI guarantees both). */
    if (bi->mmap_desc_size < EFI_DESC_MIN || bi->mmap_desc_size % 8 != 0)
        return "bad memory map descriptor size";
    if (bi->mmap_size % bi->mmap_desc_size != 0)
        return "memory map size is not a multiple of the descriptor size";
    if (bi->mmap_addr == 0 || bi->mmap_size == 0)
        return "no memory map";
    if (range_wraps(bi->mmap_addr, bi->mmap_size))
        return "memory map range overflows";
    return NULL;
}

static const char *check_cpus(const struct kestrel_bootinfo *bi)
{
    if (bi->cpu_count == 0)
        return "no CPUs";
    if (bi->cpu_count > BOOTINFO_MAX_CPUS)
        return "more CPUs than the cpus array holds";
    return NULL;
}

static const char *check_reserved(const struct kestrel_bootinfo *bi)
{
    if (bi->reserved_count > BOOTINFO_MAX_RESERVED)
        return "more reserved ranges than the array holds";
    for (uint32_t i = 0; i < bi->reserved_count; i++) {
        if (range_wraps(bi->reserved[i].base, bi->reserved[i].size))
            return "reserved range overflows";
    }
    return NULL;
}

static const char *check_files(const struct kestrel_bootinfo *bi)
{
    if (bi->file_count > BOOTINFO_MAX_FILES)
        return "more files than the array holds";
    for (uint32_t i = 0; i < bi->file_count; i++) {
        const struct bootinfo_file *f = &bi->files[i];

        if (range_wraps(f->addr, f->size))
            return "file range overflows";
        /* The kernel prints names in messages. */
        if (!is_terminated(f->name, sizeof(f->name)))
            return "file name is not NUL-terminated";
    }
    return NULL;
}

static const char *check_misc(const struct kestrel_bootinfo *bi)
{
    if (range_wraps(bi->fb.base, bi->fb.size))
        return "framebuffer range overflows";
    if (!is_terminated(bi->loader_version, sizeof(bi->loader_version)))
        return "loader version is not NUL-terminated";
    return NULL;
}

int bootinfo_validate(const struct kestrel_bootinfo *bi, const char **why)
{
    /* Header first: if it is wrong, nothing else can be trusted to mean
     * what this kernel thinks it means. */
    const char *(*const checks[])(const struct kestrel_bootinfo *) = {
        check_header, check_kernel, check_memory_map, check_cpus,
        check_reserved, check_files, check_misc,
    };

    if (bi == NULL)
        return reject(why, "no boot info");
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        const char *reason = checks[i](bi);

        if (reason != NULL)
            return reject(why, reason);
    }
    if (why != NULL)
        *why = NULL;
    return 0;
}
