/*
 * Extended page tables (see mm/ept.h).
 *
 * Levels are numbered as the CPU walks them: 4 = PML4, 3 = PDPT, 2 = PD,
 * 1 = PT.  A leaf at level 3 maps 1 GiB, at level 2 2 MiB (bit 7 set).
 * Entry format (SDM vol. 3C, "EPT Translation Mechanism"): bits 2:0 read /
 * write / execute (all clear = not present), bits 5:3 memory type and bit 6
 * ignore-PAT in leaves, bit 7 large page, bits 51:12 the address.  Non-leaf
 * entries are RWX: the leaves alone decide what the guest may do.
 */
#include "mm/ept.h"
#include "lib/pt_levels.h"

#define PAGE_4K      0x1000ull

/* Leaf bits compared when deciding whether a mapping already holds. */
#define LEAF_ATTR_BITS (EPT_ENTRY_PERMS | EPT_ENTRY_MEMTYPE | EPT_ENTRY_IGNORE_PAT)

/* Tables are reached through their physical address (see the header). */
static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ENTRY_ADDR);
}

/* Not present = no access at all (bits 2:0 clear). */
static bool is_present(uint64_t entry)
{
    return (entry & EPT_ENTRY_PERMS) != 0;
}

/* Only PDPTEs and PDEs can be large; in a PML4E bit 7 is reserved and in a
 * PTE the entry is always a leaf. */
static bool is_large_leaf(uint64_t entry, unsigned level)
{
    return (level == LEVEL_PDPT || level == LEVEL_PD) && (entry & EPT_ENTRY_LARGE) != 0;
}

static bool is_table(uint64_t entry, unsigned level)
{
    return level > LEVEL_PT && is_present(entry) && !is_large_leaf(entry, level);
}

static bool leaf_allowed(const struct ept_ctx *e, unsigned level)
{
    if (level == LEVEL_PDPT)
        return (e->allow & EPT_ALLOW_1G) != 0;
    if (level == LEVEL_PD)
        return (e->allow & EPT_ALLOW_2M) != 0;
    return level == LEVEL_PT;
}

/* Entries in tables the CPU may be walking are written with one release
 * store: whole, and after everything written before them (such as the
 * contents of a freshly filled table). */
static void write_entry(uint64_t *entry, uint64_t value)
{
    __atomic_store_n(entry, value, __ATOMIC_RELEASE);
}

static uint64_t make_leaf(uint64_t hpa, uint64_t attrs, unsigned level)
{
    return (hpa & EPT_ENTRY_ADDR) | attrs | (level > LEVEL_PT ? EPT_ENTRY_LARGE : 0);
}

/* The host address a leaf at level maps gpa to. */
static uint64_t leaf_target(uint64_t entry, unsigned level, uint64_t gpa)
{
    uint64_t offset = level_size(level) - 1;

    return (entry & EPT_ENTRY_ADDR & ~offset) | (gpa & offset);
}

static uint64_t alloc_table(struct ept_ctx *e)
{
    uint64_t page = e->alloc(e->alloc_ctx);

    if (page != 0)
        e->tables++;
    return page;
}

/* A new, empty table linked in at *entry. */
static enum ept_status add_table(struct ept_ctx *e, uint64_t *entry)
{
    uint64_t page = alloc_table(e);

    if (page == 0)
        return EPT_NO_MEMORY;
    uint64_t *t = (uint64_t *)(uintptr_t)page;
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        t[i] = 0;
    write_entry(entry, (page & EPT_ENTRY_ADDR) | EPT_RWX);
    return EPT_OK;
}

/*
 * Replaces the large leaf at *entry with a table of 512 next-size leaves that
 * map the same addresses with the same bits (A/D included).  A 1 GiB leaf
 * becomes 2 MiB leaves: every CPU with 1 GiB EPT pages has 2 MiB ones too.
 */
static enum ept_status split_leaf(struct ept_ctx *e, uint64_t *entry, unsigned level)
{
    uint64_t page = alloc_table(e);

    if (page == 0)
        return EPT_NO_MEMORY;

    uint64_t *t = (uint64_t *)(uintptr_t)page;
    uint64_t old = *entry;
    uint64_t base = old & EPT_ENTRY_ADDR & ~(level_size(level) - 1);
    uint64_t keep = old & ~(EPT_ENTRY_ADDR | EPT_ENTRY_LARGE);
    uint64_t step = level_size(level - 1);

    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        t[i] = make_leaf(base + i * step, keep, level - 1);
    write_entry(entry, (page & EPT_ENTRY_ADDR) | EPT_RWX);
    return EPT_OK;
}

