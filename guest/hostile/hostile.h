/*
 * The built-in hostile guest: on the BSP only, it tries what a guest must
 * not be able to do to Kestrel, one case at a time, and says for each
 * whether Kestrel refused it.  The runtime is guest/common/.
 */
#ifndef KESTREL_GUEST_HOSTILE_H
#define KESTREL_GUEST_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/common/probe.h"

enum verdict {
    VERDICT_REFUSED,       /* Kestrel did what it promises */
    VERDICT_NOT_REFUSED,   /* it did not, or the case could not be tried (detail says which) */
    VERDICT_SKIPPED,       /* the machine has nothing to try it on: not counted */
};

struct outcome {
    enum verdict verdict;
    char         detail[128];   /* the first failure's words */
};

/* outcome.c: the first call decides the detail; later ones change nothing. */
void not_refused(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skipped(struct outcome *o, const char *why);
/* True if the probed instruction raised `vector` itself (for #GP with
 * error code 0); otherwise not_refused() with what happened instead. */
bool expect_refusal(struct outcome *o, struct fault f, int32_t vector, const char *what);

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

/* cases_cpu.c: control register and MSRs Kestrel keeps. */
void case_cr4_vmxe(struct outcome *o);
void case_feature_control_write(struct outcome *o);
void case_vmx_msr_write(struct outcome *o);

/* cases_memory.c: memory the guest may not write. */
void case_hypervisor_memory_write(struct outcome *o);
void case_firmware_memory_write(struct outcome *o);

/* cases_calls.c: INIT to the boot CPU, hypercalls. */
void case_init_to_bsp(struct outcome *o);
void case_unknown_vmcall(struct outcome *o);

/* ring3.c: the GDT with ring-3 segments and a TSS; VMCALL from ring 3. */
void ring3_gdt_load(void);
void case_vmcall_cpl3(struct outcome *o);

#endif
