/* SVM numbers and exit information in words (see svm_names.h). */
#include "svm/svm_names.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "lib/fmt.h"
#include "lib/text_out.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- exit codes (APM appendix C) --------------------------------------------- */

static const char *const cr_read_names[SVM_CR_DR_COUNT] = {
    "cr0_read",  "cr1_read",  "cr2_read",  "cr3_read",  "cr4_read",  "cr5_read",
    "cr6_read",  "cr7_read",  "cr8_read",  "cr9_read",  "cr10_read", "cr11_read",
    "cr12_read", "cr13_read", "cr14_read", "cr15_read",
};
static const char *const cr_write_names[SVM_CR_DR_COUNT] = {
    "cr0_write",  "cr1_write",  "cr2_write",  "cr3_write",  "cr4_write",  "cr5_write",
    "cr6_write",  "cr7_write",  "cr8_write",  "cr9_write",  "cr10_write", "cr11_write",
    "cr12_write", "cr13_write", "cr14_write", "cr15_write",
};
static const char *const dr_read_names[SVM_CR_DR_COUNT] = {
    "dr0_read",  "dr1_read",  "dr2_read",  "dr3_read",  "dr4_read",  "dr5_read",
    "dr6_read",  "dr7_read",  "dr8_read",  "dr9_read",  "dr10_read", "dr11_read",
    "dr12_read", "dr13_read", "dr14_read", "dr15_read",
};
static const char *const dr_write_names[SVM_CR_DR_COUNT] = {
    "dr0_write",  "dr1_write",  "dr2_write",  "dr3_write",  "dr4_write",  "dr5_write",
    "dr6_write",  "dr7_write",  "dr8_write",  "dr9_write",  "dr10_write", "dr11_write",
    "dr12_write", "dr13_write", "dr14_write", "dr15_write",
};
static const char *const cr_write_trap_names[SVM_CR_DR_COUNT] = {
    "cr0_write_trap",  "cr1_write_trap",  "cr2_write_trap",  "cr3_write_trap",
    "cr4_write_trap",  "cr5_write_trap",  "cr6_write_trap",  "cr7_write_trap",
    "cr8_write_trap",  "cr9_write_trap",  "cr10_write_trap", "cr11_write_trap",
    "cr12_write_trap", "cr13_write_trap", "cr14_write_trap", "cr15_write_trap",
};

/* Exception vectors (APM vol. 2 8.2, table 8-1): the exit name and the
 * mnemonic.  Reserved vectors have a numbered exit name and no mnemonic. */
static const struct {
    const char *exit_name;
    const char *mnemonic;
} exceptions[SVM_EXCEPTION_COUNT] = {
    { "excp_de", "#DE" },  { "excp_db", "#DB" },  { "excp_nmi", "NMI" }, { "excp_bp", "#BP" },
    { "excp_of", "#OF" },  { "excp_br", "#BR" },  { "excp_ud", "#UD" },  { "excp_nm", "#NM" },
    { "excp_df", "#DF" },  { "excp_9", NULL },    { "excp_ts", "#TS" },  { "excp_np", "#NP" },
    { "excp_ss", "#SS" },  { "excp_gp", "#GP" },  { "excp_pf", "#PF" },  { "excp_15", NULL },
    { "excp_mf", "#MF" },  { "excp_ac", "#AC" },  { "excp_mc", "#MC" },  { "excp_xf", "#XF" },
    { "excp_20", NULL },   { "excp_cp", "#CP" },  { "excp_22", NULL },   { "excp_23", NULL },
    { "excp_24", NULL },   { "excp_25", NULL },   { "excp_26", NULL },   { "excp_27", NULL },
    { "excp_hv", "#HV" },  { "excp_vc", "#VC" },  { "excp_sx", "#SX" },  { "excp_31", NULL },
};

const char *svm_exception_mnemonic(unsigned vector)
{
    return vector < SVM_EXCEPTION_COUNT ? exceptions[vector].mnemonic : NULL;
}

/* 0x060..0x0a6, indexed by code - SVM_EXIT_INTR; the CR write traps
 * (0x090..0x09f) come from their own table.  Unlisted codes stay NULL. */
#define SVM_EXIT_NAMED_FIRST SVM_EXIT_INTR
#define SVM_EXIT_NAMED_LAST  SVM_EXIT_IDLE_HLT
#define NAMED(code) [(code) - SVM_EXIT_NAMED_FIRST]

