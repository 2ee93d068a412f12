/*
 * Each CPU's GDT: the common kernel segments, ring-3 code and data (for
 * the ring-3 cases, ring3.c), and a 64-bit TSS of its own.  One table per
 * CPU because LTR marks the TSS descriptor busy in the table, and a busy
 * descriptor cannot be loaded again by the next CPU; one TSS per CPU
 * because RSP0 and the IST stacks (the #DB loop's, cases_debug.c) are that
 * CPU's.
 */
#include <stddef.h>

#include "guest/common/gdt.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"

/* Selectors beyond the common GDT_CODE64 / GDT_DATA (ring3.asm repeats the
 * user ones). */
#define GDT_USER_DATA   0x18
#define GDT_USER_CODE64 0x20
#define GDT_TSS         0x28            /* a 16-byte descriptor: two slots */
#define GDT_SLOTS       7
#define IST_SLOTS       7

/* 64-bit TSS descriptor fields (SDM vol. 3A 8.2.3). */
#define TSS_TYPE_AVAILABLE64 0x9ull
#define DESC_PRESENT         (1ull << 47)

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[IST_SLOTS];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "the 64-bit TSS is 104 bytes");
_Static_assert(offsetof(struct tss64, rsp0) == 4, "ring3.asm writes RSP0 at +4");

static struct tss64 tss[HOSTILE_MAX_CPUS] __attribute__((aligned(16)));
static uint64_t gdt[HOSTILE_MAX_CPUS][GDT_SLOTS] __attribute__((aligned(16)));

static const uint64_t gdt_template[GDT_SLOTS] = {
    0,
    [GDT_CODE64 / 8] = DESC_CODE64,
    [GDT_DATA / 8] = DESC_DATA,
    [GDT_USER_DATA / 8] = DESC_USER_DATA,
    [GDT_USER_CODE64 / 8] = DESC_USER_CODE64,
};

void cpu_tables_load(unsigned index)
{
    if (index >= HOSTILE_MAX_CPUS)
        return;
    struct tss64 *t = &tss[index];
    uint64_t *table = gdt[index];
    uint64_t base = (uint64_t)t;
    uint64_t limit = sizeof(*t) - 1;

    /* An I/O map base at the limit: no I/O bitmap, so with IOPL 0 every
     * port access from ring 3 faults. */
    t->iomap_base = sizeof(*t);
    for (unsigned i = 0; i < GDT_SLOTS; i++)
        table[i] = gdt_template[i];
    table[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
                         TSS_TYPE_AVAILABLE64 << 40 | DESC_PRESENT | (limit >> 16 & 0xf) << 48 |
                         (base >> 24 & 0xff) << 56;
    table[GDT_TSS / 8 + 1] = base >> 32;
    gdt_load_table(table, sizeof(gdt[index]));
    load_tr(GDT_TSS);
}

struct tss64 *cpu_tss(unsigned index)
{
    return index < HOSTILE_MAX_CPUS ? &tss[index] : NULL;
}

/* ist: 1..7, as an IDT gate names it. */
void tss_set_ist(struct tss64 *t, unsigned ist, uint64_t rsp)
{
    if (ist >= 1 && ist <= IST_SLOTS)
        t->ist[ist - 1] = rsp;
}
