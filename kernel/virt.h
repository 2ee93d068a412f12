/*
 * Which hardware virtualization Kestrel uses on this machine, chosen once
 * by CPU vendor: Intel VMX, or AMD SVM (AMD and Hygon CPUs).  kernel/
 * orchestrates: it enables the chosen one on every CPU through this table
 * and hands its backend ops to the core; the status lines name it
 * (docs/status-lines.md).
 */
#ifndef KESTREL_KERNEL_VIRT_H
#define KESTREL_KERNEL_VIRT_H

#include <stdbool.h>

#include "core/backend.h"

struct virt_choice {
    const char *name;               /* "vmx", "svm": the status lines' word */
    const char *on_words;           /* "vmx root on", "svm on" (+ " N/M cpus") */
    const char *bsp_missing;        /* why no guest can run when the BSP lacks it */
    bool (*caps_init)(const char **reason);           /* on the BSP, before the APs */
    bool (*enable)(unsigned cpu_index, const char **reason);   /* on each CPU */
    bool (*active)(unsigned cpu_index);
    const struct backend_ops *ops;
};

/* The choice for this machine (the boot CPU's vendor). */
const struct virt_choice *virt_choice(void);

#endif
