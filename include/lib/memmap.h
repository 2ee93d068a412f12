/*
 * Memory-map processing: the firmware's raw map in, one sorted list of
 * non-overlapping, merged regions out.  Pure code: the kernel uses it for its
 * page allocator and (later) EPT and the guest's e820; the host tests feed it
 * hostile maps.
 */
#ifndef KESTREL_LIB_MEMMAP_H
#define KESTREL_LIB_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

/* Region kinds, in increasing priority: where firmware descriptors overlap,
 * the higher kind wins (an overlap is a firmware bug; the conservative answer
 * is to trust the more restrictive type). */
enum mem_kind {
    MEM_USABLE = 1,       /* conventional, boot services, loader code/data */
    MEM_ACPI_RECLAIM,     /* ACPI tables: keep until the OS has read them */
    MEM_PERSISTENT,
    MEM_RESERVED,         /* reserved, PAL code, unknown/OEM/OS types */
    MEM_MMIO,             /* memory-mapped I/O (incl. port space) */
    MEM_ACPI_NVS,
    MEM_RUNTIME_DATA,     /* UEFI runtime services data */
    MEM_RUNTIME_CODE,     /* UEFI runtime services code */
    MEM_HYPERVISOR,       /* Kestrel's own memory (carved in by the kernel) */
    MEM_UNUSABLE,         /* firmware found errors in it */
    MEM_KIND_COUNT,
};

struct mem_region {
    uint64_t base;
    uint64_t size;        /* > 0; base + size does not overflow */
    uint32_t kind;        /* enum mem_kind */
    uint32_t pad;
};

enum memmap_status {
    MEMMAP_OK = 0,
    MEMMAP_BAD_DESC_SIZE,     /* desc_size < 40 or not a multiple of 8 */
    MEMMAP_BAD_MAP_SIZE,      /* map size not a multiple of desc_size */
    MEMMAP_TOO_MANY,          /* output capacity exceeded */
};

/* What an EFI memory type (plus its attributes) means to Kestrel.  A usable
 * type with the RUNTIME attribute counts as MEM_RUNTIME_DATA. */
enum mem_kind memmap_kind_from_efi(uint32_t efi_type, uint64_t attribute);

/* Converts a raw UEFI map (map_size bytes, stride desc_size) and normalizes
 * it (see memmap_normalize).  Descriptors with zero pages, or whose range
 * overflows 64 bits, are skipped.  Returns MEMMAP_OK and *count. */
enum memmap_status memmap_from_efi(const void *map, size_t map_size, size_t desc_size,
                                   struct mem_region *out, size_t cap, size_t *count);

/* Sorts by base, resolves overlaps by priority (above), merges adjacent
 * regions of the same kind.  In place; the result may need more entries than
 * the input (an overlap can split a region in three), hence cap. */
enum memmap_status memmap_normalize(struct mem_region *r, size_t *count, size_t cap);

/* Marks [base, base+size) as kind, overriding whatever was there (used to
 * carve out hypervisor memory).  Keeps the list normalized. */
enum memmap_status memmap_set(struct mem_region *r, size_t *count, size_t cap,
                              uint64_t base, uint64_t size, enum mem_kind kind);

/* Total bytes of the given kind. */
uint64_t memmap_total(const struct mem_region *r, size_t count, enum mem_kind kind);

/* End of the highest region of any kind (0 for an empty map). */
uint64_t memmap_top(const struct mem_region *r, size_t count);

const char *memmap_kind_name(enum mem_kind kind);
const char *memmap_status_name(enum memmap_status s);

#endif