static const char *const misc_exit_names[SVM_EXIT_NAMED_LAST - SVM_EXIT_NAMED_FIRST + 1] = {
    NAMED(SVM_EXIT_INTR) = "intr",
    NAMED(SVM_EXIT_NMI) = "nmi",
    NAMED(SVM_EXIT_SMI) = "smi",
    NAMED(SVM_EXIT_INIT) = "init",
    NAMED(SVM_EXIT_VINTR) = "vintr",
    NAMED(SVM_EXIT_CR0_SEL_WRITE) = "cr0_sel_write",
    NAMED(SVM_EXIT_IDTR_READ) = "idtr_read",
    NAMED(SVM_EXIT_GDTR_READ) = "gdtr_read",
    NAMED(SVM_EXIT_LDTR_READ) = "ldtr_read",
    NAMED(SVM_EXIT_TR_READ) = "tr_read",
    NAMED(SVM_EXIT_IDTR_WRITE) = "idtr_write",
    NAMED(SVM_EXIT_GDTR_WRITE) = "gdtr_write",
    NAMED(SVM_EXIT_LDTR_WRITE) = "ldtr_write",
    NAMED(SVM_EXIT_TR_WRITE) = "tr_write",
    NAMED(SVM_EXIT_RDTSC) = "rdtsc",
    NAMED(SVM_EXIT_RDPMC) = "rdpmc",
    NAMED(SVM_EXIT_PUSHF) = "pushf",
    NAMED(SVM_EXIT_POPF) = "popf",
    NAMED(SVM_EXIT_CPUID) = "cpuid",
    NAMED(SVM_EXIT_RSM) = "rsm",
    NAMED(SVM_EXIT_IRET) = "iret",
    NAMED(SVM_EXIT_SWINT) = "swint",
    NAMED(SVM_EXIT_INVD) = "invd",
    NAMED(SVM_EXIT_PAUSE) = "pause",
    NAMED(SVM_EXIT_HLT) = "hlt",
    NAMED(SVM_EXIT_INVLPG) = "invlpg",
    NAMED(SVM_EXIT_INVLPGA) = "invlpga",
    NAMED(SVM_EXIT_IOIO) = "ioio",
    NAMED(SVM_EXIT_MSR) = "msr",
    NAMED(SVM_EXIT_TASK_SWITCH) = "task_switch",
    NAMED(SVM_EXIT_FERR_FREEZE) = "ferr_freeze",
    NAMED(SVM_EXIT_SHUTDOWN) = "shutdown",
    NAMED(SVM_EXIT_VMRUN) = "vmrun",
    NAMED(SVM_EXIT_VMMCALL) = "vmmcall",
    NAMED(SVM_EXIT_VMLOAD) = "vmload",
    NAMED(SVM_EXIT_VMSAVE) = "vmsave",
    NAMED(SVM_EXIT_STGI) = "stgi",
    NAMED(SVM_EXIT_CLGI) = "clgi",
    NAMED(SVM_EXIT_SKINIT) = "skinit",
    NAMED(SVM_EXIT_RDTSCP) = "rdtscp",
    NAMED(SVM_EXIT_ICEBP) = "icebp",
    NAMED(SVM_EXIT_WBINVD) = "wbinvd",
    NAMED(SVM_EXIT_MONITOR) = "monitor",
    NAMED(SVM_EXIT_MWAIT) = "mwait",
    NAMED(SVM_EXIT_MWAIT_CONDITIONAL) = "mwait_conditional",
    NAMED(SVM_EXIT_XSETBV) = "xsetbv",
    NAMED(SVM_EXIT_RDPRU) = "rdpru",
    NAMED(SVM_EXIT_EFER_WRITE_TRAP) = "efer_write_trap",
    NAMED(SVM_EXIT_INVLPGB) = "invlpgb",
    NAMED(SVM_EXIT_INVLPGB_ILLEGAL) = "invlpgb_illegal",
    NAMED(SVM_EXIT_INVPCID) = "invpcid",
    NAMED(SVM_EXIT_MCOMMIT) = "mcommit",
    NAMED(SVM_EXIT_TLBSYNC) = "tlbsync",
    NAMED(SVM_EXIT_BUS_LOCK) = "bus_lock",
    NAMED(SVM_EXIT_IDLE_HLT) = "idle_hlt",
};
#undef NAMED

