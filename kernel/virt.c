/* The virtualization choice (see virt.h). */
#include "kernel/virt.h"
#include "kernel/x86.h"
#include "vmx/vmx_root.h"
#include "vmx/vmx_backend.h"
#include "svm/svm_root.h"
#include "svm/svm_backend.h"

/* CPUID leaf 0 EBX: the first four bytes of the vendor string. */
#define VENDOR_EBX_AMD   0x68747541u   /* "Auth"enticAMD */
#define VENDOR_EBX_HYGON 0x6f677948u   /* "Hygo"nGenuine */

static const struct virt_choice vmx_choice = {
    .name = "vmx",
    .on_words = "vmx root on",
    .bsp_missing = "the boot CPU is not in VMX root operation: no guest can run",
    .caps_init = vmx_caps_init,
    .enable = vmx_root_enter,
    .active = vmx_root_active,
    .ops = &vmx_backend,
};

static const struct virt_choice svm_choice = {
    .name = "svm",
    .on_words = "svm on",
    .bsp_missing = "SVM is not enabled on the boot CPU: no guest can run",
    .caps_init = svm_caps_init,
    .enable = svm_root_enter,
    .active = svm_root_active,
    .ops = &svm_backend,
};

const struct virt_choice *virt_choice(void)
{
    uint32_t ebx = cpuid(0, 0).ebx;
    return ebx == VENDOR_EBX_AMD || ebx == VENDOR_EBX_HYGON ? &svm_choice : &vmx_choice;
}