static enum ept_status set_range(struct ept_ctx *e, uint64_t *table, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs);

/*
 * Sets [gpa, end), which lies within what *entry (at level) covers, to map
 * to hpa onwards with attrs (perms | memory type), or clears it when attrs
 * is 0.
 */
static enum ept_status set_entry(struct ept_ctx *e, uint64_t *entry, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs)
{
    uint64_t span = level_size(level);
    bool whole = (gpa & (span - 1)) == 0 && end - gpa == span;
    enum ept_status st;

    if (whole && leaf_allowed(e, level) && (hpa & (span - 1)) == 0 && !is_table(*entry, level)) {
        write_entry(entry, attrs != 0 ? make_leaf(hpa, attrs, level) : 0);
        return EPT_OK;
    }

    /* Only part of this entry changes, or a table below it is kept. */
    if (!is_present(*entry)) {
        if (attrs == 0)
            return EPT_OK;                     /* already unmapped */
        st = add_table(e, entry);
        if (st != EPT_OK)
            return st;
    } else if (is_large_leaf(*entry, level)) {
        if (attrs != 0 && leaf_target(*entry, level, gpa) == hpa &&
            (*entry & LEAF_ATTR_BITS) == attrs)
            return EPT_OK;                     /* the large leaf already says so */
        st = split_leaf(e, entry, level);
        if (st != EPT_OK)
            return st;
    }
    return set_range(e, table_of(*entry), level - 1, gpa, end, hpa, attrs);
}

/* Applies set_entry to every entry of the table at level that [gpa, end)
 * touches; the range lies inside what the table covers. */
static enum ept_status set_range(struct ept_ctx *e, uint64_t *table, unsigned level,
                                 uint64_t gpa, uint64_t end, uint64_t hpa, uint64_t attrs)
{
    uint64_t span = level_size(level);

    while (gpa < end) {
        uint64_t entry_base = gpa & ~(span - 1);
        uint64_t chunk_end = end - entry_base < span ? end : entry_base + span;
        enum ept_status st = set_entry(e, &table[table_index(gpa, level)], level,
                                       gpa, chunk_end, hpa, attrs);

        if (st != EPT_OK)
            return st;
        hpa += chunk_end - gpa;
        gpa = chunk_end;
    }
    return EPT_OK;
}

static enum ept_status check_gpa_range(uint64_t gpa, uint64_t size)
{
    if (((gpa | size) & (PAGE_4K - 1)) != 0)
        return EPT_MISALIGNED;
    if (gpa >= EPT_GPA_LIMIT || size > EPT_GPA_LIMIT - gpa)
        return EPT_BAD_ADDRESS;
    return EPT_OK;
}

static bool memtype_valid(uint8_t t)
{
    return t == MT_UC || t == MT_WC || t == MT_WT || t == MT_WP || t == MT_WB;
}

enum ept_status ept_init(struct ept_ctx *e)
{
    e->tables = 0;
    uint64_t page = alloc_table(e);

    if (page == 0)
        return EPT_NO_MEMORY;
    e->pml4 = (uint64_t *)(uintptr_t)page;
    for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
        e->pml4[i] = 0;
    return EPT_OK;
}

enum ept_status ept_map(struct ept_ctx *e, uint64_t gpa, uint64_t hpa, uint64_t size,
                        unsigned perms, uint8_t memtype)
{
    enum ept_status st = check_gpa_range(gpa, size);

    if (st != EPT_OK)
        return st;
    if ((hpa & (PAGE_4K - 1)) != 0)
        return EPT_MISALIGNED;
    if (hpa >= EPT_HPA_LIMIT || size > EPT_HPA_LIMIT - hpa)
        return EPT_BAD_ADDRESS;
    if (perms == 0)
        return ept_unmap(e, gpa, size);
    /* Write without read is an EPT misconfiguration (SDM 3C, "EPT
     * Misconfigurations"), as are reserved memory types. */
    if ((perms & ~EPT_RWX) != 0 || ((perms & EPT_WRITE) && !(perms & EPT_READ)) ||
        !memtype_valid(memtype))
        return EPT_BAD_ATTR;
    if (size == 0)
        return EPT_OK;

    uint64_t attrs = perms | ((uint64_t)memtype << EPT_ENTRY_MEMTYPE_SHIFT);

    return set_range(e, e->pml4, LEVEL_PML4, gpa, gpa + size, hpa, attrs);
}