static const char *named_or_unknown(const char *name)
{
    return name != NULL ? name : "unknown";
}

const char *svm_exit_name(uint64_t code)
{
    if (code < SVM_EXIT_CR0_WRITE)
        return cr_read_names[code - SVM_EXIT_CR0_READ];
    if (code < SVM_EXIT_DR0_READ)
        return cr_write_names[code - SVM_EXIT_CR0_WRITE];
    if (code < SVM_EXIT_DR0_WRITE)
        return dr_read_names[code - SVM_EXIT_DR0_READ];
    if (code < SVM_EXIT_EXCP_BASE)
        return dr_write_names[code - SVM_EXIT_DR0_WRITE];
    if (code <= SVM_EXIT_EXCP_LAST)
        return exceptions[code - SVM_EXIT_EXCP_BASE].exit_name;
    if (code >= SVM_EXIT_CR0_WRITE_TRAP && code <= SVM_EXIT_CR_WRITE_TRAP_LAST)
        return cr_write_trap_names[code - SVM_EXIT_CR0_WRITE_TRAP];
    if (code >= SVM_EXIT_NAMED_FIRST && code <= SVM_EXIT_NAMED_LAST)
        return named_or_unknown(misc_exit_names[code - SVM_EXIT_NAMED_FIRST]);

    switch (code) {
    case SVM_EXIT_NPF:
        return "npf";
    case SVM_EXIT_AVIC_INCOMPLETE_IPI:
        return "avic_incomplete_ipi";
    case SVM_EXIT_AVIC_NOACCEL:
        return "avic_noaccel";
    case SVM_EXIT_VMGEXIT:
        return "vmgexit";
    case SVM_EXIT_INVALID:
        return "invalid";
    case SVM_EXIT_BUSY:
        return "busy";
    case SVM_EXIT_IDLE_REQUIRED:
        return "idle_required";
    case SVM_EXIT_INVALID_PMC:
        return "invalid_pmc";
    default:
        return "unknown";
    }
}

/* ---- EVENTINJ / EXITINTINFO --------------------------------------------------- */

struct svm_event svm_event_decode(uint64_t raw)
{
    struct svm_event e = {
        .valid = (raw & SVM_EVENT_VALID) != 0,
        .vector = (uint8_t)(raw & SVM_EVENT_VECTOR_MASK),
        .type = (uint8_t)((raw & SVM_EVENT_TYPE_MASK) >> SVM_EVENT_TYPE_SHIFT),
        .error_code_valid = (raw & SVM_EVENT_EV) != 0,
        .reserved_bits = (raw & SVM_EVENT_RESERVED_MASK) != 0,
        .error_code = (uint32_t)(raw >> SVM_EVENT_ERROR_CODE_SHIFT),
    };

    return e;
}

int svm_event_format(const struct svm_event *e, char *buf, size_t size)
{
    struct text_out o;

    text_out_init(&o, buf, size);
    if (!e->valid) {
        text_out_str(&o, "none");
        return text_out_len(&o);
    }
    switch (e->type) {
    case SVM_EVENT_TYPE_INTR:
        text_out_str(&o, "external interrupt ");
        text_out_printf(&o, "0x%llx", (unsigned long long)e->vector);
        break;
    case SVM_EVENT_TYPE_NMI:
        /* The vector field is ignored for NMIs (APM 15.20). */
        text_out_str(&o, "NMI");
        break;
    case SVM_EVENT_TYPE_EXCEPTION: {
        const char *m = svm_exception_mnemonic(e->vector);

        text_out_str(&o, "exception ");
        text_out_printf(&o, "%u", e->vector);
        if (m != NULL) {
            text_out_str(&o, " (");
            text_out_str(&o, m);
            text_out_printf(&o, "%c", ')');
        }
        break;
    }
    case SVM_EVENT_TYPE_SOFT_INT:
        text_out_str(&o, "software interrupt ");
        text_out_printf(&o, "0x%llx", (unsigned long long)e->vector);
        break;
    default:
        text_out_str(&o, "reserved type ");
        text_out_printf(&o, "%u", e->type);
        text_out_str(&o, " vector ");
        text_out_printf(&o, "0x%llx", (unsigned long long)e->vector);
        break;
    }
    if (e->error_code_valid) {
        text_out_str(&o, " error ");
        text_out_printf(&o, "0x%llx", (unsigned long long)e->error_code);
    }
    if (e->reserved_bits)
        text_out_str(&o, ", reserved bits set");
    return text_out_len(&o);
}

