/*
 * The per-CPU probe records (probe.h) and the words for what a probe saw.
 */
#include "guest/common/cpu.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/guest_image.h"
#include "lib/fmt.h"

static struct fault_probe fault_probes[GUEST_MAX_CPUS];

struct fault_probe *this_probe(void)
{
    int cpu = cpu_index();

    return cpu != CPU_UNKNOWN && cpu < GUEST_MAX_CPUS ? &fault_probes[cpu] : NULL;
}

const char *fault_name(int32_t vector)
{
    switch (vector) {
    case FAULT_NONE: return "no exception";
    case VEC_UD:     return "#UD";
    case VEC_GP:     return "#GP";
    default:         return "an exception";
    }
}

const char *fault_mismatch(struct fault f, int32_t vector, const char *what, char *buf,
                           size_t size)
{
    if (f.vector != vector) {
        ksnprintf(buf, size, "%s: %s (vector %d), expected %s", what, fault_name(f.vector),
                  f.vector, fault_name(vector));
        return buf;
    }
    if (f.rip != f.insn) {
        ksnprintf(buf, size, "%s: %s reported at RIP 0x%lx, the instruction is at 0x%lx", what,
                  fault_name(vector), f.rip, f.insn);
        return buf;
    }
    if (vector == VEC_GP && f.error != 0) {
        ksnprintf(buf, size, "%s: #GP error code 0x%lx, expected 0", what, f.error);
        return buf;
    }
    return NULL;
}
