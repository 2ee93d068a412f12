/*
 * The hostile guest's cases, in the order they run (see hostile.h).  Names
 * are what the lines say and what kestrel.cfg's hostile_case selects;
 * boot tests match them, so a name is a contract.
 */
#include "guest/common/hypercall.h"
#include "guest/hostile/hostile.h"
#include "lib/kstring.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define AMD_ONLY_PREFIX "svm/"

/* Every vCPU, each in turn.  Kestrel warns once per vCPU and kind of
 * refusal: the first case of a kind here is the one its warning names.
 * The svm/ cases stay last: on a CPU other than AMD's the table ends
 * before them (per_cpu_count). */
static const struct hostile_case per_cpu[] = {
    { "vmx-instructions/vmxon",    case_vmxon, false },
    { "vmx-instructions/vmclear",  case_vmclear, false },
    { "vmx-instructions/vmptrld",  case_vmptrld, false },
    { "vmx-instructions/vmread",   case_vmread, false },
    { "vmx-instructions/vmwrite",  case_vmwrite, false },
    { "vmx-instructions/vmlaunch", case_vmlaunch, false },
    { "vmx-instructions/vmresume", case_vmresume, false },
    { "vmx-instructions/vmxoff",   case_vmxoff, false },
    { "vmx-instructions/invept",   case_invept, false },
    { "vmx-instructions/invvpid",  case_invvpid, false },
    { "cr0/clear-pg-64bit",        case_cr0_clear_pg_64bit, false },
    { "cr4-vmxe",                  case_cr4_vmxe, false },
    { "feature-control-write",     case_feature_control_write, false },
    { "vmx-msr-write",             case_vmx_msr_write, false },
    { "xcr0/x87-clear",            case_xcr0_x87_clear, false },
    { "xcr0/avx-without-sse",      case_xcr0_avx_without_sse, false },
    { "xcr0/mpx-one-of-two",       case_xcr0_mpx_one_of_two, false },
    { "xcr0/avx512-partial",       case_xcr0_avx512_partial, false },
    { "xcr0/avx512-without-avx",   case_xcr0_avx512_without_avx, false },
    { "xcr0/amx-one-of-two",       case_xcr0_amx_one_of_two, false },
    { "xcr0/unsupported-bit",      case_xcr0_unsupported_bit, false },
    { "xcr0/ecx-nonzero",          case_xcr0_ecx_nonzero, false },
    { "msr/rtit-ctl",              case_msr_rtit_ctl, false },
    { "msr/rtit-output-base",      case_msr_rtit_output_base, false },
    { "msr/ds-area",               case_msr_ds_area, false },
    { "msr/pebs-enable",           case_msr_pebs_enable, false },
    { "msr/perf-global-ctrl",      case_msr_perf_global_ctrl, false },
    { "msr/misc-enable-bit22",     case_msr_misc_enable_bit22, false },
    { "msr/misc-enable-bit34",     case_msr_misc_enable_bit34, false },
    { "msr/debugctl-bts",          case_msr_debugctl_bts, false },
    { "msr/unlisted",              case_msr_unlisted, false },
    { "debug/dr0-after-cpuid",     case_debug_dr0_after_cpuid, false },
    { "svm/vmrun",                 case_svm_vmrun, false },
    { "svm/vmload",                case_svm_vmload, false },
    { "svm/vmsave",                case_svm_vmsave, false },
    { "svm/stgi",                  case_svm_stgi, false },
    { "svm/clgi",                  case_svm_clgi, false },
    { "svm/skinit",                case_svm_skinit, false },
    { "svm/invlpga",               case_svm_invlpga, false },
    { "svm/efer-svme",             case_svm_efer_svme, false },
    { "svm/vm-cr",                 case_svm_vm_cr, false },
    { "svm/vm-hsave-pa",           case_svm_vm_hsave_pa, false },
    { "svm/cpuid-hidden",          case_svm_cpuid_hidden, false },
    { "svm/vmmcall-unknown",       case_svm_vmmcall_unknown, false },
};

/* The BSP, once, with APs as helpers.  The logging cases come late and
 * log/escape last of them: the guests' history ring keeps only the newest
 * lines, and its line must survive to the end of the run. */
