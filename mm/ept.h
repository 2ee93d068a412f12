/*
 * Extended page tables (Intel SDM vol. 3C, "EPT"): construction, later
 * changes and look-ups.  Pure code, built like lib/pagetable.c: table pages
 * come from a caller's allocator and are reached through their physical
 * address, which must be usable as a pointer (the kernel's identity map, or
 * host pages in the unit tests).
 *
 * Changing a live EPT: every entry is written whole, and a large page is
 * split by filling the new table completely before it replaces the large
 * leaf, so a guest running on another CPU sees the old or the new mapping,
 * never a half-built one.  Flushing (INVEPT) afterwards is the caller's job.
 */
#ifndef KESTREL_MM_EPT_H
#define KESTREL_MM_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/memmap.h"
#include "mm/mtrr.h"

/* Access permissions (bits 2:0 of every EPT entry). */
#define EPT_READ  1u
#define EPT_WRITE 2u
#define EPT_EXEC  4u
#define EPT_RWX   7u

/* Which leaf sizes ept_map may create (4 KiB is always allowed); from
 * IA32_VMX_EPT_VPID_CAP bits 16 (2 MiB) and 17 (1 GiB). */
#define EPT_ALLOW_2M 1u
#define EPT_ALLOW_1G 2u

/* Entry bits. */
#define EPT_ENTRY_PERMS      0x7ull
#define EPT_ENTRY_MEMTYPE_SHIFT 3u
#define EPT_ENTRY_MEMTYPE    (0x7ull << EPT_ENTRY_MEMTYPE_SHIFT)   /* leaves only */
#define EPT_ENTRY_IGNORE_PAT (1ull << 6)                           /* leaves only */
#define EPT_ENTRY_LARGE      (1ull << 7)                           /* PDPTE / PDE */
#define EPT_ENTRY_ACCESSED   (1ull << 8)
#define EPT_ENTRY_DIRTY      (1ull << 9)                           /* leaves only */
#define EPT_ENTRY_ADDR       0x000ffffffffff000ull                 /* bits 51:12 */

/* EPTP fields. */
#define EPTP_MEMTYPE_WB      6ull            /* bits 2:0: type for walking the tables */
#define EPTP_WALK_4_LEVELS   (3ull << 3)     /* bits 5:3: page-walk length minus 1 */
#define EPTP_ACCESSED_DIRTY  (1ull << 6)

#define EPT_GPA_LIMIT        (1ull << 48)    /* 4-level EPT: 48-bit guest-physical */
#define EPT_HPA_LIMIT        (1ull << 52)

struct ept_ctx {
    uint64_t *pml4;                  /* root table (physical address) */
    uint64_t (*alloc)(void *ctx);    /* a 4 KiB-aligned page, or 0; need not be zeroed */
    void     *alloc_ctx;
    unsigned  allow;                 /* EPT_ALLOW_* */
    uint64_t  tables;                /* table pages allocated, incl. the root if
                                        ept_init allocated it */
};

enum ept_status {
    EPT_OK = 0,
    EPT_NO_MEMORY,                   /* alloc returned 0 (the range may be partly done) */
    EPT_MISALIGNED,                  /* gpa, hpa, size or top not 4 KiB aligned */
    EPT_BAD_ADDRESS,                 /* gpa range beyond 48 bits, hpa beyond 52, or wraps */
    EPT_BAD_ATTR,                    /* perms or memory type the CPU would reject as an
                                        EPT misconfiguration (write without read, unknown
                                        bits, reserved type) */
};

/* Allocates and clears the root; e->alloc, alloc_ctx and allow must be set.
 * Resets e->tables to 1. */
enum ept_status ept_init(struct ept_ctx *e);

/*
 * Maps [gpa, gpa+size) to [hpa, hpa+size) with perms (EPT_READ/WRITE/EXEC)
 * and memtype (MT_UC/WC/WT/WP/WB), replacing whatever was mapped there.
 * Uses 1 GiB / 2 MiB leaves where allowed and both addresses are aligned;
 * splits an existing large leaf when only part of it changes, keeping the
 * rest of its mapping.  Where a table already exists below a whole entry,
 * it is kept and filled in rather than replaced by a large leaf (tables are
 * never freed).  perms 0 is ept_unmap.  The ignore-PAT bit is never set: the
 * guest's PAT still combines with memtype.
 */
enum ept_status ept_map(struct ept_ctx *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                        unsigned perms, uint8_t memtype);

/* Makes [gpa, gpa+size) not present, splitting large leaves as needed. */
enum ept_status ept_unmap(struct ept_ctx *e, uint64_t gpa, uint64_t size);

/* Walks the tables: returns 0 with the host-physical address, the leaf's
 * perms (EPT_READ/WRITE/EXEC), memory type and page size (each optional),
 * or -1 when gpa is not mapped. */
int ept_translate(const uint64_t *pml4, uint64_t gpa, uint64_t *hpa, unsigned *perms,
                  uint8_t *memtype, uint64_t *page_size);

/* The EPTP VMCS field: WB for table walks, 4 levels, optional A/D flags. */
uint64_t ept_pointer(const struct ept_ctx *e, bool accessed_dirty);

/*
 * The guest's identity map.  Every address in [0, top) maps to itself with
 * the MTRR memory type of that address, RWX, except:
 *   MEM_HYPERVISOR    not mapped (a guest access is an EPT violation)
 *   MEM_RUNTIME_CODE  read + execute
 *   MEM_RUNTIME_DATA  read only
 * (UEFI runtime services must stay intact so Kestrel can call ResetSystem.)
 * Gaps and MMIO are mapped like RAM, with their MTRR type.  A region not
 * 4 KiB aligned restricts every page it touches; where restricted regions
 * overlap, the permissions intersect.  Addresses at and above top stay
 * unmapped.  mtrr NULL means every address is UC (as with MTRRs disabled).
 */
struct ept_identity_policy {
    const struct mem_region *map;    /* normalized memory map (lib/memmap.h kinds) */
    size_t count;
    const struct mtrr_state *mtrr;
    uint64_t top;                    /* map [0, top); top >= memmap top, e.g.
                                        1 << min(phys_addr_bits, 39) */
};

/* Builds the identity map with the largest leaves that alignment, the
 * permissions and MTRR uniformity allow.  Meant for a fresh ept_init'ed
 * context (it also works over existing mappings, replacing them). */
enum ept_status ept_build_identity(struct ept_ctx *e, const struct ept_identity_policy *p);

const char *ept_status_name(enum ept_status s);

#endif
