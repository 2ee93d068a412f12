/*
 * The last steps in the firmware's world: take the final memory map, exit
 * boot services, switch to the kernel's page tables and jump.
 */
#include "loader.h"

typedef void (*kernel_entry_fn)(struct kestrel_bootinfo *bi) __attribute__((sysv_abi, noreturn));

/* Room for the map plus the descriptors that our own allocation of the
 * buffer (and the firmware's own activity) may add before the final call. */
#define MAP_SLACK_DESCS 16

static EFI_STATUS get_map(void *buf, UINTN cap, UINTN *size, UINTN *key, UINTN *desc_size,
                          UINT32 *desc_version)
{
    *size = cap;
    return uefi_call_wrapper(BS->GetMemoryMap, 5, size, (EFI_MEMORY_DESCRIPTOR *)buf, key,
                             desc_size, desc_version);
}

EFI_STATUS handoff(EFI_HANDLE image, struct kestrel_bootinfo *bi, uint64_t entry, uint64_t pml4)
{
    UINTN size = 0, key, desc_size;
    UINT32 desc_version;
    EFI_STATUS st;

    /* Ask for the size first, then allocate once with slack. */
    st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &desc_version);
    if (st != EFI_BUFFER_TOO_SMALL) {
        return loader_fail(st, "GetMemoryMap failed (%lu)", (unsigned long)st);
    }
    UINTN cap = size + MAP_SLACK_DESCS * desc_size;
    void *buf = loader_alloc_pages(bi, EFI_SIZE_TO_PAGES(cap), BOOTINFO_RANGE_MMAP);
    if (!buf) {
        return loader_fail(EFI_OUT_OF_RESOURCES, "no memory for the memory map");
    }
    cap = EFI_SIZE_TO_PAGES(cap) * EFI_PAGE_SIZE;

    loader_print("kestrel: loader: starting the kernel\n");

    /* No output from here on: printing may allocate and change the map key.
     * If ExitBootServices refuses the key, the spec requires fetching the map
     * again and retrying (only memory services remain usable then). */
    for (int attempt = 0; attempt < 4; attempt++) {
        st = get_map(buf, cap, &size, &key, &desc_size, &desc_version);
        if (EFI_ERROR(st)) {
            break;
        }
        st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
        if (st == EFI_SUCCESS) {
            bi->mmap_addr = (uint64_t)(UINTN)buf;
            bi->mmap_size = size;
            bi->mmap_desc_size = (uint32_t)desc_size;
            bi->mmap_desc_version = desc_version;

            /* Interrupts stay off until the kernel has its own IDT: the
             * firmware's handlers live in memory that is now free. */
            __asm__ volatile("cli; mov %0, %%cr3" : : "r"(pml4) : "memory");
            ((kernel_entry_fn)(UINTN)entry)(bi);
        }
    }
    return loader_fail(st, "ExitBootServices failed (%lu)", (unsigned long)st);
}
