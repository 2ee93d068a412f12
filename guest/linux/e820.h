/*
 * The guest's memory map in the BIOS e820 format: what a Linux guest finds in
 * boot_params.e820_table and what multiboot guests get (their memory-map
 * types are the same numbers).  Pure code: the kernel builds the guest's map
 * with it and the host tests check it.
 *
 * Every byte Kestrel knows about is listed: memory the guest may not use
 * (Kestrel's own, firmware runtime regions, MMIO, reserved) is listed as
 * E820_RESERVED, never left out, because Linux treats a hole in the map as
 * free physical address space and may place PCI BARs there.
 */
#ifndef KESTREL_GUEST_LINUX_E820_H
#define KESTREL_GUEST_LINUX_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/memmap.h"

/* Address range types (ACPI spec "System Address Map Interfaces"; Linux
 * arch/x86/include/uapi/asm/setup_data.h names them E820_TYPE_*). */
#define E820_RAM       1u    /* AddressRangeMemory: usable */
#define E820_RESERVED  2u    /* AddressRangeReserved */
#define E820_ACPI      3u    /* AddressRangeACPI: ACPI tables, reclaimable after reading */
#define E820_NVS       4u    /* AddressRangeNVS: ACPI NVS, preserved across sleep */
#define E820_UNUSABLE  5u    /* AddressRangeUnusable: errors detected */
#define E820_PMEM      7u    /* AddressRangePersistentMemory */

/* Most entries boot_params can carry (boot_params.e820_table). */
#define E820_MAX_ZEROPAGE 128u

/* One entry exactly as boot_params and the BIOS lay it out: 20 bytes, no
 * padding.  Copy fields out by value; never take a member's address. */
struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry is 20 bytes");

/* The e820 type Kestrel reports for a region kind: usable → RAM, ACPI
 * reclaim → ACPI, ACPI NVS → NVS, unusable → UNUSABLE, persistent → PMEM,
 * everything else (MMIO, reserved, UEFI runtime code/data, MEM_HYPERVISOR,
 * unknown kinds) → RESERVED. */
uint32_t e820_type_from_kind(uint32_t kind);

/* Converts a normalized map (sorted by base, no overlaps: what
 * memmap_normalize and memmap_set produce) into e820 entries, merging
 * neighbours that touch and end up with the same type (e.g. MMIO next to
 * hypervisor memory: both reserved).  Regions of size 0 are skipped.
 * Returns the number of entries written to out, or 0 if the result would not
 * fit in cap entries or the map is not sorted and non-overlapping (then out
 * may have been partly written). */
unsigned e820_from_memmap(const struct mem_region *map, size_t count,
                          struct e820_entry *out, unsigned cap);

/*
 * Marks [base, base + size) as type in a sorted, non-overlapping e820 list
 * (what e820_from_memmap returns), overriding whatever was there and
 * splitting entries it cuts; keeps the list sorted and merged.  Returns
 * false, with the list untouched, if size is 0, the range wraps past 2^64,
 * or the result needs more than cap entries.
 *
 * For memory Kestrel fills for the guest:
 *   - ACPI tables it builds (RSDP, XSDT, FADT, MADT, DSDT): E820_ACPI.  They
 *     are ACPI data the guest keeps reading, which is what AddressRangeACPI
 *     means; the OS may reclaim the range only after it has consumed the
 *     tables, and Kestrel never looks at them again once the guest runs, so
 *     reclaiming is harmless.  E820_RESERVED would also work, but Linux
 *     would then not know the range is ACPI's (and reports it as reserved).
 *   - the FACS: E820_NVS.  Unlike the tables it is read/write shared state
 *     (global lock, waking vector) that firmware keeps across sleep, and
 *     the ACPI spec places it in NVS memory; it must never be reclaimed.
 *   - anything else the guest must leave alone: E820_RESERVED.
 */
bool e820_add_reserved(struct e820_entry *e, unsigned *count, unsigned cap,
                       uint64_t base, uint64_t size, uint32_t type);

/* "RAM", "reserved", "ACPI", "NVS", "unusable", "persistent", or "unknown". */
const char *e820_type_name(uint32_t type);

#endif
