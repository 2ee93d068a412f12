/*
 * docs/vmx.md prints the MSR allowlist as a table: it is generated from the
 * policy table itself (core/msr_policy.c), and this test fails when the two
 * drift apart.  On a mismatch it writes the table it expects to
 * build/host/msr-table.md: copy that between the markers in docs/vmx.md.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/msr_policy.h"

#define DOC_PATH      "docs/vmx.md"
#define EXPECTED_PATH "build/host/msr-table.md"
#define BEGIN_MARK    "<!-- msr-table begin (generated: tests/unit/test_policy_docs.c) -->\n"
#define END_MARK      "<!-- msr-table end -->\n"

static const char *read_words(enum msr_rule_read r)
{
    switch (r) {
    case MSR_RULE_RD_PASS:        return "native";
    case MSR_RULE_RD_CONST:       return "virtual value";
    case MSR_RULE_RD_SHADOW:      return "per-vCPU copy";
    case MSR_RULE_RD_GUEST_STATE: return "guest copy (VMCS)";
    case MSR_RULE_RD_GP:          return "#GP";
    }
    return "?";
}

static const char *write_words(enum msr_rule_write w)
{
    switch (w) {
    case MSR_RULE_WR_PASS:      return "native";
    case MSR_RULE_WR_IGNORE:    return "ignored";
    case MSR_RULE_WR_SHADOW:    return "per-vCPU copy (checked)";
    case MSR_RULE_WR_APIC_BASE: return "checked (mode changes only)";
    case MSR_RULE_WR_UNCHANGED: return "no change (#GP)";
    case MSR_RULE_WR_DEBUGCTL:  return "LBR, BTF only (VMCS)";
    case MSR_RULE_WR_XSS:       return "shown components only";
    case MSR_RULE_WR_ICR:       return "mediated IPI";
    case MSR_RULE_WR_MCA_BANK:  return "MCi_CTL ignored, rest native";
    case MSR_RULE_WR_GP:        return "#GP";
    }
    return "?";
}

static size_t render(char *buf, size_t cap)
{
    size_t count, n = 0;
    const struct msr_rule *rules = msr_policy_rules(&count);

    n += (size_t)snprintf(buf + n, cap - n, "%s", BEGIN_MARK);
    n += (size_t)snprintf(buf + n, cap - n, "| MSR | name | read | write | reason |\n"
                                            "|---|---|---|---|---|\n");
    for (size_t i = 0; i < count && n < cap; i++) {
        const struct msr_rule *r = &rules[i];
        char range[32];
        if (r->first == r->last)
            snprintf(range, sizeof(range), "0x%x", r->first);
        else
            snprintf(range, sizeof(range), "0x%x-0x%x", r->first, r->last);
        n += (size_t)snprintf(buf + n, cap - n, "| %s | %s | %s | %s | %s%s%s |\n", range, r->name,
                              read_words(r->read), write_words(r->write), r->reason,
                              r->svm_guest_state ? "; on SVM both ways the VMCB's copy: " : "",
                              r->svm_guest_state ? r->svm_reason : "");
    }
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n,
                              "| any other | — | #GP | #GP | deny by default: no row, no access |\n%s",
                              END_MARK);
    return n;
}

TEST(msr_table_in_docs_is_the_policy)
{
    static char want[64 * 1024];
    static char doc[256 * 1024];
    size_t n = render(want, sizeof(want));
    CHECK(n < sizeof(want));

    FILE *f = fopen(DOC_PATH, "r");
    CHECK(f != NULL);
    size_t len = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[len] = '\0';
    const char *begin = strstr(doc, BEGIN_MARK);
    const char *end = begin ? strstr(begin, END_MARK) : NULL;
    bool same = begin && end && (size_t)(end + strlen(END_MARK) - begin) == n &&
                memcmp(begin, want, n) == 0;
    if (!same) {
        FILE *out = fopen(EXPECTED_PATH, "w");
        if (out) {
            fwrite(want, 1, n, out);
            fclose(out);
        }
        unit_fail(unit_ctx_, __FILE__, __LINE__,
                  "the MSR table in %s differs from core/msr_policy.c: put %s between its markers",
                  DOC_PATH, EXPECTED_PATH);
    }
}

TEST_SUITE(policy_docs, UNIT(msr_table_in_docs_is_the_policy));
