/*
 * Guest page-table walker (see guest_walk.h).  Entry layouts and reserved
 * bits are from the Intel SDM vol. 3A ch. 4: 4.3 (32-bit paging, tables 4-4
 * to 4-6), 4.4 (PAE paging, tables 4-8 to 4-11) and 4.5 (4-level and 5-level
 * paging, tables 4-14 to 4-20); the AMD APM vol. 2 ch. 5 describes the same
 * formats.  Each level reads one entry through the caller's callback and the
 * walk stops at the first leaf, so no input can make it loop more than the
 * mode's number of levels.
 */
#include "core/guest_walk.h"
#include "lib/pt_levels.h"

/* ---- control-register bits (SDM vol. 3A 2.5 "Control Registers", 2.2.1 EFER) */

#define CR0_PG                 (1ull << 31)
#define CR4_PSE                (1ull << 4)
#define CR4_PAE                (1ull << 5)
#define CR4_LA57               (1ull << 12)
#define EFER_LMA               (1ull << 10)
#define EFER_NXE               (1ull << 11)

/* ---- entry bits common to every paging mode ------------------------------ */

#define ENTRY_PRESENT          (1ull << 0)
#define ENTRY_PS               (1ull << 7)    /* page size: the entry maps a page */
#define ENTRY_XD               (1ull << 63)   /* execute-disable; reserved if EFER.NXE = 0 */
#define ENTRY_PAT_LARGE_BIT    12u            /* PAT bit of a large-page entry; the page
                                                 address starts above it */

#define ENTRY_TOP_BIT          63u
#define PAGE_SHIFT             12u
#define PAGE_SIZE              (1ull << PAGE_SHIFT)
#define LEVEL_PML5             5u

/* ---- MAXPHYADDR ------------------------------------------------------------ */

#define MAXPHYADDR_MIN         36u     /* every CPU with PAE and long mode has at least this */
#define MAXPHYADDR_MAX         52u     /* the architectural limit (SDM vol. 3A 4.1.4) */

/* ---- 32-bit paging (SDM vol. 3A 4.3) ---------------------------------------- */

#define LINEAR_32_MASK         0xffffffffull
#define ENTRY32_SIZE           4u
#define ENTRY32_ADDR_MASK      0xfffff000ull  /* bits 31:12: the next table or the 4 KiB page */
#define ENTRY32_TOP_BIT        31u
#define PD32_INDEX_SHIFT       22u            /* linear bits 31:22 select the PDE */
#define PT32_INDEX_SHIFT       12u            /* linear bits 21:12 select the PTE */
#define TABLE32_INDEX_MASK     0x3ffu         /* 1024 entries per table */
#define PAGE_4M_SHIFT          22u
/* PSE-36: a 4 MiB PDE holds physical-address bits (M-1):32 in its bits
 * (M-20):13, where M = min(MAXPHYADDR, 40) (table 4-4). */
#define PSE36_LOW_BIT          13u
#define PSE36_HIGH_ADDR_SHIFT  32u
#define PSE36_MAX_ADDR_BITS    40u
#define PSE36_RESERVED_TOP     21u            /* bits 21:(M-19) are reserved */

/* ---- PAE paging (SDM vol. 3A 4.4) ------------------------------------------- */

#define PAE_CR3_PDPT_MASK      0xffffffe0ull  /* CR3 bits 31:5: the 32-byte-aligned PDPT */
#define PAE_PDPT_INDEX_SHIFT   30u            /* linear bits 31:30 select one of 4 PDPTEs */
#define PAE_PDPT_INDEX_MASK    0x3u
/* PDPTE bits 2:1 and 8:5 are reserved; so are 63:M (there is no XD bit in a
 * PDPTE) (table 4-8). */
#define PAE_PDPTE_RESERVED_LOW 0x1e6ull
#define PAE_ADDR_RESERVED_TOP  62u            /* PDE/PTE bits 62:M reserved, 63 is XD */
#define PAE_PDPTE_RESERVED_TOP ENTRY_TOP_BIT

/* ---- 4-level and 5-level paging (SDM vol. 3A 4.5) --------------------------- */

#define ENTRY_SIZE             8u
#define LONG_ADDR_RESERVED_TOP 51u            /* bits 51:M reserved; 62:52 ignored or PKEY */
#define CANONICAL_BITS_4LEVEL  48u            /* bits 63:47 equal bit 47 */
#define CANONICAL_BITS_5LEVEL  57u            /* bits 63:56 equal bit 56 */

