/*
 * kestrel.cfg: `key = value` lines, '#' starts a comment line.
 *
 * Parsed by the loader (to know which files to read) and again by the kernel
 * (for its own settings) from the same raw text, so the parsed structure never
 * crosses the boot-info line.  Any problem is an error with its line number:
 * Kestrel never boots something other than what the file says.
 *
 * Keys: payload = selftest|hostile|bench|linux|multiboot
 *       kernel = \path      initrd = \path      module = \path [args]  (repeatable)
 *       cmdline = text      loglevel = error|warn|info|debug    cpus = N (1..256)
 *       crash_test = none|bsp|ap|vmentry|triple   (test hooks: a deliberate
 *                                   CPU exception on the boot CPU or the first
 *                                   AP, to prove the crash report and the stop
 *                                   of all CPUs; a guest state that fails VM
 *                                   entry, to prove its report in words; a
 *                                   guest that triple-faults at once)
 *       console = com1|com2   (Kestrel's serial console; com2 keeps it away from
 *                                   the guest, which owns COM1)
 *       hostile_case = name       (test hook: the hostile guest runs only that case)
 *       ap_start = mediated|sipi   (how guest APs start on VMX: in Kestrel, as on
 *                                   SVM, or in the CPU's wait-for-SIPI state;
 *                                   default: wait-for-SIPI where the CPU has it)
 * Paths are as on the boot volume; '/' is accepted and stored as '\'.
 */
#ifndef KESTREL_LIB_CONFIG_H
#define KESTREL_LIB_CONFIG_H

#include <stddef.h>
#include <stdbool.h>
#include "lib/payload_kinds.h"

#define CFG_PATH_MAX    64       /* fits bootinfo_file.name */
#define CFG_ARGS_MAX    256
#define CFG_CMDLINE_MAX 1024
#define CFG_MODULES_MAX 8
#define CFG_LINE_MAX    1100     /* longer lines are an error */
#define CFG_CASE_MAX    48

enum cfg_loglevel {
    CFG_LOG_ERROR = 0,
    CFG_LOG_WARN,
    CFG_LOG_INFO,                /* the default */
    CFG_LOG_DEBUG,
};

enum cfg_crash_test {
    CFG_CRASH_NONE = 0,
    CFG_CRASH_BSP,
    CFG_CRASH_AP,
    CFG_CRASH_VMENTRY,
    CFG_CRASH_TRIPLE,
};

enum cfg_console {
    CFG_CONSOLE_COM1 = 0,        /* the default */
    CFG_CONSOLE_COM2,
};

enum cfg_ap_start {
    CFG_AP_START_AUTO = 0,       /* the default (no ap_start line): the CPU's
                                    wait-for-SIPI where it has one, else mediated */
    CFG_AP_START_MEDIATED,       /* INIT and SIPI delivered in software */
    CFG_AP_START_SIPI,           /* the hardware's wait-for-SIPI; refused without it */
};

struct cfg_module {
    char path[CFG_PATH_MAX];
    char args[CFG_ARGS_MAX];
    int  line;
};

struct kestrel_config {
    enum cfg_payload  payload;
    enum cfg_loglevel loglevel;
    unsigned          cpus;            /* 0 = every CPU */
    enum cfg_crash_test crash_test;
    enum cfg_console  console;
    enum cfg_ap_start ap_start;
    char              hostile_case[CFG_CASE_MAX];   /* "" when not set */
    char              kernel[CFG_PATH_MAX];   /* "" when not set */
    char              initrd[CFG_PATH_MAX];
    char              cmdline[CFG_CMDLINE_MAX];
    struct cfg_module modules[CFG_MODULES_MAX];
    unsigned          module_count;
    /* Line numbers (1-based, 0 = not present) so later checks, e.g. a file
     * that does not exist, can still name the line. */
    int payload_line, kernel_line, initrd_line, cmdline_line, cpus_line, hostile_case_line;
    int ap_start_line;
};

struct cfg_error {
    int  line;                   /* 0 when the problem is not on one line */
    char msg[160];               /* e.g. "unknown key 'paylod'" */
};

/* Sets every field to its default. */
void config_defaults(struct kestrel_config *cfg);

/* Parses len bytes of text (need not be NUL-terminated; may have CRLF line
 * ends).  Returns true and fills *cfg, or false and fills *err.  Checks the
 * combination too, from the payload kinds' table (lib/payload_kinds.h): a
 * kernel, initrd or module line the payload does not take is an error, and
 * so is a missing one it needs.  A cmdline line is accepted with any payload
 * (a built-in guest ignores it), as it always was. */
bool config_parse(const char *text, size_t len, struct kestrel_config *cfg,
                  struct cfg_error *err);

const char *config_payload_name(enum cfg_payload p);
const char *config_loglevel_name(enum cfg_loglevel l);
const char *config_console_name(enum cfg_console c);
const char *config_ap_start_name(enum cfg_ap_start a);   /* "auto", "mediated", "sipi" */

#endif
