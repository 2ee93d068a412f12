/*
 * SVM on every CPU (see svm_root.h).  Unlike VMX there is no "root
 * operation" to enter: with EFER.SVME set and a host save area named, the
 * CPU runs Kestrel as before and VMRUN becomes available.
 */
#include "svm/svm_root.h"
#include "svm/svm_bits.h"
#include "svm/svm_ops.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/control_regs.h"
#include "kernel/safe_msr.h"
#include "kernel/percpu.h"
#include "mm/pmm.h"

#define CPUID_1_ECX_XSAVE (1u << 26)

struct svm_root_cpu {
    uint64_t host_save_area;     /* VM_HSAVE_PA: the CPU's own, opaque */
    uint64_t host_state;         /* Kestrel's VMSAVE/VMLOAD page */
    bool     active;
};

static struct svm_root_cpu root_cpus[KESTREL_MAX_CPUS];
static struct svm_caps caps;
static struct svm_cpuid bsp_cpuid;
static bool caps_ready;
static bool r_init;

static void read_cpuid(struct svm_cpuid *c)
{
    struct cpuid_regs max = cpuid(0x80000000u, 0);
    __builtin_memset(c, 0, sizeof(*c));
    if (max.eax < SVM_CPUID_EXT_FEATURES) {
        return;
    }
    c->svm = (cpuid(SVM_CPUID_EXT_FEATURES, 0).ecx & SVM_CPUID_EXT_FEATURES_ECX_SVM) != 0;
    if (c->svm && max.eax >= SVM_CPUID_LEAF) {
        struct cpuid_regs l = cpuid(SVM_CPUID_LEAF, 0);
        c->rev = l.eax;
        c->asids = l.ebx;
        c->features_edx = l.edx;
    }
}

/* VM_CR exists only with SVM (it #GPs otherwise). */
static uint64_t read_vm_cr(const struct svm_cpuid *c)
{
    return c->svm ? rdmsr(SVM_MSR_VM_CR) : 0;
}

bool svm_caps_init(const char **reason)
{
    read_cpuid(&bsp_cpuid);
    uint64_t vm_cr = read_vm_cr(&bsp_cpuid);
    enum svm_probe_result r = svm_probe(&bsp_cpuid, vm_cr, &caps, reason);
    if (r == SVM_UNAVAILABLE) {
        return false;
    }
    caps_ready = true;
    return true;
}

const struct svm_caps *svm_caps(void)
{
    return caps_ready ? &caps : 0;
}

bool svm_init_redirected(void)
{
    return r_init;
}

/* SVMDIS set but not locked (the firmware left SVM off but let it be
 * changed): clear it, as a firmware setup switch would.  With R_INIT an
 * INIT is turned into #SX in the host instead of resetting a CPU that runs
 * Kestrel (the guest's INITs never reach the hardware; this covers a stray
 * one).  CPUs or emulators without a writable R_INIT leave it clear. */
static void prepare_vm_cr(void)
{
    uint64_t vm_cr = rdmsr(SVM_MSR_VM_CR);
    if ((vm_cr & SVM_VM_CR_SVMDIS) && !(vm_cr & SVM_VM_CR_LOCK)) {
        wrmsr(SVM_MSR_VM_CR, vm_cr & ~SVM_VM_CR_SVMDIS);
        vm_cr = rdmsr(SVM_MSR_VM_CR);
    }
    if (!(vm_cr & SVM_VM_CR_R_INIT) && wrmsr_safe(SVM_MSR_VM_CR, vm_cr | SVM_VM_CR_R_INIT)) {
        vm_cr = rdmsr(SVM_MSR_VM_CR);
    }
    r_init = (vm_cr & SVM_VM_CR_R_INIT) != 0;
}

bool svm_root_enter(unsigned cpu_index, const char **reason)
{
    struct svm_root_cpu *rc = &root_cpus[cpu_index];
    struct svm_cpuid mine;
    struct svm_caps my_caps;

    if (rc->active) {
        return true;
    }
    if (!caps_ready) {
        *reason = "SVM capabilities not evaluated";
        return false;
    }
    read_cpuid(&mine);
    if (svm_probe(&mine, read_vm_cr(&mine), &my_caps, reason) == SVM_UNAVAILABLE) {
        return false;
    }
    /* Kestrel assumes one kind of CPU, as on VMX. */
    if (__builtin_memcmp(&mine, &bsp_cpuid, sizeof(mine)) != 0) {
        *reason = "SVM features differ from the boot CPU's";
        return false;
    }
    if (!rc->host_save_area) {
        rc->host_save_area = pmm_alloc_pages(1);
        rc->host_state = pmm_alloc_pages(1);
        if (!rc->host_save_area || !rc->host_state) {
            *reason = "out of memory for the host save area";
            return false;
        }
    }
    prepare_vm_cr();
    if (rdmsr(SVM_MSR_VM_CR) & SVM_VM_CR_SVMDIS) {
        *reason = "disabled by firmware";
        return false;
    }
    /* A guest's XSETBV is executed by Kestrel (core/xcr0.c), which needs
     * CR4.OSXSAVE here; Kestrel itself uses no extended state. */
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) {
        write_cr4(read_cr4() | CR4_OSXSAVE);
    }
    wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | SVM_EFER_SVME);
    wrmsr(SVM_MSR_VM_HSAVE_PA, rc->host_save_area);
    /* This CPU's FS, GS (its per-CPU pointer), TR (its IST stacks), LDTR
     * and syscall MSRs as they are now: VMLOADed after every #VMEXIT, since
     * VMLOAD of the guest's state replaced them. */
    svm_vmsave(rc->host_state);
    rc->active = true;
    return true;
}

bool svm_root_active(unsigned cpu_index)
{
    return cpu_index < KESTREL_MAX_CPUS && root_cpus[cpu_index].active;
}

uint64_t svm_host_state_page(unsigned cpu_index)
{
    return root_cpus[cpu_index].host_state;
}
