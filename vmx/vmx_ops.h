/*
 * The VMX instructions, wrapped once.  Every wrapper reports how the
 * instruction ended (SDM vol. 3C 31.2 "Conventions"): VMsucceed, VMfailInvalid
 * (CF=1: no current VMCS) or VMfailValid (ZF=1: the reason is in the
 * VM-instruction error field).  Callers never look at flags themselves.
 *
 * VMCS reads and writes are typed: vmcs_read32(VMCS_RO_EXIT_REASON) only
 * compiles when the field's encoding says it is 32 bits wide (bits 14:13 of
 * the encoding), so a 32-bit access to a 64-bit field cannot happen.
 */
#ifndef KESTREL_VMX_OPS_H
#define KESTREL_VMX_OPS_H

#include <stdint.h>
#include <stdbool.h>

enum vmx_result {
    VMX_SUCCEED = 0,
    VMX_FAIL_INVALID = 1,     /* CF: no current VMCS / bad pointer */
    VMX_FAIL_VALID = 2,       /* ZF: see the VM-instruction error field */
};

/* Flag outputs: setbe = CF|ZF; then tell them apart with CF alone. */
#define VMX_RESULT_FROM_FLAGS(cf, zf) ((cf) ? VMX_FAIL_INVALID : ((zf) ? VMX_FAIL_VALID : VMX_SUCCEED))

static inline enum vmx_result vmx_on(uint64_t region_phys)
{
    bool cf, zf;
    __asm__ volatile("vmxon %[r]" : "=@ccc"(cf), "=@ccz"(zf) : [r] "m"(region_phys) : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_off(void)
{
    bool cf, zf;
    __asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_clear(uint64_t vmcs_phys)
{
    bool cf, zf;
    __asm__ volatile("vmclear %[r]" : "=@ccc"(cf), "=@ccz"(zf) : [r] "m"(vmcs_phys) : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_ptrld(uint64_t vmcs_phys)
{
    bool cf, zf;
    __asm__ volatile("vmptrld %[r]" : "=@ccc"(cf), "=@ccz"(zf) : [r] "m"(vmcs_phys) : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_read_raw(uint64_t field, uint64_t *value)
{
    bool cf, zf;
    __asm__ volatile("vmread %[f], %[v]" : [v] "=r"(*value), "=@ccc"(cf), "=@ccz"(zf)
                     : [f] "r"(field) : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_write_raw(uint64_t field, uint64_t value)
{
    bool cf, zf;
    __asm__ volatile("vmwrite %[v], %[f]" : "=@ccc"(cf), "=@ccz"(zf)
                     : [f] "r"(field), [v] "r"(value) : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

struct invept_descriptor {
    uint64_t eptp;
    uint64_t reserved;
};

struct invvpid_descriptor {
    uint64_t vpid;            /* bits 15:0 */
    uint64_t linear_address;
};

static inline enum vmx_result vmx_invept(uint64_t type, uint64_t eptp)
{
    struct invept_descriptor d = { eptp, 0 };
    bool cf, zf;
    __asm__ volatile("invept %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf) : [d] "m"(d), [t] "r"(type)
                     : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmx_invvpid(uint64_t type, uint16_t vpid, uint64_t address)
{
    struct invvpid_descriptor d = { vpid, address };
    bool cf, zf;
    __asm__ volatile("invvpid %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf) : [d] "m"(d), [t] "r"(type)
                     : "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

/* ---- checked, typed VMCS access (vmx/vmcs_access.c reports failures) ---- */

/* Width class of a field from its encoding (SDM vol. 3C, appendix B). */
#define VMCS_ENC_WIDTH(enc)   (((enc) >> 13) & 3u)
#define VMCS_ENC_W16          0u
#define VMCS_ENC_W64          1u
#define VMCS_ENC_W32          2u
#define VMCS_ENC_WNATURAL     3u

/* Out of line: the report (vmx/vmcs_access.c), which tells VMfailInvalid
 * from VMfailValid itself.  The access is inline and tests only "CF or ZF"
 * (one branch): it sits on every exit's path. */
void vmcs_report_failure(const char *op, uint32_t field, uint64_t value);

static inline uint64_t vmcs_read_checked(uint32_t field)
{
    uint64_t value;
    bool failed;
    __asm__ volatile("vmread %[f], %[v]" : [v] "=r"(value), "=@ccbe"(failed) : [f] "r"((uint64_t)field)
                     : "memory");
    if (__builtin_expect(failed, 0)) {
        vmcs_report_failure("vmread", field, 0);
        return 0;
    }
    return value;
}

static inline void vmcs_write_checked(uint32_t field, uint64_t value)
{
    bool failed;
    __asm__ volatile("vmwrite %[v], %[f]" : "=@ccbe"(failed) : [f] "r"((uint64_t)field), [v] "r"(value)
                     : "memory");
    if (__builtin_expect(failed, 0)) {
        vmcs_report_failure("vmwrite", field, value);
    }
}

/* True once any checked access on this CPU failed (and was reported). */
bool     vmcs_access_failed(void);
void     vmcs_access_reset(void);

#define VMCS_WIDTH_IS(field, w) \
    _Static_assert(VMCS_ENC_WIDTH(field) == (w), #field " accessed with the wrong width")

#define vmcs_read16(field)  ({ VMCS_WIDTH_IS(field, VMCS_ENC_W16); (uint16_t)vmcs_read_checked(field); })
#define vmcs_read32(field)  ({ VMCS_WIDTH_IS(field, VMCS_ENC_W32); (uint32_t)vmcs_read_checked(field); })
#define vmcs_read64(field)  ({ VMCS_WIDTH_IS(field, VMCS_ENC_W64); vmcs_read_checked(field); })
#define vmcs_readnat(field) ({ VMCS_WIDTH_IS(field, VMCS_ENC_WNATURAL); vmcs_read_checked(field); })

#define vmcs_write16(field, v)  do { VMCS_WIDTH_IS(field, VMCS_ENC_W16); vmcs_write_checked(field, (uint16_t)(v)); } while (0)
#define vmcs_write32(field, v)  do { VMCS_WIDTH_IS(field, VMCS_ENC_W32); vmcs_write_checked(field, (uint32_t)(v)); } while (0)
#define vmcs_write64(field, v)  do { VMCS_WIDTH_IS(field, VMCS_ENC_W64); vmcs_write_checked(field, (uint64_t)(v)); } while (0)
#define vmcs_writenat(field, v) do { VMCS_WIDTH_IS(field, VMCS_ENC_WNATURAL); vmcs_write_checked(field, (uint64_t)(v)); } while (0)

#endif
