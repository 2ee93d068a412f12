/* Loader page allocations that the kernel must keep. */
#include "loader.h"
#include "lib/efi_mmap.h"

bool loader_record_range(struct kestrel_bootinfo *bi, uint64_t base, uint64_t size,
                         enum bootinfo_range_kind kind)
{
    if (bi->reserved_count >= BOOTINFO_MAX_RESERVED) {
        return false;
    }
    struct bootinfo_range *r = &bi->reserved[bi->reserved_count++];
    r->base = base;
    r->size = size;
    r->kind = kind;
    r->reserved0 = 0;
    return true;
}

static void *alloc_pages_at(struct kestrel_bootinfo *bi, EFI_ALLOCATE_TYPE how,
                            EFI_PHYSICAL_ADDRESS limit, UINTN pages,
                            enum bootinfo_range_kind kind)
{
    EFI_PHYSICAL_ADDRESS addr = limit;

    if (uefi_call_wrapper(BS->AllocatePages, 4, how, EfiLoaderData, pages, &addr) != EFI_SUCCESS) {
        return NULL;
    }
    /* Out of reserved slots: give the pages back rather than hand the kernel
     * memory it does not know it must keep. */
    if (!loader_record_range(bi, addr, (uint64_t)pages * EFI_PAGE_SIZE, kind)) {
        uefi_call_wrapper(BS->FreePages, 2, addr, pages);
        return NULL;
    }
    __builtin_memset((void *)(UINTN)addr, 0, pages * EFI_PAGE_SIZE);
    return (void *)(UINTN)addr;
}

void *loader_alloc_pages(struct kestrel_bootinfo *bi, UINTN pages, enum bootinfo_range_kind kind)
{
    return alloc_pages_at(bi, AllocateAnyPages, 0, pages, kind);
}

void *loader_alloc_low_page(struct kestrel_bootinfo *bi)
{
    /* The AP start-up code runs in real mode from the SIPI vector page,
     * which must sit below 1 MiB; stay under the EBDA/VGA hole too. */
    return alloc_pages_at(bi, AllocateMaxAddress, 0x9ffff, 1, BOOTINFO_RANGE_TRAMPOLINE);
}

bool loader_free_memory(uint64_t *largest, uint64_t *total)
{
    UINTN entries, key, desc_size;
    UINT32 desc_version;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);

    if (!map) {
        return false;
    }
    *largest = 0;
    *total = 0;
    /* One descriptor is the most AllocatePages can hand out at once: the
     * firmware keeps neighbouring free pages merged into one descriptor. */
    for (UINTN i = 0; i < entries; i++) {
        const struct efi_mem_desc *d = (const void *)((uint8_t *)map + i * desc_size);
        if (d->type != EFI_MEM_CONVENTIONAL) {
            continue;
        }
        uint64_t bytes = d->pages * EFI_PAGE_SIZE;
        *total += bytes;
        if (bytes > *largest) {
            *largest = bytes;
        }
    }
    FreePool(map);
    return true;
}
