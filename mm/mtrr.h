/*
 * MTRR memory-type resolution (Intel SDM vol. 3A, "Memory Cache Control",
 * the MTRR sections).  Pure code: the caller reads the MSRs once into a
 * struct mtrr_state; everything here is arithmetic on that snapshot, so the
 * same file runs in the kernel and in the host unit tests.
 *
 * Why Kestrel needs it: with EPT on, the MTRRs no longer apply to guest
 * accesses (SDM vol. 3C, "EPT and Memory Typing": the EPT memory type takes
 * the MTRR type's place), so the EPT leaves must carry the type the MTRRs
 * would have given each address.
 */
#ifndef KESTREL_MM_MTRR_H
#define KESTREL_MM_MTRR_H

#include <stdbool.h>
#include <stdint.h>

/* Memory-type encodings shared by MTRRs, PAT and EPT leaves. */
enum mem_type {
    MT_UC = 0,
    MT_WC = 1,
    MT_WT = 4,
    MT_WP = 5,
    MT_WB = 6,
    MT_UC_MINUS = 7,             /* PAT only */
};

#define MTRR_MAX_VARIABLE 32

/* Register fields (SDM vol. 3A, "Memory Type Range Registers"), for the
 * code that reads the real MTRRs and the guest's shadow copies alike. */
#define MTRRCAP_VCNT_MASK           0xffull          /* IA32_MTRRCAP: variable ranges */
#define MTRRCAP_FIX                 (1ull << 8)      /* fixed ranges supported */
#define MTRRCAP_SMRR                (1ull << 11)     /* SMM range registers supported */
#define MTRR_DEF_TYPE_TYPE_MASK     0xffull          /* IA32_MTRR_DEF_TYPE: default type */
#define MTRR_DEF_TYPE_FE            (1ull << 10)     /* fixed ranges enabled */
#define MTRR_DEF_TYPE_E             (1ull << 11)     /* MTRRs enabled */
#define MTRR_PHYSBASE_TYPE_MASK     0xffull          /* IA32_MTRR_PHYSBASEn: type */
#define MTRR_PHYSBASE_RESERVED_LOW  0xf00ull         /* bits 11:8 */
#define MTRR_PHYSMASK_VALID         (1ull << 11)     /* IA32_MTRR_PHYSMASKn: V */
#define MTRR_PHYSMASK_RESERVED_LOW  0x7ffull         /* bits 10:0 */

/* Number of fixed-range MSRs and where the fixed ranges end. */
#define MTRR_FIXED_MSRS 11
#define MTRR_FIXED_TOP  0x100000ull

struct mtrr_state {
    bool enabled;            /* IA32_MTRR_DEF_TYPE.E (bit 11) */
    bool fixed_enabled;      /* IA32_MTRR_DEF_TYPE.FE (bit 10), and MTRRCAP.FIX (bit 8) */
    uint8_t default_type;    /* IA32_MTRR_DEF_TYPE bits 7:0 */
    uint64_t fixed[MTRR_FIXED_MSRS];
                             /* raw MSRs 0x250 (64K_00000), 0x258 (16K_80000),
                              * 0x259 (16K_A0000), 0x268..0x26f (4K_C0000..4K_F8000),
                              * in that order */
    unsigned var_count;      /* MTRRCAP.VCNT bits 7:0, capped at MTRR_MAX_VARIABLE */
    struct { uint64_t base, mask; } var[MTRR_MAX_VARIABLE];
                             /* raw PHYSBASEn/PHYSMASKn (valid = mask bit 11) */
    unsigned phys_addr_bits; /* MAXPHYADDR from CPUID 0x80000008 (0: unknown, taken as 36) */
};

/*
 * The MTRR memory type of the byte at addr: one of MT_UC, MT_WC, MT_WT,
 * MT_WP, MT_WB (reserved encodings in the registers count as UC).  Address
 * bits at and above phys_addr_bits take no part in variable-range matching,
 * as in hardware.
 */
uint8_t mtrr_type_at(const struct mtrr_state *s, uint64_t addr);

/* True and *type when every byte of [base, base+size) has one type.  A range
 * that wraps past 2^64 is never uniform; size 0 is (with the type at base). */
bool mtrr_range_uniform(const struct mtrr_state *s, uint64_t base, uint64_t size, uint8_t *type);

/*
 * The largest size <= limit such that [base, base+size) is uniform, and its
 * type in *type (may be NULL).  Steps from one change point to the next
 * (fixed-range granules below 1 MiB, variable-range edges above), not page
 * by page; the cost grows with the number of range edges crossed, which is
 * small for the contiguous masks firmware programs.  The result is capped
 * so that base+size does not pass 2^64.
 */
uint64_t mtrr_uniform_extent(const struct mtrr_state *s, uint64_t base, uint64_t limit, uint8_t *type);

/* "UC", "WC", "WT", "WP", "WB", "UC-", or "reserved". */
/* The fixed-range MTRR MSRs in struct mtrr_state order: FIX64K_00000,
 * FIX16K_80000, FIX16K_A0000, FIX4K_C0000..FIX4K_F8000. */
extern const uint32_t mtrr_fixed_msrs[MTRR_FIXED_MSRS];

/* Reads this CPU's MTRRs (mm/mtrr_read.c; the kernel only). */
void mtrr_read_state(struct mtrr_state *s);

const char *mem_type_name(uint8_t t);

#endif