static const struct hostile_case machine[] = {
    { "hypervisor-memory-write",          case_hypervisor_memory_write, false },
    { "firmware-memory-write",            case_firmware_memory_write, false },
    { "init-to-bsp",                      case_init_to_bsp, false },
    { "unknown-vmcall",                   case_unknown_vmcall, false },
    { "vmcall-cpl3",                      case_vmcall_cpl3, false },
    { "ac/cpl3",                          case_ac_cpl3, false },
    { "ipi/xapic-init-to-held-back",      case_ipi_xapic_init_to_held_back, false },
    { "ipi/xapic-sipi-to-held-back",      case_ipi_xapic_sipi_to_held_back, false },
    { "ipi/xapic-nmi-to-held-back",       case_ipi_xapic_nmi_to_held_back, false },
    { "ipi/xapic-init-to-absent",         case_ipi_xapic_init_to_absent, false },
    { "ipi/xapic-sipi-to-absent",         case_ipi_xapic_sipi_to_absent, false },
    { "ipi/xapic-nmi-to-absent",          case_ipi_xapic_nmi_to_absent, false },
    { "ipi/x2apic-init-to-held-back",     case_ipi_x2apic_init_to_held_back, false },
    { "ipi/x2apic-sipi-to-held-back",     case_ipi_x2apic_sipi_to_held_back, false },
    { "ipi/x2apic-nmi-to-held-back",      case_ipi_x2apic_nmi_to_held_back, false },
    { "ipi/x2apic-init-to-absent",        case_ipi_x2apic_init_to_absent, false },
    { "ipi/x2apic-sipi-to-absent",        case_ipi_x2apic_sipi_to_absent, false },
    { "ipi/x2apic-nmi-to-absent",         case_ipi_x2apic_nmi_to_absent, false },
    { "ipi/smi",                          case_ipi_smi, false },
    { "ipi/nmi-broadcast",                case_ipi_nmi_broadcast, false },
    { "ioapic/nmi-to-held-back",          case_ioapic_nmi_to_held_back, false },
    { "ioapic/init-to-guest",             case_ioapic_init_to_guest, false },
    { "ioapic/fixed-to-held-back",        case_ioapic_fixed_to_held_back, false },
    { "pm/cnt-dword-2-early",             case_pm_cnt_dword_2_early, false },
    { "pm/s3",                            case_pm_s3, false },
    { "pci/pmba-move",                    case_pci_pmba_move, false },
    { "pci/pm-io-disable",                case_pci_pm_io_disable, false },
    { "flood/nmi-while-logging",          case_flood_nmi_while_logging, false },
    { "log/flood-then-refusal",           case_log_flood_then_refusal, false },
    { "log/escape",                       case_log_escape, false },
    { "loop/db",                          case_loop_db, false },
};

/* Only with hostile_case: the resets (refused means the run ends),
 * com2/forged-line, which means something only with console = com2 (on
 * another machine COM2 is absent or the guest's own), and slat/exhaust,
 * which needs a large address space and leaves the guest without one. */
static const struct hostile_case on_request[] = {
    { "reset/kbc-f0",     case_reset_kbc_f0, true },
    { "reset/kbc-d1",     case_reset_kbc_d1, true },
    { "reset/port92",     case_reset_port92, true },
    { "reset/cf9-word",   case_reset_cf9_word, true },
    { "com2/forged-line", case_com2_forged_line, false },
    { "slat/exhaust",     case_slat_exhaust, false },
};

static const struct {
    const struct hostile_case *cases;
    size_t count;
} tables[CASE_TABLES] = {
    [CASES_PER_CPU] = { per_cpu, COUNT(per_cpu) },
    [CASES_MACHINE] = { machine, COUNT(machine) },
    [CASES_ON_REQUEST] = { on_request, COUNT(on_request) },
};

/* Off AMD the svm/ cases prove nothing (the CPU itself raises #UD and #GP
 * for them), so they are neither run nor counted, and print no line: the
 * run's lines stay those of the cases that mean something there.  Only the
 * trailing run of them is dropped; one placed elsewhere still runs and
 * reports itself skipped, so a misplaced entry shows. */
static size_t per_cpu_count(void)
{
    size_t n = COUNT(per_cpu);

    if (cpu_is_amd())
        return n;
    while (n > 0 && kstrncmp(per_cpu[n - 1].name, AMD_ONLY_PREFIX,
                             sizeof(AMD_ONLY_PREFIX) - 1) == 0)
        n--;
    return n;
}

const struct hostile_case *case_table(enum case_table t, size_t *count)
{
    *count = t == CASES_PER_CPU ? per_cpu_count() : tables[t].count;
    return tables[t].cases;
}

const struct hostile_case *case_find(const char *name, enum case_table *t)
{
    for (unsigned k = 0; k < CASE_TABLES; k++) {
        for (size_t i = 0; i < tables[k].count; i++) {
            if (kstrcmp(tables[k].cases[i].name, name) == 0) {
                *t = (enum case_table)k;
                return &tables[k].cases[i];
            }
        }
    }
    return NULL;
}
