/*
 * Second-level address translation tables (see mm/slat.h): one tree
 * algorithm and one identity-map policy, with the entry format of each
 * kind written once below.
 *
 * Levels are numbered as the CPU walks them: 5 = PML5 (5-level EPT only),
 * 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.  A leaf at level 3 maps 1 GiB, at
 * level 2 2 MiB (bit 7 set in both formats).  Non-leaf entries allow everything: the leaves alone
 * decide what the guest may do.
 *   EPT (SDM vol. 3C, "EPT Translation Mechanism"): bits 2:0 read / write /
 *       execute (all clear = not present), bits 5:3 memory type and bit 6
 *       ignore-PAT in leaves, bits 51:12 the address.
 *   NPT (AMD APM vol. 2 15.25, "Nested Paging"): ordinary long-mode page
 *       table entries walked as user accesses: P, R/W, U/S (always set), the
 *       memory type as an index into the host's PAT (PWT, PCD and PAT: bit 7
 *       in a 4 KiB leaf, bit 12 in a large one), NX bit 63.
 */
#include "mm/slat.h"
#include "lib/pt_levels.h"

#define PAGE_4K      0x1000ull

#define NPT_P        (1ull << 0)
#define NPT_RW       (1ull << 1)
#define NPT_US       (1ull << 2)
#define NPT_PWT      (1ull << 3)
#define NPT_PCD      (1ull << 4)
#define NPT_PS       (1ull << 7)
#define NPT_PAT_4K   (1ull << 7)
#define NPT_PAT_LARGE (1ull << 12)
#define NPT_NX       (1ull << 63)
#define NPT_TABLE    (NPT_P | NPT_RW | NPT_US)
#define PAT_ENTRIES  8

/* The PAT the CPU has after reset (SDM vol. 3A 13.12.4), when the caller
 * gave no host PAT. */
static const uint8_t power_on_pat[PAT_ENTRIES] = { MT_WB, MT_WT, MT_UC_MINUS, MT_UC,
                                                   MT_WB, MT_WT, MT_UC_MINUS, MT_UC };

/* ---- the entry formats ------------------------------------------------- */

static bool is_npt(const struct slat_ctx *e)
{
    return e->format == SLAT_FORMAT_NPT;
}

static const uint8_t *host_pat(const struct slat_ctx *e)
{
    return e->host_pat_set ? e->host_pat : power_on_pat;
}

/* Tables are reached through their physical address (see the header). */
static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ENTRY_ADDR);
}

/* EPT: not present = no access at all (bits 2:0 clear); NPT: P clear. */
static bool is_present_in(const struct slat_ctx *e, uint64_t entry)
{
    return is_npt(e) ? (entry & NPT_P) != 0 : (entry & EPT_ENTRY_PERMS) != 0;
}

/* Only PDPTEs and PDEs can be large; in a PML4E bit 7 is reserved and in a
 * PTE the entry is always a leaf (bit 7 is NPT's PAT bit there). */
static bool is_large_leaf(uint64_t entry, unsigned level)
{
    return (level == LEVEL_PDPT || level == LEVEL_PD) && (entry & EPT_ENTRY_LARGE) != 0;
}

static bool is_table_in(const struct slat_ctx *e, uint64_t entry, unsigned level)
{
    return level > LEVEL_PT && is_present_in(e, entry) && !is_large_leaf(entry, level);
}

static uint64_t table_entry(const struct slat_ctx *e, uint64_t page)
{
    return (page & EPT_ENTRY_ADDR) | (is_npt(e) ? NPT_TABLE : SLAT_RWX);
}

/* The host PAT index holding memory type t; the UC one when no entry has
 * it (WC and WP in the power-on PAT): never a faster type than asked. */
static unsigned npt_pat_index(const struct slat_ctx *e, uint8_t t)
{
    const uint8_t *pat = host_pat(e);
    unsigned uc = 3;
    for (unsigned i = PAT_ENTRIES; i-- > 0;) {
        if (pat[i] == MT_UC)
            uc = i;
    }
    for (unsigned i = 0; i < PAT_ENTRIES; i++) {
        if (pat[i] == t)
            return i;
    }
    return uc;
}

