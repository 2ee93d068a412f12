/* Unit tests for lib/bootinfo_check.c. */
#include "test.h"

#include "lib/bootinfo_check.h"

#include <stdlib.h>

/* A plausible boot-info as the loader would fill it. */
static struct kestrel_bootinfo *make_valid(void)
{
    struct kestrel_bootinfo *bi = calloc(1, sizeof(*bi));

    if (bi == NULL)
        abort();
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    bi->kernel_phys = 0x1000000;
    bi->kernel_virt = KERNEL_VIRT_BASE;
    bi->kernel_size = 0x200000;
    bi->mmap_addr = 0x7f000000;
    bi->mmap_size = 48 * 100;
    bi->mmap_desc_size = 48;
    bi->mmap_desc_version = 1;
    bi->cpu_count = 2;
    bi->cpu_source = 1;
    bi->cpus[0] = (struct bootinfo_cpu){ 0, BOOTINFO_CPU_BSP | BOOTINFO_CPU_ENABLED | BOOTINFO_CPU_HEALTHY };
    bi->cpus[1] = (struct bootinfo_cpu){ 1, BOOTINFO_CPU_ENABLED | BOOTINFO_CPU_HEALTHY };
    bi->acpi_rsdp = 0x7fbfe014;
    bi->fb = (struct bootinfo_framebuffer){ 0x80000000, 1024 * 768 * 4, 1024, 768, 1024, BOOTINFO_FB_BGRX };
    bi->trampoline_phys = 0x8000;
    bi->reserved_count = 2;
    bi->reserved[0] = (struct bootinfo_range){ 0x1000000, 0x200000, BOOTINFO_RANGE_KERNEL, 0 };
    bi->reserved[1] = (struct bootinfo_range){ 0x8000, 0x1000, BOOTINFO_RANGE_TRAMPOLINE, 0 };
    bi->file_count = 1;
    strcpy(bi->files[0].name, "\\EFI\\kestrel\\kestrel.cfg");
    bi->files[0].addr = 0x7e000000;
    bi->files[0].size = 123;
    bi->files[0].role = BOOTINFO_FILE_CONFIG;
    strcpy(bi->loader_version, "kestrel-loader 0.1");
    return bi;
}

static void expect_invalid(struct unit_ctx *unit_ctx_, struct kestrel_bootinfo *bi,
                           const char *part, int line)
{
    const char *why = NULL;
    int r = bootinfo_validate(bi, &why);

    free(bi);
    if (r != -1) {
        unit_fail(unit_ctx_, __FILE__, line, "accepted, wanted \"%s\"", part);
        return;
    }
    if (why == NULL || strstr(why, part) == NULL)
        unit_fail(unit_ctx_, __FILE__, line, "reason \"%s\", wanted \"%s\"", why ? why : "(null)", part);
}

/* Applies a change to a valid boot-info and expects the given reason. */
#define CHECK_INVALID(change, part)                                             \
    do {                                                                        \
        struct kestrel_bootinfo *bi = make_valid();                             \
        change;                                                                 \
        expect_invalid(unit_ctx_, bi, part, __LINE__);                          \
        CHECK_PASSING();                                                        \
    } while (0)

#define CHECK_VALID(change)                                                     \
    do {                                                                        \
        struct kestrel_bootinfo *bi = make_valid();                             \
        const char *why_ = NULL;                                                \
        change;                                                                 \
        int r_ = bootinfo_validate(bi, &why_);                                  \
        free(bi);                                                               \
        if (r_ != 0) {                                                          \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "refused: %s", why_ ? why_ : "(null)"); \
            return;                                                             \
        }                                                                       \
    } while (0)

TEST(bootinfo_valid)
{
    struct kestrel_bootinfo *bi = make_valid();
    const char *why = "untouched";

    int r = bootinfo_validate(bi, &why);
    free(bi);
    CHECK_EQ_U64(r, 0);
    CHECK(why == NULL);
    CHECK_VALID(bi->size = sizeof(*bi) + 64);           /* newer loader, appended fields */
    CHECK_VALID(bi->cpu_count = BOOTINFO_MAX_CPUS);
    CHECK_VALID(bi->cpu_count = 1);
    CHECK_VALID(bi->reserved_count = BOOTINFO_MAX_RESERVED);
    CHECK_VALID(bi->file_count = BOOTINFO_MAX_FILES; for (int i = 0; i < BOOTINFO_MAX_FILES; i++) bi->files[i].name[0] = 'x');
    CHECK_VALID(bi->mmap_desc_size = 40; bi->mmap_size = 40 * 3);
    CHECK_VALID(bi->mmap_desc_size = 56; bi->mmap_size = 56 * 3);
    CHECK_VALID(bi->reserved[0].base = 0xfffffffffffff000ull; bi->reserved[0].size = 0xfff);
    CHECK_VALID(bi->fb = (struct bootinfo_framebuffer){ 0 });
}

