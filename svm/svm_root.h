/*
 * SVM on every CPU (AMD APM vol. 2 15.4 "Enabling SVM"): the boot CPU
 * decides from CPUID and VM_CR whether SVM can run Kestrel (svm_caps_init,
 * before the APs start); then each CPU sets EFER.SVME and gives the CPU
 * its host save area (VM_HSAVE_PA), and keeps a second page of its own host
 * state for VMLOAD after every #VMEXIT.  The SVM counterpart of
 * vmx/vmx_root.h.
 */
#ifndef KESTREL_SVM_SVM_ROOT_H
#define KESTREL_SVM_SVM_ROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "svm/svm_caps.h"

/* On the boot CPU: false with *reason ("cpuid reports no SVM", "no nested
 * paging", "too few ASIDs", "disabled by firmware"). */
bool svm_caps_init(const char **reason);
const struct svm_caps *svm_caps(void);

/* On each CPU; false with *reason (an AP unlike the boot CPU, no memory). */
bool svm_root_enter(unsigned cpu_index, const char **reason);
bool svm_root_active(unsigned cpu_index);

/* The physical address of this CPU's host-state page (VMSAVEd once at
 * svm_root_enter: FS, GS, TR, LDTR, KernelGSBase, STAR...), VMLOADed after
 * every #VMEXIT. */
uint64_t svm_host_state_page(unsigned cpu_index);

/* Whether VM_CR.R_INIT could be set (an INIT becomes #SX in the host). */
bool svm_init_redirected(void);

#endif