/* attrs: the neutral leaf attributes, perms | memtype << 3 (EPT's own
 * encoding of bits 5:0). */
static uint64_t leaf_entry(const struct slat_ctx *e, uint64_t hpa, uint64_t attrs, unsigned level)
{
    bool large = level > LEVEL_PT;
    if (!is_npt(e))
        return (hpa & EPT_ENTRY_ADDR) | attrs | (large ? EPT_ENTRY_LARGE : 0);
    unsigned perms = (unsigned)(attrs & EPT_ENTRY_PERMS);
    unsigned idx = npt_pat_index(e, (uint8_t)((attrs & EPT_ENTRY_MEMTYPE) >>
                                              EPT_ENTRY_MEMTYPE_SHIFT));
    uint64_t v = (hpa & EPT_ENTRY_ADDR) | NPT_P | NPT_US;
    v |= (perms & SLAT_WRITE) ? NPT_RW : 0;
    v |= (perms & SLAT_EXEC) ? 0 : NPT_NX;
    v |= (idx & 1) ? NPT_PWT : 0;
    v |= (idx & 2) ? NPT_PCD : 0;
    v |= (idx & 4) ? (large ? NPT_PAT_LARGE : NPT_PAT_4K) : 0;
    v |= large ? NPT_PS : 0;
    return v;
}

/* The neutral attributes of the leaf entry at level. */
static uint64_t leaf_attrs(const struct slat_ctx *e, uint64_t entry, unsigned level)
{
    if (!is_npt(e))
        return entry & (EPT_ENTRY_PERMS | EPT_ENTRY_MEMTYPE);
    unsigned idx = ((entry & NPT_PWT) ? 1 : 0) | ((entry & NPT_PCD) ? 2 : 0) |
                   ((entry & (level > LEVEL_PT ? NPT_PAT_LARGE : NPT_PAT_4K)) ? 4 : 0);
    unsigned perms = SLAT_READ | ((entry & NPT_RW) ? SLAT_WRITE : 0) |
                     ((entry & NPT_NX) ? 0 : SLAT_EXEC);
    return perms | ((uint64_t)host_pat(e)[idx] << EPT_ENTRY_MEMTYPE_SHIFT);
}

/* One piece of a large leaf being split, at level (EPT: every bit but the
 * address and the large bit kept, A/D and ignore-PAT included; NPT: the same
 * leaf re-encoded, its PAT bit moving to bit 7 in 4 KiB leaves). */
static uint64_t split_piece(const struct slat_ctx *e, uint64_t old, uint64_t hpa, unsigned level)
{
    if (!is_npt(e))
        return (hpa & EPT_ENTRY_ADDR) | (old & ~(EPT_ENTRY_ADDR | EPT_ENTRY_LARGE)) |
               (level > LEVEL_PT ? EPT_ENTRY_LARGE : 0);
    return leaf_entry(e, hpa, leaf_attrs(e, old, level + 1), level);
}

static bool leaf_allowed(const struct slat_ctx *e, unsigned level)
{
    if (level == LEVEL_PDPT)
        return (e->allow & SLAT_ALLOW_1G) != 0;
    if (level == LEVEL_PD)
        return (e->allow & SLAT_ALLOW_2M) != 0;
    return level == LEVEL_PT;
}

/* Entries in tables the CPU may be walking are written with one release
 * store: whole, and after everything written before them (such as the
 * contents of a freshly filled table). */
static void write_entry(uint64_t *entry, uint64_t value)
{
    __atomic_store_n(entry, value, __ATOMIC_RELEASE);
}

/* The host address a leaf at level maps gpa to. */
static uint64_t leaf_target(uint64_t entry, unsigned level, uint64_t gpa)
{
    uint64_t offset = level_size(level) - 1;

    return (entry & EPT_ENTRY_ADDR & ~offset) | (gpa & offset);
}

static uint64_t alloc_table(struct slat_ctx *e)
{
    uint64_t page = e->alloc(e->alloc_ctx);

    if (page != 0)
        e->tables++;
    return page;
}

/* A new, empty table linked in at *entry. */
static enum slat_status add_table(struct slat_ctx *e, uint64_t *entry)
{
    uint64_t page = alloc_table(e);