/* ---- IOIO ---------------------------------------------------------------------- */

/* The one-hot fields SZ8/SZ16/SZ32 and A16/A32/A64: a value only when
 * exactly one bit is set (a hostile or buggy value decodes to 0). */
static uint8_t one_hot(uint64_t field, uint8_t first, uint8_t second, uint8_t third)
{
    switch (field) {
    case 1:
        return first;
    case 2:
        return second;
    case 4:
        return third;
    default:
        return 0;
    }
}

#define IOIO_SIZE_SHIFT         4
#define IOIO_ADDR_SHIFT         7
#define BYTES_1                 1u
#define BYTES_2                 2u
#define BYTES_4                 4u
#define ADDRESS_BITS_16         16u
#define ADDRESS_BITS_32         32u
#define ADDRESS_BITS_64         64u

struct svm_ioio svm_ioio_decode(uint64_t exit_info1)
{
    struct svm_ioio io = {
        .port = (uint16_t)((exit_info1 & SVM_IOIO_PORT_MASK) >> SVM_IOIO_PORT_SHIFT),
        .size = one_hot((exit_info1 & SVM_IOIO_SIZE_MASK) >> IOIO_SIZE_SHIFT, BYTES_1, BYTES_2,
                        BYTES_4),
        .in = (exit_info1 & SVM_IOIO_TYPE_IN) != 0,
        .string = (exit_info1 & SVM_IOIO_STR) != 0,
        .rep = (exit_info1 & SVM_IOIO_REP) != 0,
        .address_bits = one_hot((exit_info1 & SVM_IOIO_ADDR_MASK) >> IOIO_ADDR_SHIFT,
                                ADDRESS_BITS_16, ADDRESS_BITS_32, ADDRESS_BITS_64),
        .segment = (uint8_t)((exit_info1 & SVM_IOIO_SEG_MASK) >> SVM_IOIO_SEG_SHIFT),
    };

    return io;
}

static const char *const segment_names[] = { "es", "cs", "ss", "ds", "fs", "gs" };

int svm_ioio_format(const struct svm_ioio *io, char *buf, size_t size)
{
    struct text_out o;
    char suffix = io->size == BYTES_1 ? 'b' : io->size == BYTES_2 ? 'w' : io->size == BYTES_4 ? 'l' : '?';

    text_out_init(&o, buf, size);
    if (io->rep)
        text_out_str(&o, "rep ");
    text_out_str(&o, io->in ? "in" : "out");
    if (io->string)
        text_out_printf(&o, "%c", 's');
    text_out_printf(&o, "%c", suffix);
    text_out_str(&o, " port ");
    text_out_printf(&o, "0x%llx", (unsigned long long)io->port);
    if (io->string) {
        text_out_str(&o, " (a");
        if (io->address_bits != 0)
            text_out_printf(&o, "%u", io->address_bits);
        else
            text_out_printf(&o, "%c", '?');
        text_out_str(&o, ", ");
        if (io->segment < ARRAY_LEN(segment_names)) {
            text_out_str(&o, segment_names[io->segment]);
        } else {
            text_out_str(&o, "seg");
            text_out_printf(&o, "%u", io->segment);
        }
        text_out_printf(&o, "%c", ')');
    }
    return text_out_len(&o);
}

/* ---- nested page fault ------------------------------------------------------------ */

struct svm_npf svm_npf_decode(uint64_t exit_info1)
{
    struct svm_npf f = {
        .present = (exit_info1 & SVM_NPF_P) != 0,
        .write = (exit_info1 & SVM_NPF_RW) != 0,
        .user = (exit_info1 & SVM_NPF_US) != 0,
        .reserved = (exit_info1 & SVM_NPF_RSV) != 0,
        .fetch = (exit_info1 & SVM_NPF_ID) != 0,
        .protection_key = (exit_info1 & SVM_NPF_PK) != 0,
        .shadow_stack = (exit_info1 & SVM_NPF_SS) != 0,
        .final_gpa = (exit_info1 & SVM_NPF_FINAL_GPA) != 0,
        .page_walk = (exit_info1 & SVM_NPF_PAGE_WALK) != 0,
    };

    return f;
}

