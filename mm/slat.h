/*
 * Second-level address translation tables: Intel's EPT (SDM vol. 3C,
 * "EPT") and AMD's nested page tables (APM vol. 2 15.25), built, changed and
 * looked up by one piece of code with a leaf encoder per format
 * (mm/slat.c).  Permissions (SLAT_READ/WRITE/EXEC) and memory types
 * (MT_*) are given the same way for both.  Pure code, built like
 * lib/pagetable.c: table pages come from a caller's allocator and are
 * reached through their physical address, which must be usable as a
 * pointer (the kernel's identity map, or host pages in the unit tests).
 *
 * Changing live tables: every entry is written whole, and a large page is
 * split by filling the new table completely before it replaces the large
 * leaf, so a guest running on another CPU sees the old or the new mapping,
 * never a half-built one.  Flushing (INVEPT, an NPT TLB flush) afterwards is
 * the caller's job.
 */
#ifndef KESTREL_MM_SLAT_H
#define KESTREL_MM_SLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/memmap.h"
#include "mm/mtrr.h"

/* Access permissions (as in bits 2:0 of an EPT entry; NPT: P, R/W, !NX). */
#define SLAT_READ  1u
#define SLAT_WRITE 2u
#define SLAT_EXEC  4u
#define SLAT_RWX   7u

/* What the tables may use: which leaf sizes slat_map may create (4 KiB is
 * always allowed; IA32_VMX_EPT_VPID_CAP bits 16 and 17, CPUID's 1 GiB
 * pages for NPT), and whether a 5-level walk is offered (EPT_VPID_CAP bit 7;
 * NPT walks as many levels as the host's own paging, 4 in Kestrel). */
#define SLAT_ALLOW_2M     1u
#define SLAT_ALLOW_1G     2u
#define SLAT_ALLOW_5LEVEL 4u

/* EPT entry bits (NPT's are private to mm/slat.c). */
#define EPT_ENTRY_PERMS      0x7ull
#define EPT_ENTRY_MEMTYPE_SHIFT 3u
#define EPT_ENTRY_MEMTYPE    (0x7ull << EPT_ENTRY_MEMTYPE_SHIFT)   /* leaves only */
#define EPT_ENTRY_IGNORE_PAT (1ull << 6)                           /* leaves only */
#define EPT_ENTRY_LARGE      (1ull << 7)                           /* PDPTE / PDE */
#define EPT_ENTRY_ACCESSED   (1ull << 8)
#define EPT_ENTRY_DIRTY      (1ull << 9)                           /* leaves only */
#define EPT_ENTRY_ADDR       0x000ffffffffff000ull                 /* bits 51:12 */

/* EPTP fields. */

#define SLAT_GPA_LIMIT        (1ull << 48)    /* 4 levels: 48-bit guest-physical */
#define SLAT_GPA_LIMIT_5LEVEL (1ull << 57)    /* 5 levels: 57-bit (beyond any MAXPHYADDR) */
#define SLAT_HPA_LIMIT        (1ull << 52)

enum slat_format {
    SLAT_FORMAT_EPT = 0,
    SLAT_FORMAT_NPT,
};

struct slat_ctx {
    enum slat_format format;
    unsigned  levels;                /* 4 (PML4 root) or 5 (PML5 root); 0 means 4 */
    uint64_t *root;                  /* root table (physical address) */
    uint64_t (*alloc)(void *ctx);    /* a 4 KiB-aligned page, or 0; need not be zeroed */
    void     *alloc_ctx;
    unsigned  allow;                 /* EPT_ALLOW_* */
    uint64_t  tables;                /* table pages allocated, incl. the root if
                                        slat_init allocated it */
    /* NPT: leaves give memory types as indices into the host's PAT; these
     * are its eight entries (MT_*), when host_pat_set, else the power-on
     * PAT is assumed. */
    bool      host_pat_set;
    uint8_t   host_pat[8];
};

