/*
 * The log hypercalls (docs/vmcall.md): guest text must never pass for one
 * of Kestrel's lines, nor push Kestrel's own lines out of its history.
 *   log/flood-then-refusal  10,000 LOG_WRITE calls, then a refusal of a kind this vCPU has not
 *                           had yet (an OUTSB to an intercepted port whose memory operand is
 *                           Kestrel's hidden memory: #GP, "guest string I/O ... refused"): the
 *                           history LOG_READ returns must still hold Kestrel's warning, since
 *                           guest text has a ring of its own
 *   log/escape              LOG_WRITE of a forged "\nkestrel: guest reset: triple-fault", CR,
 *                           backslash, control bytes (NUL, ESC, DEL) and bytes >= 0x80: the
 *                           history holds it as one escaped line ("\n", "\r", "\\", "\xNN"),
 *                           and no line starting "kestrel: guest reset"
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define FLOOD_CALLS         10000
#define FLOOD_TEXT_SIZE     32
#define HISTORY_SIZE        (40 * 1024)       /* more than both of Kestrel's rings */
#define LINE_SIZE           256
#define PCI_CONFIG_ADDRESS  0xcf8
#define PCI_CONFIG_DATA     0xcfc
#define PCI_HOST_BRIDGE_ID  0x80000000u       /* 00:00.0 offset 0: the read-only vendor ID */

static char history[HISTORY_SIZE];

/* Reads the history; false (outcome set) when LOG_READ fails. */
static bool read_history(struct outcome *o, uint64_t *len)
{
    *len = hc_log_read(history, sizeof(history));
    if (*len == KESTREL_HC_RESULT_UNKNOWN || *len > sizeof(history)) {
        not_refused(o, "untested: LOG_READ returned 0x%lx", *len);
        return false;
    }
    return true;
}

/* Calls fn(line, ctx) for each line of history[0, len) (without its '\n');
 * stops when fn returns true, and returns whether one did. */
static bool any_line(uint64_t len, bool (*fn)(const char *line, size_t n, const void *ctx),
                     const void *ctx)
{
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || history[i] == '\n') {
            if (i > start && fn(history + start, i - start, ctx))
                return true;
            start = i + 1;
        }
    }
    return false;
}

static bool line_is(const char *line, size_t n, const void *ctx)
{
    const char *want = ctx;

    return kstrlen(want) == n && kmemcmp(line, want, n) == 0;
}

static bool line_starts(const char *line, size_t n, const void *ctx)
{
    const char *prefix = ctx;
    size_t k = kstrlen(prefix);

    return n >= k && kmemcmp(line, prefix, k) == 0;
}

/* OUTSB of one byte of Kestrel's memory to CONFIG_DATA (intercepted). */
static struct fault probe_outsb(struct fault_probe *p, uint64_t source, uint16_t port)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "outsb" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), "+S"(source)
                     : "d"(port)
                     : "memory");
    return probe_end(p);
}

void case_log_flood_then_refusal(struct outcome *o)
{
    char text[FLOOD_TEXT_SIZE], want[LINE_SIZE];
    uint64_t va, len;
    const char *why;

    if (boot_info->hypervisor_probe == 0) {
        not_refused(o, "untested: the boot info gives no hypervisor_probe address");
        return;
    }
    if ((why = paging_map_phys(boot_info->hypervisor_probe, &va)) != NULL) {
        not_refused(o, "untested: %s", why);
        return;
    }
    for (unsigned i = 0; i < FLOOD_CALLS; i++) {
        int n = ksnprintf(text, sizeof(text), "flood %u", i);
        if (hc_log_write(text, (uint64_t)n) != (uint64_t)n) {
            not_refused(o, "untested: LOG_WRITE call %u did not log its text", i);
            return;
        }
    }
    /* Should the OUTSB get through, it writes the read-only vendor ID. */
    outl(PCI_CONFIG_ADDRESS, PCI_HOST_BRIDGE_ID);
    if (!expect_refusal(o, probe_outsb(this_probe(), va, PCI_CONFIG_DATA), VEC_GP,
                        "OUTSB from Kestrel's memory"))
        return;
    if (!read_history(o, &len))
        return;
    ksnprintf(want, sizeof(want),
              "kestrel: warning: cpu %u: guest string I/O to an intercepted port refused (#GP): "
              "its memory operand is not guest RAM (reported once)", cpus[0].apic_id);
    if (!any_line(len, line_is, want))
        not_refused(o, "after %u LOG_WRITE calls the history (%lu bytes) lacks '%.60s...'",
                    FLOOD_CALLS, len, want);
}

/* The forged text and what Kestrel's history must show for it. */
static const char forged[] = "forged\nkestrel: guest reset: triple-fault\r\\\0\x1b\x7f\x80\xff end";
static const char forged_escaped[] =
    "forged\\nkestrel: guest reset: triple-fault\\r\\\\\\x00\\x1b\\x7f\\x80\\xff end";

void case_log_escape(struct outcome *o)
{
    char want[LINE_SIZE];
    uint64_t len, n = sizeof(forged) - 1;   /* the NUL inside is text, the last is not */

    if (hc_log_write(forged, n) != n) {
        not_refused(o, "untested: LOG_WRITE did not log the forged text");
        return;
    }
    if (!read_history(o, &len))
        return;
    ksnprintf(want, sizeof(want), "kestrel: guest cpu %u: %s", cpus[0].apic_id, forged_escaped);
    if (any_line(len, line_starts, "kestrel: guest reset"))
        not_refused(o, "the history has a line starting 'kestrel: guest reset'");
    else if (!any_line(len, line_is, want))
        not_refused(o, "the history lacks the escaped line '%s'", want);
}