enum ept_status ept_unmap(struct ept_ctx *e, uint64_t gpa, uint64_t size)
{
    enum ept_status st = check_gpa_range(gpa, size);

    if (st != EPT_OK)
        return st;
    if (size == 0)
        return EPT_OK;
    return set_range(e, e->pml4, LEVEL_PML4, gpa, gpa + size, 0, 0);
}

int ept_translate(const uint64_t *pml4, uint64_t gpa, uint64_t *hpa, unsigned *perms,
                  uint8_t *memtype, uint64_t *page_size)
{
    const uint64_t *table = pml4;

    if (gpa >= EPT_GPA_LIMIT)
        return -1;
    for (unsigned level = LEVEL_PML4;; level--) {
        uint64_t entry = table[table_index(gpa, level)];

        if (!is_present(entry))
            return -1;
        if (level == LEVEL_PT || is_large_leaf(entry, level)) {
            if (hpa != NULL)
                *hpa = leaf_target(entry, level, gpa);
            if (perms != NULL)
                *perms = (unsigned)(entry & EPT_ENTRY_PERMS);
            if (memtype != NULL)
                *memtype = (uint8_t)((entry & EPT_ENTRY_MEMTYPE) >> EPT_ENTRY_MEMTYPE_SHIFT);
            if (page_size != NULL)
                *page_size = level_size(level);
            return 0;
        }
        table = table_of(entry);
    }
}

uint64_t ept_pointer(const struct ept_ctx *e, bool accessed_dirty)
{
    return ((uint64_t)(uintptr_t)e->pml4 & EPT_ENTRY_ADDR) | EPTP_MEMTYPE_WB |
           EPTP_WALK_4_LEVELS | (accessed_dirty ? EPTP_ACCESSED_DIRTY : 0);
}

/* ---- the identity map ---------------------------------------------------- */

/* What a region kind takes away from the guest: false when nothing (RWX). */
static bool kind_restricts(uint32_t kind, unsigned *perms)
{
    switch (kind) {
    case MEM_HYPERVISOR:   *perms = 0;                    return true;
    case MEM_RUNTIME_CODE: *perms = EPT_READ | EPT_EXEC;  return true;
    case MEM_RUNTIME_DATA: *perms = EPT_READ;             return true;
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

static unsigned perms_at(const struct ept_identity_policy *p, uint64_t addr)
{
    unsigned perms = EPT_RWX;

    for (size_t i = 0; i < p->count; i++) {
        uint64_t lo, hi;
        unsigned rp;

        if (restriction(&p->map[i], p->top, &lo, &hi, &rp) && addr >= lo && addr < hi)
            perms &= rp;
    }
    return perms;
}

/* The next restricted-region edge above addr, or top. */
static uint64_t next_edge(const struct ept_identity_policy *p, uint64_t addr)
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
 * ept_map then picks the largest leaves each piece's alignment allows. */
static enum ept_status map_by_mtrr(struct ept_ctx *e, const struct mtrr_state *mtrr,
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
        enum ept_status st = ept_map(e, pos, pos, len, perms, type);

        if (st != EPT_OK)
            return st;
        pos += len;
    }
    return EPT_OK;
}

enum ept_status ept_build_identity(struct ept_ctx *e, const struct ept_identity_policy *p)
{
    if ((p->top & (PAGE_4K - 1)) != 0)
        return EPT_MISALIGNED;
    if (p->top > EPT_GPA_LIMIT)
        return EPT_BAD_ADDRESS;

    /* Walk [0, top) in stretches of equal permissions; each stretch ends
     * where the permissions really change, so no leaf is split needlessly. */
    uint64_t pos = 0;
    while (pos < p->top) {
        unsigned perms = perms_at(p, pos);
        uint64_t end = next_edge(p, pos);
        enum ept_status st;

        while (end < p->top && perms_at(p, end) == perms)
            end = next_edge(p, end);
        if (perms == 0)
            st = ept_unmap(e, pos, end - pos);
        else
            st = map_by_mtrr(e, p->mtrr, pos, end, perms);
        if (st != EPT_OK)
            return st;
        pos = end;
    }
    return EPT_OK;
}

const char *ept_status_name(enum ept_status s)
{
    switch (s) {
    case EPT_OK:          return "ok";
    case EPT_NO_MEMORY:   return "out of memory for EPT tables";
    case EPT_MISALIGNED:  return "address or size not 4 KiB aligned";
    case EPT_BAD_ADDRESS: return "address beyond the EPT's reach";
    case EPT_BAD_ATTR:    return "invalid EPT permissions or memory type";
    }
    return "unknown EPT status";
}