    if (page == 0)
        return SLAT_NO_MEMORY;
    uint64_t *t = (uint64_t *)(uintptr_t)page;
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        t[i] = 0;
    write_entry(entry, table_entry(e, page));
    return SLAT_OK;
}

/*
 * Replaces the large leaf at *entry with a table of 512 next-size leaves that
 * map the same addresses with the same attributes (split_piece).  A 1 GiB
 * leaf becomes 2 MiB leaves: every CPU with 1 GiB pages has 2 MiB ones too.
 */
static enum slat_status split_leaf(struct slat_ctx *e, uint64_t *entry, unsigned level)
{
    uint64_t page = alloc_table(e);

    if (page == 0)
        return SLAT_NO_MEMORY;

    uint64_t *t = (uint64_t *)(uintptr_t)page;
    uint64_t old = *entry;
    uint64_t base = old & EPT_ENTRY_ADDR & ~(level_size(level) - 1);
    uint64_t step = level_size(level - 1);

    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        t[i] = split_piece(e, old, base + i * step, level - 1);
    write_entry(entry, table_entry(e, page));
    return SLAT_OK;
}

static enum slat_status set_range(struct slat_ctx *e, uint64_t *table, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs);

/*
 * Sets [gpa, end), which lies within what *entry (at level) covers, to map
 * to hpa onwards with attrs (perms | memory type), or clears it when attrs
 * is 0.
 */
static enum slat_status set_entry(struct slat_ctx *e, uint64_t *entry, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs)
{
    uint64_t span = level_size(level);
    bool whole = (gpa & (span - 1)) == 0 && end - gpa == span;
    enum slat_status st;

    if (whole && leaf_allowed(e, level) && (hpa & (span - 1)) == 0 &&
        !is_table_in(e, *entry, level)) {
        write_entry(entry, attrs != 0 ? leaf_entry(e, hpa, attrs, level) : 0);
        return SLAT_OK;
    }

    /* Only part of this entry changes, or a table below it is kept. */
    if (!is_present_in(e, *entry)) {
        if (attrs == 0)
            return SLAT_OK;                     /* already unmapped */
        st = add_table(e, entry);
        if (st != SLAT_OK)
            return st;
    } else if (is_large_leaf(*entry, level)) {
        if (attrs != 0 && leaf_target(*entry, level, gpa) == hpa &&
            leaf_attrs(e, *entry, level) == attrs)
            return SLAT_OK;                     /* the large leaf already says so */
        st = split_leaf(e, entry, level);
        if (st != SLAT_OK)
            return st;
    }
    return set_range(e, table_of(*entry), level - 1, gpa, end, hpa, attrs);
}

/* Applies set_entry to every entry of the table at level that [gpa, end)
 * touches; the range lies inside what the table covers. */
static enum slat_status set_range(struct slat_ctx *e, uint64_t *table, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs)
{
    uint64_t span = level_size(level);

    while (gpa < end) {
        uint64_t entry_base = gpa & ~(span - 1);
        uint64_t chunk_end = end - entry_base < span ? end : entry_base + span;
        enum slat_status st = set_entry(e, &table[table_index(gpa, level)], level,
                                       gpa, chunk_end, hpa, attrs);

        if (st != SLAT_OK)
            return st;
        hpa += chunk_end - gpa;
        gpa = chunk_end;
    }
    return SLAT_OK;
}

static unsigned root_level(const struct slat_ctx *e)
{
    return e->levels == 5 ? LEVEL_PML5 : LEVEL_PML4;
}

uint64_t slat_gpa_limit(const struct slat_ctx *e)
{
    return e->levels == 5 ? SLAT_GPA_LIMIT_5LEVEL : SLAT_GPA_LIMIT;
}

static enum slat_status check_gpa_range(const struct slat_ctx *e, uint64_t gpa, uint64_t size)
{
    uint64_t limit = slat_gpa_limit(e);

    if (((gpa | size) & (PAGE_4K - 1)) != 0)
        return SLAT_MISALIGNED;
    if (gpa >= limit || size > limit - gpa)
        return SLAT_BAD_ADDRESS;
    return SLAT_OK;
}