/* Bits lo..hi inclusive (lo <= hi <= 63); an empty mask when lo > hi. */
static uint64_t bit_range(unsigned lo, unsigned hi)
{
    uint64_t upto_hi;

    if (lo > hi)
        return 0;
    upto_hi = hi >= ENTRY_TOP_BIT ? ~0ull : (1ull << (hi + 1)) - 1;
    return upto_hi & ~((1ull << lo) - 1);
}

static unsigned clamp_maxphyaddr(unsigned maxphyaddr)
{
    if (maxphyaddr < MAXPHYADDR_MIN)
        return MAXPHYADDR_MIN;
    if (maxphyaddr > MAXPHYADDR_MAX)
        return MAXPHYADDR_MAX;
    return maxphyaddr;
}

/* Is linear canonical for a CPU that implements `bits` linear-address bits:
 * bits 63:(bits-1) all equal (SDM vol. 1 3.3.7.1). */
static bool is_canonical(uint64_t linear, unsigned bits)
{
    uint64_t top = linear >> (bits - 1);

    return top == 0 || top == (~0ull >> (bits - 1));
}

/* ---- reading entries ------------------------------------------------------- */

static bool read_entry64(guest_phys_read_fn read, void *ctx, uint64_t gpa, uint64_t *entry)
{
    uint8_t raw[ENTRY_SIZE];

    if (!read(ctx, gpa, raw, sizeof(raw)))
        return false;
    __builtin_memcpy(entry, raw, sizeof(raw));       /* x86 tables are little-endian, as is Kestrel */
    return true;
}

static bool read_entry32(guest_phys_read_fn read, void *ctx, uint64_t gpa, uint32_t *entry)
{
    uint8_t raw[ENTRY32_SIZE];

    if (!read(ctx, gpa, raw, sizeof(raw)))
        return false;
    __builtin_memcpy(entry, raw, sizeof(raw));
    return true;
}

/* ---- no paging and 32-bit paging ------------------------------------------- */

/* CR0.PG = 0: linear addresses are physical addresses (SDM vol. 3A 4.1.1);
 * outside IA-32e mode they are 32 bits wide. */
static enum guest_walk_status walk_none(uint64_t linear, uint64_t *gpa)
{
    *gpa = linear & LINEAR_32_MASK;
    return GUEST_WALK_OK;
}

/* The physical address a 4 MiB PDE maps (table 4-4), or false if one of its
 * reserved bits is set. */
static bool pde32_large_page(uint32_t pde, unsigned maxphyaddr, uint64_t *base)
{
    unsigned m = maxphyaddr < PSE36_MAX_ADDR_BITS ? maxphyaddr : PSE36_MAX_ADDR_BITS;
    unsigned high_bits = m - PSE36_HIGH_ADDR_SHIFT;           /* physical bits (M-1):32 */
    uint64_t reserved = bit_range(PSE36_LOW_BIT + high_bits, PSE36_RESERVED_TOP);
    uint64_t high = (pde >> PSE36_LOW_BIT) & ((1ull << high_bits) - 1);

    if (pde & reserved)
        return false;
    *base = (pde & bit_range(PAGE_4M_SHIFT, ENTRY32_TOP_BIT)) | high << PSE36_HIGH_ADDR_SHIFT;
    return true;
}

/* 32-bit paging (SDM vol. 3A 4.3): a 1024-entry PD at CR3[31:12], then
 * either a 4 MiB page (CR4.PSE = 1 and PDE.PS = 1) or a 1024-entry PT.  Only
 * 4 MiB PDEs have reserved bits; CR4.PSE = 0 makes PDE.PS ignored. */
static enum guest_walk_status walk_32bit(const struct guest_paging *p, unsigned maxphyaddr,
                                         uint64_t linear, guest_phys_read_fn read, void *ctx,
                                         uint64_t *gpa)
{
    uint32_t pde, pte;
    uint64_t pd = p->cr3 & ENTRY32_ADDR_MASK, pte_addr;
    uint64_t pde_addr = pd + ((linear >> PD32_INDEX_SHIFT) & TABLE32_INDEX_MASK) * ENTRY32_SIZE;

    if (!read_entry32(read, ctx, pde_addr, &pde))
        return GUEST_WALK_UNREADABLE;
    if (!(pde & ENTRY_PRESENT))
        return GUEST_WALK_NOT_PRESENT;
    if ((p->cr4 & CR4_PSE) && (pde & ENTRY_PS)) {
        uint64_t base;

        if (!pde32_large_page(pde, maxphyaddr, &base))
            return GUEST_WALK_RESERVED;
        *gpa = base | (linear & ((1ull << PAGE_4M_SHIFT) - 1));
        return GUEST_WALK_OK;
    }
    pte_addr = (pde & ENTRY32_ADDR_MASK) +
               ((linear >> PT32_INDEX_SHIFT) & TABLE32_INDEX_MASK) * ENTRY32_SIZE;
    if (!read_entry32(read, ctx, pte_addr, &pte))
        return GUEST_WALK_UNREADABLE;
    if (!(pte & ENTRY_PRESENT))
        return GUEST_WALK_NOT_PRESENT;
    *gpa = (pte & ENTRY32_ADDR_MASK) | (linear & (PAGE_SIZE - 1));
    return GUEST_WALK_OK;
}

