/* Loader console: format with Kestrel's own printf, print through ConOut. */
#include <stdarg.h>
#include "loader.h"
#include "lib/fmt.h"

#define LINE_MAX_CHARS 256

static void print_ascii(const char *s)
{
    CHAR16 wide[LINE_MAX_CHARS + 2];
    UINTN n = 0;

    for (; *s; s++) {
        /* ConOut wants CRLF; a bare LF leaves the cursor in its column. */
        if (*s == '\n') {
            wide[n++] = L'\r';
        }
        wide[n++] = (CHAR16)(unsigned char)*s;
        if (n >= LINE_MAX_CHARS) {
            wide[n] = 0;
            uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
            n = 0;
        }
    }
    wide[n] = 0;
    uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
}

static void vprint(const char *fmt, va_list ap)
{
    char line[512];
    kvsnprintf(line, sizeof(line), fmt, ap);
    print_ascii(line);
}

void loader_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
}

/* Waits for a key press or timeout_s seconds, whichever comes first, so a
 * user in front of a real screen can read the message before the firmware's
 * boot menu replaces it. */
static void wait_key_or_timeout(unsigned timeout_s)
{
    EFI_EVENT timer;
    EFI_EVENT events[2];
    UINTN index;

    if (uefi_call_wrapper(BS->CreateEvent, 5, EVT_TIMER, 0, NULL, NULL, &timer) != EFI_SUCCESS) {
        return;
    }
    uefi_call_wrapper(BS->SetTimer, 3, timer, TimerRelative, (UINT64)timeout_s * 10000000ull);
    events[0] = ST->ConIn->WaitForKey;
    events[1] = timer;
    uefi_call_wrapper(BS->WaitForEvent, 3, 2, events, &index);
    uefi_call_wrapper(BS->CloseEvent, 1, timer);
}

EFI_STATUS loader_fail(EFI_STATUS status, const char *fmt, ...)
{
    va_list ap;

    print_ascii("kestrel: error: ");
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    print_ascii("\n");
    print_ascii("kestrel: returning to the firmware (press a key, or wait 30 s)\n");
    wait_key_or_timeout(30);
    return status;
}