static bool memtype_valid(uint8_t t)
{
    return t == MT_UC || t == MT_WC || t == MT_WT || t == MT_WP || t == MT_WB;
}

enum slat_status slat_init(struct slat_ctx *e)
{
    e->tables = 0;
    e->levels = root_level(e);
    uint64_t page = alloc_table(e);

    if (page == 0)
        return SLAT_NO_MEMORY;
    e->root = (uint64_t *)(uintptr_t)page;
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        e->root[i] = 0;
    return SLAT_OK;
}

enum slat_status slat_map(struct slat_ctx *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                        unsigned perms, uint8_t memtype)
{
    enum slat_status st = check_gpa_range(e, gpa, size);

    if (st != SLAT_OK)
        return st;
    if ((hpa & (PAGE_4K - 1)) != 0)
        return SLAT_MISALIGNED;
    if (hpa >= SLAT_HPA_LIMIT || size > SLAT_HPA_LIMIT - hpa)
        return SLAT_BAD_ADDRESS;
    if (perms == 0)
        return slat_unmap(e, gpa, size);
    /* Write without read is an EPT misconfiguration (SDM 3C, "EPT
     * Misconfigurations"), as are reserved memory types. */
    if ((perms & ~SLAT_RWX) != 0 || ((perms & SLAT_WRITE) && !(perms & SLAT_READ)) ||
        !memtype_valid(memtype))
        return SLAT_BAD_ATTR;
    /* NPT has no execute-only pages: a present entry can be read. */
    if (is_npt(e) && !(perms & SLAT_READ))
        return SLAT_BAD_ATTR;
    if (size == 0)
        return SLAT_OK;

    uint64_t attrs = perms | ((uint64_t)memtype << EPT_ENTRY_MEMTYPE_SHIFT);

    return set_range(e, e->root, root_level(e), gpa, gpa + size, hpa, attrs);
}

enum slat_status slat_unmap(struct slat_ctx *e, uint64_t gpa, uint64_t size)
{
    enum slat_status st = check_gpa_range(e, gpa, size);

    if (st != SLAT_OK)
        return st;
    if (size == 0)
        return SLAT_OK;
    return set_range(e, e->root, root_level(e), gpa, gpa + size, 0, 0);
}

int slat_translate(const struct slat_ctx *e, uint64_t gpa, uint64_t *hpa, unsigned *perms,
                   uint8_t *memtype, uint64_t *page_size)
{
    const uint64_t *table = e->root;

    if (gpa >= slat_gpa_limit(e))
        return -1;
    for (unsigned level = root_level(e);; level--) {
        uint64_t entry = table[table_index(gpa, level)];

        if (!is_present_in(e, entry))
            return -1;
        if (level == LEVEL_PT || is_large_leaf(entry, level)) {
            uint64_t attrs = leaf_attrs(e, entry, level);
            if (hpa != NULL)
                *hpa = leaf_target(entry, level, gpa);
            if (perms != NULL)
                *perms = (unsigned)(attrs & EPT_ENTRY_PERMS);
            if (memtype != NULL)
                *memtype = (uint8_t)((attrs & EPT_ENTRY_MEMTYPE) >> EPT_ENTRY_MEMTYPE_SHIFT);
            if (page_size != NULL)
                *page_size = level_size(level);
            return 0;
        }
        table = table_of(entry);
    }
}

/* ---- the identity map ---------------------------------------------------- */

/* What a region kind takes away from the guest: false when nothing (RWX). */
static bool kind_restricts(uint32_t kind, unsigned *perms)
{
    switch (kind) {
    case MEM_HYPERVISOR:   *perms = 0;                    return true;
    case MEM_RUNTIME_CODE: *perms = SLAT_READ | SLAT_EXEC;  return true;
    case MEM_RUNTIME_DATA: *perms = SLAT_READ;             return true;
    default:                                              return false;
    }
}

/* A restricting region as whole pages clipped to [0, top): every page it
 * touches is restricted.  False when it restricts nothing there. */
