/*
 * The hostile guest's cases, in the order they run (see hostile.h).  Names
 * are what the lines say and what kestrel.cfg's hostile_case selects;
 * boot tests match them, so a name is a contract.
 */
#include "guest/hostile/hostile.h"
#include "lib/kstring.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every vCPU, each in turn.  Kestrel warns once per vCPU and kind of
 * refusal: the first case of a kind here is the one its warning names. */
static const struct hostile_case per_cpu[] = {
    { "vmx-instructions/vmxon",    case_vmxon },
    { "vmx-instructions/vmclear",  case_vmclear },
    { "vmx-instructions/vmptrld",  case_vmptrld },
    { "vmx-instructions/vmread",   case_vmread },
    { "vmx-instructions/vmwrite",  case_vmwrite },
    { "vmx-instructions/vmlaunch", case_vmlaunch },
    { "vmx-instructions/vmresume", case_vmresume },
    { "vmx-instructions/vmxoff",   case_vmxoff },
    { "vmx-instructions/invept",   case_invept },
    { "vmx-instructions/invvpid",  case_invvpid },
    { "cr0/clear-pg-64bit",        case_cr0_clear_pg_64bit },
    { "cr4-vmxe",                  case_cr4_vmxe },
    { "feature-control-write",     case_feature_control_write },
    { "vmx-msr-write",             case_vmx_msr_write },
    { "xcr0/x87-clear",            case_xcr0_x87_clear },
    { "xcr0/avx-without-sse",      case_xcr0_avx_without_sse },
    { "xcr0/mpx-one-of-two",       case_xcr0_mpx_one_of_two },
    { "xcr0/avx512-partial",       case_xcr0_avx512_partial },
    { "xcr0/avx512-without-avx",   case_xcr0_avx512_without_avx },
    { "xcr0/amx-one-of-two",       case_xcr0_amx_one_of_two },
    { "xcr0/unsupported-bit",      case_xcr0_unsupported_bit },
    { "xcr0/ecx-nonzero",          case_xcr0_ecx_nonzero },
    { "msr/rtit-ctl",              case_msr_rtit_ctl },
    { "msr/rtit-output-base",      case_msr_rtit_output_base },
    { "msr/ds-area",               case_msr_ds_area },
    { "msr/pebs-enable",           case_msr_pebs_enable },
    { "msr/perf-global-ctrl",      case_msr_perf_global_ctrl },
    { "msr/misc-enable-bit22",     case_msr_misc_enable_bit22 },
    { "msr/misc-enable-bit34",     case_msr_misc_enable_bit34 },
    { "msr/debugctl-bts",          case_msr_debugctl_bts },
    { "msr/unlisted",              case_msr_unlisted },
    { "debug/dr0-after-cpuid",     case_debug_dr0_after_cpuid },
};

/* The BSP, once, with APs as helpers.  The logging cases come late and
 * log/escape last of them: the guests' history ring keeps only the newest
 * lines, and its line must survive to the end of the run. */
static const struct hostile_case machine[] = {
    { "hypervisor-memory-write",          case_hypervisor_memory_write },
    { "firmware-memory-write",            case_firmware_memory_write },
    { "init-to-bsp",                      case_init_to_bsp },
    { "unknown-vmcall",                   case_unknown_vmcall },
    { "vmcall-cpl3",                      case_vmcall_cpl3 },
    { "ac/cpl3",                          case_ac_cpl3 },
    { "ipi/xapic-init-to-held-back",      case_ipi_xapic_init_to_held_back },
    { "ipi/xapic-sipi-to-held-back",      case_ipi_xapic_sipi_to_held_back },
    { "ipi/xapic-nmi-to-held-back",       case_ipi_xapic_nmi_to_held_back },
    { "ipi/xapic-init-to-absent",         case_ipi_xapic_init_to_absent },
    { "ipi/xapic-sipi-to-absent",         case_ipi_xapic_sipi_to_absent },
    { "ipi/xapic-nmi-to-absent",          case_ipi_xapic_nmi_to_absent },
    { "ipi/x2apic-init-to-held-back",     case_ipi_x2apic_init_to_held_back },
    { "ipi/x2apic-sipi-to-held-back",     case_ipi_x2apic_sipi_to_held_back },
    { "ipi/x2apic-nmi-to-held-back",      case_ipi_x2apic_nmi_to_held_back },
    { "ipi/x2apic-init-to-absent",        case_ipi_x2apic_init_to_absent },
    { "ipi/x2apic-sipi-to-absent",        case_ipi_x2apic_sipi_to_absent },
    { "ipi/x2apic-nmi-to-absent",         case_ipi_x2apic_nmi_to_absent },
    { "ipi/smi",                          case_ipi_smi },
    { "ipi/nmi-broadcast",                case_ipi_nmi_broadcast },
    { "ioapic/nmi-to-held-back",          case_ioapic_nmi_to_held_back },
    { "ioapic/init-to-guest",             case_ioapic_init_to_guest },
    { "ioapic/fixed-to-held-back",        case_ioapic_fixed_to_held_back },
    { "pm/cnt-dword-2-early",             case_pm_cnt_dword_2_early },
    { "pm/s3",                            case_pm_s3 },
    { "pci/pmba-move",                    case_pci_pmba_move },
    { "pci/pm-io-disable",                case_pci_pm_io_disable },
    { "flood/nmi-while-logging",          case_flood_nmi_while_logging },
    { "log/flood-then-refusal",           case_log_flood_then_refusal },
    { "log/escape",                       case_log_escape },
    { "loop/db",                          case_loop_db },
};

/* Only with hostile_case: refused means the run ends (a guest reset). */
static const struct hostile_case ending[] = {
    { "reset/kbc-f0",   case_reset_kbc_f0 },
    { "reset/kbc-d1",   case_reset_kbc_d1 },
    { "reset/port92",   case_reset_port92 },
    { "reset/cf9-word", case_reset_cf9_word },
};

static const struct {
    const struct hostile_case *cases;
    size_t count;
} tables[CASE_TABLES] = {
    [CASES_PER_CPU] = { per_cpu, COUNT(per_cpu) },
    [CASES_MACHINE] = { machine, COUNT(machine) },
    [CASES_ENDING] = { ending, COUNT(ending) },
};

const struct hostile_case *case_table(enum case_table t, size_t *count)
{
    *count = tables[t].count;
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