int svm_npf_format(const struct svm_npf *f, uint64_t gpa, char *buf, size_t size)
{
    struct text_out o;

    text_out_init(&o, buf, size);
    /* A fetch is never a write; a guest may still set both bits in a value
     * we are asked to print, and then the fetch wins. */
    if (f->fetch)
        text_out_str(&o, "fetch from");
    else if (f->write)
        text_out_str(&o, "write to");
    else
        text_out_str(&o, "read of");
    /* P = 1: the entry was present, the access was not allowed by it. */
    text_out_str(&o, f->present ? " a protected page at gpa " : " a not-present page at gpa ");
    text_out_printf(&o, "0x%llx", (unsigned long long)gpa);
    if (f->user)
        text_out_str(&o, ", user");
    if (f->reserved)
        text_out_str(&o, ", reserved bit set");
    if (f->protection_key)
        text_out_str(&o, ", protection key");
    if (f->shadow_stack)
        text_out_str(&o, ", shadow stack");
    if (f->final_gpa && f->page_walk)
        text_out_str(&o, " (final translation, during a guest page walk)");
    else if (f->final_gpa)
        text_out_str(&o, " (final translation)");
    else if (f->page_walk)
        text_out_str(&o, " (during a guest page walk)");
    return text_out_len(&o);
}

/* ---- VMRUN failures ------------------------------------------------------------------ */

#define VMRUN_RULES                                                             \
    "EFER.SVME clear, CR0.CD clear with CR0.NW set, CR0[63:32] not zero, "      \
    "reserved bits in CR3, CR4, DR6[63:32], DR7[63:32] or EFER, "               \
    "EFER.LME and CR0.PG without CR4.PAE or CR0.PE, "                           \
    "EFER.LME, CR0.PG, CR4.PAE with CS.L and CS.D both set, "                   \
    "VMRUN intercept clear, MSRPM or IOPM at or above the maximum physical address, " \
    "illegal event injection, ASID 0"

const char *svm_vmrun_failure_words(uint64_t exit_code)
{
    switch (exit_code) {
    case SVM_EXIT_INVALID:
        return "VMRUN refused the VMCB (VMEXIT_INVALID, APM 15.5.1): one of " VMRUN_RULES;
    case SVM_EXIT_BUSY:
        return "VMRUN refused the VMCB (VMEXIT_BUSY): the BUSY bit is set in the VMSA";
    case SVM_EXIT_IDLE_REQUIRED:
        return "VMRUN refused the VMCB (VMEXIT_IDLE_REQUIRED): the sibling thread is not idle";
    case SVM_EXIT_INVALID_PMC:
        return "VMRUN refused the VMCB (VMEXIT_INVALID_PMC): invalid PMC state";
    default:
        return "not a VMRUN failure";
    }
}

/* Bits the APM defines (vol. 2 3.1.7 EFER, 3.7 / figure 3-7 CR4); any other
 * is MBZ.  EFER.LMA is listed: VMRUN takes it from LME and CR0.PG. */
#define EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | SVM_EFER_SVME |          \
                      SVM_EFER_LMSLE | SVM_EFER_FFXSR | SVM_EFER_TCE | SVM_EFER_MCOMMIT | \
                      SVM_EFER_INTWB | SVM_EFER_UAIE | SVM_EFER_AIBRSE)
#define CR4_DEFINED (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE |    \
                     CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_LA57 | \
                     CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP | CR4_PKE | \
                     CR4_CET)
#define UPPER_HALF          0xffffffff00000000ull   /* CR0, DR6, DR7 bits 63:32: MBZ */
#define PHYS_ADDR_BITS_MAX  52u                     /* AMD64 physical addresses (APM vol. 2 5.1) */
#define BITS_PER_U64        64u
#define VECTOR_NMI          2u
#define VECTOR_LAST_EXCEPTION 31u

static unsigned phys_bits(unsigned maxphyaddr)
{
    return maxphyaddr == 0 || maxphyaddr > PHYS_ADDR_BITS_MAX ? PHYS_ADDR_BITS_MAX : maxphyaddr;
}

/* Does a table of `bytes` at `base` (bits 11:0 ignored) reach an address at
 * or above 2^bits?  Written so that no base can overflow the sum. */
static bool map_beyond(uint64_t base, uint64_t bytes, unsigned bits)
{
    uint64_t start = base & ~SVM_BASE_PA_IGNORED_MASK;
    uint64_t limit = 1ull << bits;      /* bits <= 52 */

    return start >= limit || limit - start < bytes;
}

