/*
 * Loading kestrel.elf: validate first (lib/elf), then copy the PT_LOAD
 * segments into one physically contiguous block, and build the page tables
 * the kernel is entered on: an identity map of all physical memory (the
 * kernel addresses firmware structures and the boot-info by physical
 * address) plus the kernel's higher-half link address.  The kernel replaces
 * these tables with its own early on.
 */
#include "loader.h"
#include "lib/elf.h"
#include "lib/efi_mmap.h"
#include "lib/pagetable.h"
#include "cpuid.h"

struct page_pool {
    uint8_t *base;
    UINTN    pages;
    UINTN    used;
};

static uint64_t pool_alloc(void *ctx)
{
    struct page_pool *pool = ctx;
    if (pool->used >= pool->pages) {
        return 0;
    }
    return (uint64_t)(UINTN)(pool->base + EFI_PAGE_SIZE * pool->used++);
}

static bool cpu_has_1g_pages(void)
{
    return (loader_cpuid(0x80000001).edx >> 26) & 1;   /* PDPE1GB */
}

/* Highest physical address in the firmware map, at least 4 GiB so the
 * local APIC, I/O APIC and other MMIO below 4 GiB are always covered. */
static uint64_t physical_top(void)
{
    UINTN entries, key, desc_size;
    UINT32 desc_version;
    uint64_t top = 1ull << 32;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);

    if (!map) {
        return top;
    }
    for (UINTN i = 0; i < entries; i++) {
        const struct efi_mem_desc *d = (const void *)((uint8_t *)map + i * desc_size);
        uint64_t end = d->phys_start + d->pages * EFI_PAGE_SIZE;
        if (end > top) {
            top = end;
        }
    }
    FreePool(map);
    return (top + PAGE_SIZE_1G - 1) & ~(PAGE_SIZE_1G - 1);
}

static bool build_page_tables(struct kestrel_bootinfo *bi, const struct elf_image *img,
                              uint64_t kernel_phys, uint64_t *pml4_out)
{
    uint64_t top = physical_top();
    bool big = cpu_has_1g_pages();
    uint64_t gib = top / PAGE_SIZE_1G;
    uint64_t kernel_pages = (img->vmax - img->vmin) / EFI_PAGE_SIZE;
    /* PML4 + PDPTs + (PDs unless 1 GiB pages) + kernel PDPT/PD/PTs, plus slack
     * for an image that straddles table boundaries. */
    UINTN pages = 1 + (gib + 511) / 512 + (big ? 0 : gib) + 2 + (kernel_pages + 511) / 512 + 4;
    struct page_pool pool = { loader_alloc_pages(bi, pages, BOOTINFO_RANGE_PAGETABLES), pages, 0 };

    if (!pool.base) {
        return false;
    }
    struct pt_ctx pt = {
        .pml4 = (uint64_t *)(UINTN)pool_alloc(&pool),
        .alloc = pool_alloc,
        .alloc_ctx = &pool,
        .allow = PT_ALLOW_2M | (big ? PT_ALLOW_1G : 0),
    };
    if (pt_map(&pt, 0, 0, top, PTE_WRITE) != PT_OK) {
        return false;
    }
    if (pt_map(&pt, img->vmin, kernel_phys, img->vmax - img->vmin, PTE_WRITE) != PT_OK) {
        return false;
    }
    *pml4_out = (uint64_t)(UINTN)pt.pml4;
    return true;
}

uint64_t kernel_load(struct kestrel_bootinfo *bi, const void *elf, uint64_t size, uint64_t *pml4_out)
{
    struct elf_image img;
    const char *why = "";

    if (elf64_check(elf, size, &img, &why) != 0) {
        loader_fail(EFI_LOAD_ERROR, "kestrel.elf is not a valid kernel: %s", why);
        return 0;
    }
    if (img.vmin < KERNEL_VIRT_BASE) {
        loader_fail(EFI_LOAD_ERROR, "kestrel.elf is not a valid kernel: linked at 0x%llx, below 0x%llx",
                    (unsigned long long)img.vmin, (unsigned long long)KERNEL_VIRT_BASE);
        return 0;
    }

    UINTN pages = (img.vmax - img.vmin) / EFI_PAGE_SIZE;
    uint8_t *phys = loader_alloc_pages(bi, pages, BOOTINFO_RANGE_KERNEL);
    if (!phys) {
        loader_fail(EFI_OUT_OF_RESOURCES, "no memory for the kernel image (%lu KiB)",
                    (unsigned long)(pages * 4));
        return 0;
    }
    /* Pages come zeroed, which is the .bss; copy only the file part. */
    for (unsigned i = 0; i < img.segment_count; i++) {
        const struct elf_segment *s = &img.segments[i];
        __builtin_memcpy(phys + (s->vaddr - img.vmin), (const uint8_t *)elf + s->file_offset,
                         s->file_size);
    }
    bi->kernel_phys = (uint64_t)(UINTN)phys;
    bi->kernel_virt = img.vmin;
    bi->kernel_size = img.vmax - img.vmin;

    if (!build_page_tables(bi, &img, bi->kernel_phys, pml4_out)) {
        loader_fail(EFI_OUT_OF_RESOURCES, "cannot build the kernel's initial page tables");
        return 0;
    }
    return img.entry;
}
