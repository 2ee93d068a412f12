/*
 * The built-in benchmark guest: on the BSP only, it times the round trip
 * of each kind of exit Kestrel handles (main.c) with loops written in
 * assembly (loops.asm).  The runtime is guest/common/.
 */
#ifndef KESTREL_GUEST_BENCH_H
#define KESTREL_GUEST_BENCH_H

#include <stdbool.h>
#include <stdint.h>

/* The self-IPI vector of the external-interrupt measurement. */
#define BENCH_VECTOR 0x41

/* loops.asm: TSC ticks for `iterations` (>= 1) runs of each body. */
uint64_t loop_plain(uint64_t iterations);
uint64_t loop_cpuid(uint64_t iterations);
uint64_t loop_vmcall(uint64_t iterations);
uint64_t loop_vmmcall(uint64_t iterations);
uint64_t loop_rdmsr(uint64_t iterations);
uint64_t loop_in(uint64_t iterations);
uint64_t loop_external_interrupt(uint64_t iterations);   /* interrupts on */

/* ipi.c */
void bench_ipi_install(void);
void bench_ipi_round_trip(void);   /* the body of loop_external_interrupt */
bool bench_ipi_lost(void);         /* a self-IPI never arrived: figures meaningless */
/* TSC ticks for `iterations` EOI writes: in xAPIC mode each is a store to
 * the APIC page, which Kestrel write-protects and decodes (docs/vmx.md),
 * in x2APIC mode a WRMSR that does not exit. */
uint64_t loop_apic_eoi(uint64_t iterations);

#endif
