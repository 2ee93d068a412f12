/*
 * Exit kinds: why a vCPU left the guest, in backend-neutral words.  Each
 * backend decodes its own exit (a VMX basic exit reason, an SVM exit code)
 * into one of these; the exit statistics count by kind, so the line
 *   kestrel: exits cpu<apic-id> total=<n> <kind>=<count> ...
 * reads the same on both backends.  One list, in docs/exits.md too:
 * X(ENUM_SUFFIX, printed_name).  The VMX reasons come first, in the SDM's
 * numbering order and with the names Kestrel always printed (vmx/ maps a
 * reason to the kind of the same name); the kinds only SVM produces follow,
 * named in the same style.  Some kinds are shared by both (cpuid, rdmsr,
 * wrmsr, io, vmcall: SVM's VMMCALL, hlt, xsetbv, init, ...).
 */
#ifndef KESTREL_CORE_EXIT_KINDS_H
#define KESTREL_CORE_EXIT_KINDS_H

#define EXIT_KINDS_VMX(X) \
    X(EXCEPTION_NMI, exception_nmi) \
    X(EXTERNAL_INTERRUPT, external_interrupt) \
    X(TRIPLE_FAULT, triple_fault) \
    X(INIT, init) \
    X(SIPI, sipi) \
    X(IO_SMI, io_smi) \
    X(OTHER_SMI, other_smi) \
    X(INTERRUPT_WINDOW, interrupt_window) \
    X(NMI_WINDOW, nmi_window) \
    X(TASK_SWITCH, task_switch) \
    X(CPUID, cpuid) \
    X(GETSEC, getsec) \
    X(HLT, hlt) \
    X(INVD, invd) \
    X(INVLPG, invlpg) \
    X(RDPMC, rdpmc) \
    X(RDTSC, rdtsc) \
    X(RSM, rsm) \
    X(VMCALL, vmcall) \
    X(VMCLEAR, vmclear) \
    X(VMLAUNCH, vmlaunch) \
    X(VMPTRLD, vmptrld) \
    X(VMPTRST, vmptrst) \
    X(VMREAD, vmread) \
    X(VMRESUME, vmresume) \
    X(VMWRITE, vmwrite) \
    X(VMXOFF, vmxoff) \
    X(VMXON, vmxon) \
    X(CR_ACCESS, cr_access) \
    X(DR_ACCESS, dr_access) \
    X(IO, io) \
    X(RDMSR, rdmsr) \
    X(WRMSR, wrmsr) \
    X(ENTRY_INVALID_GUEST_STATE, entry_invalid_guest_state) \
    X(ENTRY_MSR_LOADING, entry_msr_loading) \
    X(MWAIT, mwait) \
    X(MONITOR_TRAP_FLAG, monitor_trap_flag) \
    X(MONITOR, monitor) \
    X(PAUSE, pause) \
    X(ENTRY_MACHINE_CHECK, entry_machine_check) \
    X(TPR_BELOW_THRESHOLD, tpr_below_threshold) \
    X(APIC_ACCESS, apic_access) \
    X(VIRTUALIZED_EOI, virtualized_eoi) \
    X(GDTR_IDTR, gdtr_idtr) \
    X(LDTR_TR, ldtr_tr) \
    X(EPT_VIOLATION, ept_violation) \
    X(EPT_MISCONFIG, ept_misconfig) \
    X(INVEPT, invept) \
    X(RDTSCP, rdtscp) \
    X(PREEMPTION_TIMER, preemption_timer) \
    X(INVVPID, invvpid) \
    X(WBINVD, wbinvd) \
    X(XSETBV, xsetbv) \
    X(APIC_WRITE, apic_write) \
    X(RDRAND, rdrand) \
    X(INVPCID, invpcid) \
    X(VMFUNC, vmfunc) \
    X(ENCLS, encls) \
    X(RDSEED, rdseed) \
    X(PML_FULL, pml_full) \
    X(XSAVES, xsaves) \
    X(XRSTORS, xrstors) \
    X(PCONFIG, pconfig) \
    X(SPP_EVENT, spp_event) \
    X(UMWAIT, umwait) \
    X(TPAUSE, tpause) \
    X(LOADIWKEY, loadiwkey) \
    X(ENCLV, enclv) \
    X(ENQCMD_PASID_FAILURE, enqcmd_pasid_failure) \
    X(ENQCMDS_PASID_FAILURE, enqcmds_pasid_failure) \
    X(BUS_LOCK, bus_lock) \
    X(INSTRUCTION_TIMEOUT, instruction_timeout) \
    X(SEAMCALL, seamcall) \
    X(TDCALL, tdcall) \
    X(RDMSRLIST, rdmsrlist) \
    X(WRMSRLIST, wrmsrlist) \
    X(URDMSR, urdmsr) \
    X(UWRMSR, uwrmsr) \
    X(RDMSR_IMM, rdmsr_imm) \
    X(WRMSRNS_IMM, wrmsrns_imm)

/* Kinds only SVM produces (APM vol. 2 appendix C).  SVM's own exits that
 * mean the same as a VMX kind use that kind instead: INTR is
 * external_interrupt, VINTR interrupt_window, IOIO io, MSR rdmsr/wrmsr,
 * VMMCALL vmcall, CRn/DRn accesses cr_access/dr_access, descriptor-table
 * accesses gdtr_idtr/ldtr_tr. */
#define EXIT_KINDS_SVM(X) \
    X(NMI, nmi) \
    X(EXCEPTION, exception) \
    X(SMI, smi) \
    X(SHUTDOWN, shutdown) \
    X(PUSHF, pushf) \
    X(POPF, popf) \
    X(IRET, iret) \
    X(SWINT, swint) \
    X(INVLPGA, invlpga) \
    X(FERR_FREEZE, ferr_freeze) \
    X(VMRUN, vmrun) \
    X(VMLOAD, vmload) \
    X(VMSAVE, vmsave) \
    X(STGI, stgi) \
    X(CLGI, clgi) \
    X(SKINIT, skinit) \
    X(ICEBP, icebp) \
    X(RDPRU, rdpru) \
    X(WRITE_TRAP, write_trap) \
    X(INVLPGB, invlpgb) \
    X(MCOMMIT, mcommit) \
    X(TLBSYNC, tlbsync) \
    X(NPF, npf) \
    X(AVIC, avic) \
    X(VMGEXIT, vmgexit) \
    X(VMRUN_FAILED, vmrun_failed)

#define EXIT_KINDS(X) EXIT_KINDS_VMX(X) EXIT_KINDS_SVM(X) X(UNKNOWN, unknown)

enum exit_kind {
#define EXIT_KIND_ENUM(k, name) EXIT_KIND_##k,
    EXIT_KINDS(EXIT_KIND_ENUM)
#undef EXIT_KIND_ENUM
    EXIT_KIND_COUNT
};

/* The printed name ("cpuid", "npf"); "unknown" for numbers out of range. */
const char *exit_kind_name(unsigned kind);

#endif
