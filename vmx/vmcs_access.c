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

/* The VM-instruction error, or false when there is no current VMCS (the
 * failure was VMfailInvalid: not even this field can be read). */
static bool instruction_error(uint32_t *err)
{
    uint64_t value = 0;
    if (vmx_read_raw(VMCS_RO_VM_INSTRUCTION_ERROR, &value) != VMX_SUCCEED) {
        return false;
    }
    *err = (uint32_t)value;
    return true;
}

void vmcs_report_failure(const char *op, uint32_t field, uint64_t value)
{
    uint32_t err = 0;
    access_failed[this_cpu()->index] = true;
    if (!instruction_error(&err)) {
        log_error("cpu %u: %s %s (%#x) = %#llx failed: no current VMCS", this_cpu()->apic_id, op,
                  vmcs_field_name(field), field, (unsigned long long)value);
        return;
    }
    log_error("cpu %u: %s %s (%#x) = %#llx failed: VM-instruction error %u (%s)",
              this_cpu()->apic_id, op, vmcs_field_name(field), field, (unsigned long long)value, err,
              vm_instruction_error_text(err));
}

bool vmcs_access_failed(void)
{
    return access_failed[this_cpu()->index];
}

void vmcs_access_reset(void)
{
    access_failed[this_cpu()->index] = false;
}