/* ---- 64-bit entries: PAE, 4-level and 5-level paging ------------------------ */

struct walk64 {
    uint64_t addr_mask;          /* bits (M-1):12: the next table or the page */
    uint64_t reserved;           /* reserved in every entry: address bits at and above M,
                                    and XD when EFER.NXE = 0 */
};

/* Reserved bits of a large-page leaf between its PAT bit (12) and the page
 * address: bits 20:13 of a 2 MiB PDE, 29:13 of a 1 GiB PDPTE (tables 4-9,
 * 4-16, 4-17). */
static uint64_t large_page_reserved(unsigned level)
{
    return bit_range(ENTRY_PAT_LARGE_BIT + 1, level_shift(level) - 1);
}

/* Walks from `level` down (5 = PML5 ... 1 = PT) starting at the table at
 * `table`.  Entries at levels 4 and 5 cannot map pages: their PS bit is
 * reserved (tables 4-14, 4-15); a PDPTE with PS maps 1 GiB, a PDE 2 MiB.
 * PAE paging enters at level 2, its PDPTEs having a format of their own. */
static enum guest_walk_status walk_levels(const struct walk64 *w, unsigned level, uint64_t table,
                                          uint64_t linear, guest_phys_read_fn read, void *ctx,
                                          uint64_t *gpa)
{
    for (; level >= LEVEL_PT; level--) {
        uint64_t entry, reserved = w->reserved;
        uint64_t entry_addr = table + (uint64_t)table_index(linear, level) * ENTRY_SIZE;
        bool leaf;

        if (!read_entry64(read, ctx, entry_addr, &entry))
            return GUEST_WALK_UNREADABLE;
        /* A not-present entry's other bits are ignored (SDM vol. 3A 4.7). */
        if (!(entry & ENTRY_PRESENT))
            return GUEST_WALK_NOT_PRESENT;
        if (level >= LEVEL_PML4)
            reserved |= ENTRY_PS;
        leaf = level == LEVEL_PT || ((entry & ENTRY_PS) && level <= LEVEL_PDPT);
        if (leaf && level > LEVEL_PT)
            reserved |= large_page_reserved(level);
        if (entry & reserved)
            return GUEST_WALK_RESERVED;
        if (leaf) {
            uint64_t offset_mask = level_size(level) - 1;

            *gpa = (entry & w->addr_mask & ~offset_mask) | (linear & offset_mask);
            return GUEST_WALK_OK;
        }
        table = entry & w->addr_mask;
    }
    return GUEST_WALK_RESERVED;     /* not reached: level 1 is always a leaf */
}

static struct walk64 walk64_rules(const struct guest_paging *p, unsigned maxphyaddr,
                                  unsigned reserved_top)
{
    struct walk64 w = {
        .addr_mask = bit_range(PAGE_SHIFT, maxphyaddr - 1),
        .reserved = bit_range(maxphyaddr, reserved_top),
    };

    if (!(p->efer & EFER_NXE))
        w.reserved |= ENTRY_XD;
    return w;
}

/*
 * PAE paging (SDM vol. 3A 4.4): four PDPTEs at CR3[31:5], then 2 MiB pages
 * or 4 KiB pages.  A real CPU loads the four PDPTEs into internal registers
 * when CR3 is loaded (and #GPs then on a reserved bit) and does not reread
 * them from memory until the next load (4.4.1); with EPT they are in the
 * VMCS guest-PDPTE fields.  Here they are read from memory: the result
 * differs only for a guest that rewrote its PDPT without reloading CR3.
 */
static enum guest_walk_status walk_pae(const struct guest_paging *p, unsigned maxphyaddr,
                                       uint64_t linear, guest_phys_read_fn read, void *ctx,
                                       uint64_t *gpa)
{
    struct walk64 w = walk64_rules(p, maxphyaddr, PAE_ADDR_RESERVED_TOP);
    uint64_t pdpte;
    uint64_t pdpte_addr = (p->cr3 & PAE_CR3_PDPT_MASK) +
                          ((linear >> PAE_PDPT_INDEX_SHIFT) & PAE_PDPT_INDEX_MASK) * ENTRY_SIZE;

    if (!read_entry64(read, ctx, pdpte_addr, &pdpte))
        return GUEST_WALK_UNREADABLE;
    if (!(pdpte & ENTRY_PRESENT))
        return GUEST_WALK_NOT_PRESENT;
    if (pdpte & (PAE_PDPTE_RESERVED_LOW | bit_range(maxphyaddr, PAE_PDPTE_RESERVED_TOP)))
        return GUEST_WALK_RESERVED;
    return walk_levels(&w, LEVEL_PD, pdpte & w.addr_mask, linear & LINEAR_32_MASK, read, ctx, gpa);
}