TEST(bootinfo_null)
{
    const char *why = NULL;

    CHECK_EQ_U64(bootinfo_validate(NULL, &why), (uint64_t)-1);
    CHECK(why != NULL);
    CHECK_EQ_U64(bootinfo_validate(NULL, NULL), (uint64_t)-1);
}

TEST(bootinfo_header)
{
    CHECK_INVALID(bi->magic = 0, "magic");
    CHECK_INVALID(bi->magic ^= 1ull << 56, "magic");
    CHECK_INVALID(bi->version = 0, "version");
    CHECK_INVALID(bi->version = BOOTINFO_VERSION + 1, "version");
    CHECK_INVALID(bi->size = sizeof(*bi) - 1, "smaller");
    CHECK_INVALID(bi->size = 0, "smaller");
}

TEST(bootinfo_kernel_ranges)
{
    CHECK_INVALID(bi->kernel_phys = 0xfffffffffff00000ull, "kernel physical range overflows");
    CHECK_INVALID(bi->kernel_size = UINT64_MAX, "kernel");
    CHECK_INVALID(bi->kernel_virt = 0xffffffffffffff00ull, "kernel virtual range overflows");
}

TEST(bootinfo_memory_map)
{
    CHECK_INVALID(bi->mmap_desc_size = 0, "descriptor size");
    CHECK_INVALID(bi->mmap_desc_size = 32; bi->mmap_size = 320, "descriptor size");
    CHECK_INVALID(bi->mmap_desc_size = 39, "descriptor size");
    CHECK_INVALID(bi->mmap_desc_size = 44; bi->mmap_size = 440, "descriptor size");
    CHECK_INVALID(bi->mmap_size = 48 * 100 + 8, "multiple");
    CHECK_INVALID(bi->mmap_size = 47, "multiple");
    CHECK_INVALID(bi->mmap_size = 0, "no memory map");
    CHECK_INVALID(bi->mmap_addr = 0, "no memory map");
    CHECK_INVALID(bi->mmap_addr = 0xfffffffffffff000ull, "memory map range overflows");
}

TEST(bootinfo_cpus)
{
    CHECK_INVALID(bi->cpu_count = 0, "no CPUs");
    CHECK_INVALID(bi->cpu_count = BOOTINFO_MAX_CPUS + 1, "CPUs");
    CHECK_INVALID(bi->cpu_count = UINT32_MAX, "CPUs");
}

TEST(bootinfo_reserved_ranges)
{
    CHECK_INVALID(bi->reserved_count = BOOTINFO_MAX_RESERVED + 1, "reserved ranges");
    CHECK_INVALID(bi->reserved_count = UINT32_MAX, "reserved ranges");
    CHECK_INVALID(bi->reserved[1].base = 0xfffffffffffff000ull; bi->reserved[1].size = 0x1000,
                  "reserved range overflows");
    CHECK_INVALID(bi->reserved_count = 5; bi->reserved[4].base = 1; bi->reserved[4].size = UINT64_MAX,
                  "reserved range overflows");
    /* Entries past the count are not looked at. */
    CHECK_VALID(bi->reserved[2].base = UINT64_MAX; bi->reserved[2].size = UINT64_MAX);
}

TEST(bootinfo_files)
{
    CHECK_INVALID(bi->file_count = BOOTINFO_MAX_FILES + 1, "files");
    CHECK_INVALID(bi->file_count = UINT32_MAX, "files");
    CHECK_INVALID(bi->files[0].addr = UINT64_MAX; bi->files[0].size = 2, "file range overflows");
    CHECK_INVALID(memset(bi->files[0].name, 'a', sizeof(bi->files[0].name)), "not NUL-terminated");
    CHECK_VALID(memset(bi->files[1].name, 'a', sizeof(bi->files[1].name)));
}

TEST(bootinfo_misc)
{
    CHECK_INVALID(bi->fb.base = 0xffffffffff000000ull; bi->fb.size = 0x1000000, "framebuffer range overflows");
    CHECK_INVALID(memset(bi->loader_version, 'v', sizeof(bi->loader_version)), "loader version");
}

TEST_SUITE(bootinfo,
    UNIT(bootinfo_valid),
    UNIT(bootinfo_null),
    UNIT(bootinfo_header),
    UNIT(bootinfo_kernel_ranges),
    UNIT(bootinfo_memory_map),
    UNIT(bootinfo_cpus),
    UNIT(bootinfo_reserved_ranges),
    UNIT(bootinfo_files),
    UNIT(bootinfo_misc),
);