static bool restriction(const struct mem_region *r, uint64_t top, uint64_t *lo, uint64_t *hi,
                        unsigned *perms)
{
    if (!kind_restricts(r->kind, perms) || r->size == 0 || r->base >= top)
        return false;
    uint64_t end = r->size > top - r->base ? top : r->base + r->size;

    *lo = r->base & ~(PAGE_4K - 1);
    *hi = (end + PAGE_4K - 1) & ~(PAGE_4K - 1);     /* <= top: top is aligned */
    return true;
}

static unsigned perms_at(const struct slat_identity_policy *p, uint64_t addr)
{
    unsigned perms = SLAT_RWX;

    for (size_t i = 0; i < p->count; i++) {
        uint64_t lo, hi;
        unsigned rp;

        if (restriction(&p->map[i], p->top, &lo, &hi, &rp) && addr >= lo && addr < hi)
            perms &= rp;
    }
    return perms;
}

/* The next restricted-region edge above addr, or top. */
static uint64_t next_edge(const struct slat_identity_policy *p, uint64_t addr)
{
    uint64_t best = p->top;

    for (size_t i = 0; i < p->count; i++) {
        uint64_t lo, hi;
        unsigned rp;

        if (!restriction(&p->map[i], p->top, &lo, &hi, &rp))
            continue;
        if (lo > addr && lo < best)
            best = lo;
        if (hi > addr && hi < best)
            best = hi;
    }
    return best;
}

/* Maps [pos, end) identity with perms, one MTRR-uniform piece at a time;
 * slat_map then picks the largest leaves each piece's alignment allows. */
static enum slat_status map_by_mtrr(struct slat_ctx *e, const struct mtrr_state *mtrr,
                                   uint64_t pos, uint64_t end, unsigned perms)
{
    while (pos < end) {
        uint8_t type = MT_UC;
        uint64_t len = end - pos;

        if (mtrr != NULL)
            len = mtrr_uniform_extent(mtrr, pos, len, &type) & ~(PAGE_4K - 1);
        if (len == 0) {
            /* MTRR edges are 4 KiB aligned, so this cannot happen; should a
             * page ever hold two types, UC is the safe one. */
            len = PAGE_4K;
            type = MT_UC;
        }
        enum slat_status st = slat_map(e, pos, pos, len, perms, type);

        if (st != SLAT_OK)
            return st;
        pos += len;
    }
    return SLAT_OK;
}

enum slat_status slat_build_identity(struct slat_ctx *e, const struct slat_identity_policy *p)
{
    return slat_build_identity_range(e, p, 0, p->top);
}

enum slat_status slat_build_identity_range(struct slat_ctx *e, const struct slat_identity_policy *p,
                                           uint64_t lo, uint64_t hi)
{
    if (((p->top | lo | hi) & (PAGE_4K - 1)) != 0)
        return SLAT_MISALIGNED;
    if (p->top > slat_gpa_limit(e))
        return SLAT_BAD_ADDRESS;
    if (hi > p->top)
        hi = p->top;

    /* Walk [lo, hi) in stretches of equal permissions; each stretch ends
     * where the permissions really change, so no leaf is split needlessly. */
    uint64_t pos = lo;
    while (pos < hi) {
        unsigned perms = perms_at(p, pos);
        uint64_t end = next_edge(p, pos);
        enum slat_status st;

        while (end < hi && perms_at(p, end) == perms)
            end = next_edge(p, end);
        if (end > hi)
            end = hi;
        if (perms == 0)
            st = slat_unmap(e, pos, end - pos);
        else
            st = map_by_mtrr(e, p->mtrr, pos, end, perms);
        if (st != SLAT_OK)
            return st;
        pos = end;
    }
    return SLAT_OK;
}

const char *slat_status_name(enum slat_status s)
{
    switch (s) {
    case SLAT_OK:          return "ok";
    case SLAT_NO_MEMORY:   return "out of memory for second-level tables";
    case SLAT_MISALIGNED:  return "address or size not 4 KiB aligned";
    case SLAT_BAD_ADDRESS: return "address beyond the second-level tables' reach";
    case SLAT_BAD_ATTR:    return "invalid second-level permissions or memory type";
    }
    return "unknown second-level table status";
}
