/*
 * The built-in hostile guest: on every vCPU it tries what a guest must not
 * be able to do to Kestrel, one case at a time, and says for each whether
 * Kestrel refused it.  The runtime is guest/common/.
 *
 * Cases come in three tables (cases_table.c): per-vCPU cases, which every
 * vCPU runs in turn (lines "cpu<apic-id>/<case>"); machine-wide cases, which
 * the BSP runs with the APs as helpers; and cases run only when kestrel.cfg
 * names one (hostile_case): those whose success ends the run (a guest
 * reset), and those that need a machine set up for them (console = com2).
 */
#ifndef KESTREL_GUEST_HOSTILE_H
#define KESTREL_GUEST_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/common/probe.h"
#include "guest/common/smp.h"
#include "guest/guest_image.h"

#define HOSTILE_MAX_CPUS      GUEST_MAX_CPUS
#define HOSTILE_AP_STACK_SIZE 8192          /* the deepest path (case, fault, print) needs < 2 KiB (-fstack-usage) */

/* ---- outcomes (outcome.c) ----------------------------------------------- */

enum verdict {
    VERDICT_REFUSED,       /* Kestrel did what it promises */
    VERDICT_NOT_REFUSED,   /* it did not, or the case could not be tried (detail says which) */
    VERDICT_SKIPPED,       /* the machine has nothing to try it on: not counted */
};

struct outcome {
    enum verdict verdict;
    char         detail[160];   /* the first failure's words */
};

