/*
 * Checked VMREAD/VMWRITE: a failure is reported where it happens, with the
 * field's name, the value and the VM-instruction error in words, and
 * remembered per CPU so set-up code can stop at the end of a sequence
 * instead of testing every call.
 */
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_names.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

static bool access_failed[KESTREL_MAX_CPUS];

static uint32_t instruction_error(void)
{
    uint64_t err = 0;
    if (vmx_read_raw(VMCS_RO_VM_INSTRUCTION_ERROR, &err) != VMX_SUCCEED) {
        return 0;
    }
    return (uint32_t)err;
}

static void report(const char *op, uint32_t field, uint64_t value, enum vmx_result r)
{
    access_failed[this_cpu()->index] = true;
    if (r == VMX_FAIL_INVALID) {
        log_error("cpu %u: %s %s (%#x) = %#llx failed: no current VMCS", this_cpu()->apic_id, op,
                  vmcs_field_name(field), field, (unsigned long long)value);
        return;
    }
    uint32_t err = instruction_error();
    log_error("cpu %u: %s %s (%#x) = %#llx failed: VM-instruction error %u (%s)",
              this_cpu()->apic_id, op, vmcs_field_name(field), field, (unsigned long long)value, err,
              vm_instruction_error_text(err));
}

uint64_t vmcs_read_checked(uint32_t field)
{
    uint64_t value = 0;
    enum vmx_result r = vmx_read_raw(field, &value);
    if (__builtin_expect(r != VMX_SUCCEED, 0)) {
        report("vmread", field, 0, r);
        return 0;
    }
    return value;
}

void vmcs_write_checked(uint32_t field, uint64_t value)
{
    enum vmx_result r = vmx_write_raw(field, value);
    if (__builtin_expect(r != VMX_SUCCEED, 0)) {
        report("vmwrite", field, value, r);
    }
}

bool vmcs_access_failed(void)
{
    return access_failed[this_cpu()->index];
}

void vmcs_access_reset(void)
{
    access_failed[this_cpu()->index] = false;
}
