/* The VMX backend as the core sees it: one ops table (core/backend.h). */
#ifndef KESTREL_VMX_VMX_BACKEND_H
#define KESTREL_VMX_VMX_BACKEND_H

#include "core/backend.h"

extern const struct backend_ops vmx_backend;

#endif