/* The first call decides the detail; later ones change nothing. */
void not_refused(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skipped(struct outcome *o, const char *why);
/* True if the probed instruction raised `vector` itself (for #GP with
 * error code 0); otherwise not_refused() with what happened instead. */
bool expect_refusal(struct outcome *o, struct fault f, int32_t vector, const char *what);

/* Prints "hostile: <prefix><name> refused|NOT REFUSED (...)|skipped (...)"
 * and counts it for the verdict (prefix: "cpu<id>/" or ""). */
void outcome_report(const char *prefix, const char *name, const struct outcome *o);
/* The last line: "hostile: PASS n/n" or "hostile: FAIL p/n: names". */
void outcome_say_verdict(void);

/* ---- the case tables (cases_table.c) ------------------------------------- */

struct hostile_case {
    const char *name;
    void (*run)(struct outcome *o);
    bool ends_run;          /* refused = the run ends (Kestrel resets the guest) */
};

enum case_table { CASES_PER_CPU, CASES_MACHINE, CASES_ON_REQUEST, CASE_TABLES };

const struct hostile_case *case_table(enum case_table t, size_t *count);
/* The case kestrel.cfg names, and its table; NULL if there is none. */
const struct hostile_case *case_find(const char *name, enum case_table *t);

/* ---- CPUs (cpus.c) ------------------------------------------------------ */

/* What the BSP asks an AP to do (cpus.c serves them). */
enum ap_command {
    AP_CMD_NONE,           /* idle: the AP waits in HLT */
    AP_CMD_PER_CPU_CASES,  /* run the per-vCPU cases, then idle again */
    AP_CMD_RUN_CASE,       /* run_case(run_outcome) for the BSP, then idle again */
    AP_CMD_NMI_FLOOD,      /* NMIs to flood_target until flood_stop */
    AP_CMD_INIT_FLOOD,     /* INITs to flood_target until the run ends: never idle again */
    AP_CMD_DB_LOOP,        /* enter the #DB loop (cases_debug.c): never returns */
};

struct hostile_cpu {
    uint32_t index;            /* 0 = the BSP, then the order of boot_info->apic_ids */
    uint32_t apic_id;
    uint32_t state;            /* enum ap_state (guest/common/smp.h); __atomic accesses */
    uint32_t command;          /* enum ap_command: posted by the BSP, AP_CMD_NONE when done */
    uint32_t flood_target;     /* APIC ID the floods send to */
    uint32_t flood_stop;       /* set by the BSP: the NMI flood ends */
    uint64_t flood_sent;       /* IPIs a flood sent so far */
    uint64_t nmis;             /* NMIs this CPU took (its NMI handler counts them) */
    uint32_t db_loop_armed;    /* loop/db: the breakpoint is set, the loop starts next */
    uint64_t watched;          /* debug/dr0-after-cpuid's data-breakpoint target */
    void (*run_case)(struct outcome *o);   /* AP_CMD_RUN_CASE */
    struct outcome *run_outcome;
};

extern struct hostile_cpu cpus[HOSTILE_MAX_CPUS];
extern unsigned cpu_total;

/* This CPU's record (told by its stack), NULL on an unknown stack. */
struct hostile_cpu *this_cpu(void);

/* BSP, before anything else: its record, the AP stacks, the handlers
 * (NMI counting, the wake-up vector, stray #DB). */
void cpus_init(void);
/* Starts every AP; each comes up idle.  Says why for one that does not. */
void cpus_start_aps(void);
bool cpu_online(const struct hostile_cpu *cpu);
/* Posts a command to an idle AP and wakes it. */
void ap_post(struct hostile_cpu *cpu, enum ap_command command);
/* Waits until the AP is idle again; false after timeout_us. */
bool ap_wait_idle(const struct hostile_cpu *cpu, uint64_t timeout_us);
/* Runs fn(o) on the AP (a machine-wide case's part that must run there);
 * false, with o set, when the AP did not finish within timeout_us. */
bool ap_run(struct hostile_cpu *cpu, void (*fn)(struct outcome *o), struct outcome *o,
            uint64_t timeout_us);
/* The nth online AP (0-based) counted from the last one when from_end;
 * NULL if there are not that many. */
struct hostile_cpu *ap_helper(unsigned nth, bool from_end);

/* main.c: the per-vCPU cases on this CPU, in table order. */
void run_per_cpu_cases(struct hostile_cpu *cpu);

/* ---- the cases ----------------------------------------------------------- */

/* cases_vmx.c: each VMX instruction must be an invalid opcode to the guest. */
void case_vmxon(struct outcome *o);
void case_vmclear(struct outcome *o);
void case_vmptrld(struct outcome *o);
void case_vmread(struct outcome *o);
void case_vmwrite(struct outcome *o);
void case_vmlaunch(struct outcome *o);
void case_vmresume(struct outcome *o);
void case_vmxoff(struct outcome *o);
void case_invept(struct outcome *o);
void case_invvpid(struct outcome *o);

/* cases_svm.c: AMD only; SVM instructions #UD, SVM MSRs and CPUID hidden, VMMCALL. */
void case_svm_vmrun(struct outcome *o);
void case_svm_vmload(struct outcome *o);
void case_svm_vmsave(struct outcome *o);
void case_svm_stgi(struct outcome *o);
void case_svm_clgi(struct outcome *o);
void case_svm_skinit(struct outcome *o);
void case_svm_invlpga(struct outcome *o);
void case_svm_efer_svme(struct outcome *o);
void case_svm_vm_cr(struct outcome *o);
void case_svm_vm_hsave_pa(struct outcome *o);
void case_svm_cpuid_hidden(struct outcome *o);
void case_svm_vmmcall_unknown(struct outcome *o);

/* cases_cpu.c: control registers and MSRs Kestrel keeps. */
void case_cr4_vmxe(struct outcome *o);
void case_cr0_clear_pg_64bit(struct outcome *o);
void case_feature_control_write(struct outcome *o);
void case_vmx_msr_write(struct outcome *o);

/* cases_xcr0.c: XSETBV values the SDM forbids. */
void case_xcr0_x87_clear(struct outcome *o);
void case_xcr0_avx_without_sse(struct outcome *o);
void case_xcr0_mpx_one_of_two(struct outcome *o);
void case_xcr0_avx512_partial(struct outcome *o);
void case_xcr0_avx512_without_avx(struct outcome *o);
void case_xcr0_amx_one_of_two(struct outcome *o);
void case_xcr0_unsupported_bit(struct outcome *o);
void case_xcr0_ecx_nonzero(struct outcome *o);

/* cases_msr.c: MSRs the allowlist refuses. */
void case_msr_rtit_ctl(struct outcome *o);
void case_msr_rtit_output_base(struct outcome *o);
void case_msr_ds_area(struct outcome *o);
void case_msr_pebs_enable(struct outcome *o);
void case_msr_perf_global_ctrl(struct outcome *o);
void case_msr_misc_enable_bit22(struct outcome *o);
void case_msr_misc_enable_bit34(struct outcome *o);
void case_msr_debugctl_bts(struct outcome *o);
void case_msr_unlisted(struct outcome *o);

/* cases_debug.c: debug registers across exits, the #DB loop. */
void case_debug_dr0_after_cpuid(struct outcome *o);
void case_loop_db(struct outcome *o);
/* The AP side of loop/db: returns only if this CPU did not repeat the #DB. */
void db_loop_enter(struct hostile_cpu *cpu);
extern uint32_t stray_debug_exceptions;   /* cpus.c: #DBs no probe expected */
extern struct hostile_cpu *db_loop_cpu;    /* the AP loop/db left looping, NULL if none */

/* cases_memory.c: memory the guest may not write. */
void case_hypervisor_memory_write(struct outcome *o);
void case_firmware_memory_write(struct outcome *o);
void case_slat_exhaust(struct outcome *o);

/* cases_calls.c: INIT to the boot CPU, hypercalls. */
void case_init_to_bsp(struct outcome *o);
void case_unknown_vmcall(struct outcome *o);

/* ring3.c: the ring-3 pages; VMCALL and #AC from ring 3. */
void case_vmcall_cpl3(struct outcome *o);
void case_ac_cpl3(struct outcome *o);

/* cpu_tables.c: each CPU's GDT (ring-3 segments and its own TSS). */
struct tss64;
void cpu_tables_load(unsigned index);
struct tss64 *cpu_tss(unsigned index);
void tss_set_ist(struct tss64 *tss, unsigned ist, uint64_t rsp);

/* cases_ipi.c: interrupt commands outside the guest. */
void case_ipi_xapic_init_to_held_back(struct outcome *o);
void case_ipi_xapic_sipi_to_held_back(struct outcome *o);
void case_ipi_xapic_nmi_to_held_back(struct outcome *o);
void case_ipi_xapic_init_to_absent(struct outcome *o);
void case_ipi_xapic_sipi_to_absent(struct outcome *o);
void case_ipi_xapic_nmi_to_absent(struct outcome *o);
void case_ipi_x2apic_init_to_held_back(struct outcome *o);
void case_ipi_x2apic_sipi_to_held_back(struct outcome *o);
void case_ipi_x2apic_nmi_to_held_back(struct outcome *o);
void case_ipi_x2apic_init_to_absent(struct outcome *o);
void case_ipi_x2apic_sipi_to_absent(struct outcome *o);
void case_ipi_x2apic_nmi_to_absent(struct outcome *o);
void case_ipi_smi(struct outcome *o);

/* cases_nmi.c: NMIs that must stay inside the guest, and floods. */
void case_ipi_nmi_broadcast(struct outcome *o);
void case_flood_nmi_while_logging(struct outcome *o);
/* The AP side of the floods (cpus.c calls them). */
void nmi_flood(struct hostile_cpu *cpu);
__attribute__((noreturn)) void init_flood(struct hostile_cpu *cpu);

/* cases_ioapic.c: I/O APIC entries that would leave the guest. */
void case_ioapic_nmi_to_held_back(struct outcome *o);
void case_ioapic_init_to_guest(struct outcome *o);
void case_ioapic_fixed_to_held_back(struct outcome *o);

/* cases_ports.c: the PM block, PCI configuration, reset paths. */
void case_pm_cnt_dword_2_early(struct outcome *o);
void case_pm_s3(struct outcome *o);
void case_pci_pmba_move(struct outcome *o);
void case_pci_pm_io_disable(struct outcome *o);
void case_reset_kbc_f0(struct outcome *o);
void case_reset_kbc_d1(struct outcome *o);
void case_reset_port92(struct outcome *o);
void case_reset_cf9_word(struct outcome *o);

/* cases_com2.c: Kestrel's own console, hidden from the guest. */
void case_com2_forged_line(struct outcome *o);

/* cases_log.c: the log hypercalls. */
void case_log_flood_then_refusal(struct outcome *o);
void case_log_escape(struct outcome *o);

/* final.c: after the verdict, an INIT flood at the BSP and COM1 left in
 * DLAB and loopback while the BSP powers off. */
__attribute__((noreturn)) void final_attacks_and_power_off(void);

#endif