static const char *event_injection_problem(uint64_t event_inj)
{
    struct svm_event e = svm_event_decode(event_inj);

    if (!e.valid)
        return NULL;
    switch (e.type) {
    case SVM_EVENT_TYPE_INTR:
    case SVM_EVENT_TYPE_NMI:
    case SVM_EVENT_TYPE_SOFT_INT:
        return NULL;
    case SVM_EVENT_TYPE_EXCEPTION:
        /* APM 15.20: an NMI is injected as type NMI, never as exception 2;
         * exceptions are vectors 0..31. */
        if (e.vector == VECTOR_NMI)
            return "EVENTINJ injects exception vector 2 (NMI must use type NMI)";
        if (e.vector > VECTOR_LAST_EXCEPTION)
            return "EVENTINJ injects an exception with a vector above 31";
        return NULL;
    default:
        return "EVENTINJ has a reserved event type";
    }
}

/*
 * The rules of APM 15.5.1 in the APM's order, minus those Kestrel cannot
 * break: "EFER.LMA or LME set on a CPU without long mode" (Kestrel runs in
 * long mode) and the SEV-specific ones.  CR3 is checked in long mode only
 * (EFER.LME and CR0.PG): bits 63:MAXPHYADDR are MBZ there; the legacy-mode
 * CR3 formats have no MBZ bits the APM states for VMRUN.
 */
const char *svm_vmcb_problem(const struct vmcb *vmcb, unsigned maxphyaddr)
{
    const struct vmcb_save *s = &vmcb->save;
    const struct vmcb_control *c = &vmcb->control;
    unsigned bits = phys_bits(maxphyaddr);
    bool long_mode = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
    const char *event;

    if (!(s->efer & SVM_EFER_SVME))
        return "EFER.SVME is clear";
    if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
        return "CR0.CD is clear and CR0.NW is set";
    if (s->cr0 & UPPER_HALF)
        return "CR0[63:32] is not zero";
    if (long_mode && bits < BITS_PER_U64 && (s->cr3 >> bits) != 0)
        return "CR3 has a bit set at or above MAXPHYADDR";
    if (s->cr4 & ~CR4_DEFINED)
        return "CR4 has a reserved bit set";
    if (s->dr6 & UPPER_HALF)
        return "DR6[63:32] is not zero";
    if (s->dr7 & UPPER_HALF)
        return "DR7[63:32] is not zero";
    if (s->efer & ~EFER_DEFINED)
        return "EFER has a reserved bit set";
    if (long_mode && !(s->cr4 & CR4_PAE))
        return "EFER.LME and CR0.PG are set but CR4.PAE is clear";
    if (long_mode && !(s->cr0 & CR0_PE))
        return "EFER.LME and CR0.PG are set but CR0.PE is clear";
    if (long_mode && (s->cr4 & CR4_PAE) && (s->cs.attrib & SVM_SEG_ATTR_L) &&
        (s->cs.attrib & SVM_SEG_ATTR_DB))
        return "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set";
    if (!(c->intercept_misc2 & SVM_INTERCEPT2_VMRUN))
        return "the VMRUN intercept is clear";
    if (map_beyond(c->msrpm_base_pa, SVM_MSRPM_SIZE, bits))
        return "the MSR permission map reaches the maximum physical address";
    if (map_beyond(c->iopm_base_pa, SVM_IOPM_SIZE, bits))
        return "the I/O permission map reaches the maximum physical address";
    event = event_injection_problem(c->event_inj);
    if (event != NULL)
        return event;
    if (c->guest_asid == SVM_HOST_ASID)
        return "the guest ASID is 0 (the host's)";
    return NULL;
}

int svm_vmrun_failure_format(const struct vmcb *vmcb, unsigned maxphyaddr, char *buf,
                             size_t size)
{
    struct text_out o;
    const char *problem;

    text_out_init(&o, buf, size);
    if (svm_exit_code(vmcb) != SVM_EXIT_INVALID) {
        text_out_str(&o, svm_vmrun_failure_words(svm_exit_code(vmcb)));
        return text_out_len(&o);
    }
    problem = svm_vmcb_problem(vmcb, maxphyaddr);
    text_out_str(&o, "VMEXIT_INVALID: ");
    if (problem != NULL)
        text_out_str(&o, problem);
    else
        text_out_str(&o, "no checked rule violated (APM 15.5.1: " VMRUN_RULES ")");
    return text_out_len(&o);
}