enum slat_status {
    SLAT_OK = 0,
    SLAT_NO_MEMORY,                   /* alloc returned 0 (the range may be partly done) */
    SLAT_MISALIGNED,                  /* gpa, hpa, size or top not 4 KiB aligned */
    SLAT_BAD_ADDRESS,                 /* gpa range beyond the levels' reach (48 or 57
                                        bits), hpa beyond 52, or wraps */
    SLAT_BAD_ATTR,                    /* perms or memory type the CPU would reject as an
                                        EPT misconfiguration (write without read, unknown
                                        bits, reserved type) */
};

/* Allocates and clears the root; e->alloc, alloc_ctx, allow and levels must
 * be set (levels other than 5 become 4).  Resets e->tables to 1. */
enum slat_status slat_init(struct slat_ctx *e);

/* The first guest-physical address the tables cannot reach: 2^48 or 2^57. */
uint64_t slat_gpa_limit(const struct slat_ctx *e);

/*
 * Maps [gpa, gpa+size) to [hpa, hpa+size) with perms (SLAT_READ/WRITE/EXEC)
 * and memtype (MT_UC/WC/WT/WP/WB), replacing whatever was mapped there.
 * Uses 1 GiB / 2 MiB leaves where allowed and both addresses are aligned;
 * splits an existing large leaf when only part of it changes, keeping the
 * rest of its mapping.  Where a table already exists below a whole entry,
 * it is kept and filled in rather than replaced by a large leaf (tables are
 * never freed).  perms 0 is slat_unmap.  The ignore-PAT bit is never set: the
 * guest's PAT still combines with memtype.
 */
enum slat_status slat_map(struct slat_ctx *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                        unsigned perms, uint8_t memtype);

/* Makes [gpa, gpa+size) not present, splitting large leaves as needed. */
enum slat_status slat_unmap(struct slat_ctx *e, uint64_t gpa, uint64_t size);

/* Walks the tables: returns 0 with the host-physical address, the leaf's
 * perms (SLAT_READ/WRITE/EXEC), memory type and page size (each optional),
 * or -1 when gpa is not mapped. */
int slat_translate(const struct slat_ctx *e, uint64_t gpa, uint64_t *hpa, unsigned *perms,
                   uint8_t *memtype, uint64_t *page_size);

/*
 * The guest's identity map.  Every address in [0, top) maps to itself with
 * the MTRR memory type of that address, RWX, except:
 *   MEM_HYPERVISOR    not mapped (a guest access is an EPT violation / NPF)
 *   MEM_RUNTIME_CODE  read + execute
 *   MEM_RUNTIME_DATA  read only
 * (UEFI runtime services must stay intact so Kestrel can call ResetSystem.)
 * Gaps and MMIO are mapped like RAM, with their MTRR type.  A region not
 * 4 KiB aligned restricts every page it touches; where restricted regions
 * overlap, the permissions intersect.  Addresses at and above top stay
 * unmapped.  mtrr NULL means every address is UC (as with MTRRs disabled).
 */
struct slat_identity_policy {
    const struct mem_region *map;    /* normalized memory map (lib/memmap.h kinds) */
    size_t count;
    const struct mtrr_state *mtrr;
    uint64_t top;                    /* map [0, top); top >= memmap top, e.g.
                                        1 << min(phys_addr_bits, 39) */
};

/* Builds the identity map with the largest leaves that alignment, the
 * permissions and MTRR uniformity allow.  Meant for a fresh slat_init'ed
 * context (it also works over existing mappings, replacing them). */
enum slat_status slat_build_identity(struct slat_ctx *e, const struct slat_identity_policy *p);

/* The same for [lo, hi) only (both 4 KiB aligned, clipped to p->top): one
 * piece of the identity map, e.g. a block mapped at the guest's first
 * touch.  What lies outside stays as it is. */
enum slat_status slat_build_identity_range(struct slat_ctx *e, const struct slat_identity_policy *p,
                                           uint64_t lo, uint64_t hi);

const char *slat_status_name(enum slat_status s);

#endif