/* 4-level and 5-level paging (SDM vol. 3A 4.5): the root table at
 * CR3[M-1:12] (CR3 bits 11:0 are flags or the PCID); a linear address must
 * be canonical or the access would have faulted (#GP or #SS). */
static enum guest_walk_status walk_long(const struct guest_paging *p, unsigned maxphyaddr,
                                        uint64_t linear, guest_phys_read_fn read, void *ctx,
                                        uint64_t *gpa)
{
    bool five_level = (p->cr4 & CR4_LA57) != 0;
    struct walk64 w = walk64_rules(p, maxphyaddr, LONG_ADDR_RESERVED_TOP);

    if (!is_canonical(linear, five_level ? CANONICAL_BITS_5LEVEL : CANONICAL_BITS_4LEVEL))
        return GUEST_WALK_NON_CANONICAL;
    return walk_levels(&w, five_level ? LEVEL_PML5 : LEVEL_PML4, p->cr3 & w.addr_mask, linear,
                       read, ctx, gpa);
}

/* ---- the public entry points ----------------------------------------------- */

const char *guest_walk_status_name(enum guest_walk_status s)
{
    switch (s) {
    case GUEST_WALK_OK:
        return "ok";
    case GUEST_WALK_NOT_PRESENT:
        return "not present";
    case GUEST_WALK_RESERVED:
        return "reserved bit set";
    case GUEST_WALK_UNREADABLE:
        return "not readable guest memory";
    case GUEST_WALK_NON_CANONICAL:
        return "non-canonical address";
    }
    return "unknown walk status";
}

/*
 * The paging mode comes from CR0.PG, CR4.PAE and EFER.LMA (SDM vol. 3A 4.1.1,
 * table 4-1); CR4.LA57 matters only with LMA = 1.  LMA = 1 without PG and
 * PAE is a state the CPU cannot enter (LMA = PG & LME, and setting PG with
 * LME = 1 and PAE = 0 #GPs, 4.1.2), and VM entry refuses it: report it as
 * reserved rather than guess a mode.
 */
enum guest_walk_status guest_walk(const struct guest_paging *p, unsigned maxphyaddr,
                                  uint64_t linear, guest_phys_read_fn read, void *ctx,
                                  uint64_t *gpa)
{
    bool paging = (p->cr0 & CR0_PG) != 0, pae = (p->cr4 & CR4_PAE) != 0;
    bool lma = (p->efer & EFER_LMA) != 0;
    enum guest_walk_status status;

    *gpa = 0;
    maxphyaddr = clamp_maxphyaddr(maxphyaddr);
    if (lma && !(paging && pae))
        return GUEST_WALK_RESERVED;
    if (!paging)
        return walk_none(linear, gpa);
    if (lma)
        status = walk_long(p, maxphyaddr, linear, read, ctx, gpa);
    else if (pae)
        status = walk_pae(p, maxphyaddr, linear, read, ctx, gpa);
    else
        status = walk_32bit(p, maxphyaddr, linear & LINEAR_32_MASK, read, ctx, gpa);
    if (status != GUEST_WALK_OK)
        *gpa = 0;
    return status;
}

enum guest_walk_status guest_read_linear(const struct guest_paging *p, unsigned maxphyaddr,
                                         uint64_t linear, void *buf, size_t len,
                                         guest_phys_read_fn read, void *ctx)
{
    uint8_t *out = buf;
    size_t done = 0;

    /* Each pass covers the rest of one 4 KiB page, so a read never crosses
     * a page: consecutive linear pages may map anywhere (or nowhere). */
    while (done < len) {
        uint64_t at = linear + done, gpa;
        size_t room = (size_t)(PAGE_SIZE - (at & (PAGE_SIZE - 1)));
        size_t chunk = len - done < room ? len - done : room;
        enum guest_walk_status status = guest_walk(p, maxphyaddr, at, read, ctx, &gpa);

        if (status != GUEST_WALK_OK)
            return status;
        if (!read(ctx, gpa, out + done, chunk))
            return GUEST_WALK_UNREADABLE;
        done += chunk;
    }
    return GUEST_WALK_OK;
}
